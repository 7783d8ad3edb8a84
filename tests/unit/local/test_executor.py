"""Lambda Invoke on the local cloud: real processes under the Runtime API."""

from __future__ import annotations

import base64
import json
import time
import uuid

import pytest

from tests.unit.local.conftest import Local, make_zip, server_log

ECHO = """
import os, sys, json
STARTED = os.getpid()
def handler(event, context):
    print("event", json.dumps(event))
    return {
        "event": event,
        "pid": os.getpid(),
        "request_id": context.aws_request_id,
        "arn": context.invoked_function_arn,
        "remaining": context.get_remaining_time_in_millis(),
        "memory": context.memory_limit_in_mb,
        "env": {k: v for k, v in os.environ.items() if k.startswith(("AWS_", "LAMBDA_", "_HANDLER", "GREETING", "TZ"))},
        "path0": sys.path[0],
        "cwd": os.getcwd(),
    }
"""


def test_invoke_runs_the_handler_with_lambdas_environment(local: Local) -> None:
    name = local.function(ECHO, environment={"GREETING": "hi"}, MemorySize=256)
    answer, result = local.invoke(name, {"a": 1})
    assert answer["StatusCode"] == 200
    assert "FunctionError" not in answer
    assert answer["ExecutedVersion"] == "$LATEST"
    assert result["event"] == {"a": 1}
    env = result["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == name
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_REGION"] == "us-east-1"
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == f"/aws/lambda/{name}"
    assert env["AWS_LAMBDA_LOG_STREAM_NAME"].endswith(
        "]" + env["AWS_LAMBDA_LOG_STREAM_NAME"].split("]")[1]
    )
    assert env["_HANDLER"] == "app.handler"
    assert env["AWS_ENDPOINT_URL"] == local.url
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
    assert env["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.11"
    assert env["AWS_ACCESS_KEY_ID"]
    assert env["GREETING"] == "hi"
    assert env["LAMBDA_TASK_ROOT"] == result["path0"] == result["cwd"]
    assert result["memory"] == "256"
    assert 0 < result["remaining"] <= 3000
    assert result["arn"].endswith(f":function:{name}")


def test_warm_environment_is_reused_and_request_ids_differ(local: Local) -> None:
    name = local.function(ECHO)
    _, first = local.invoke(name)
    _, second = local.invoke(name)
    assert first["pid"] == second["pid"]
    assert first["request_id"] != second["request_id"]


def test_handler_exception_is_an_unhandled_function_error(local: Local) -> None:
    name = local.function("def handler(event, context):\n    raise ValueError('boom')\n")
    answer, result = local.invoke(name)
    assert answer["FunctionError"] == "Unhandled"
    assert result["errorType"] == "ValueError"
    assert result["errorMessage"] == "boom"
    assert any("raise ValueError" in frame for frame in result["stackTrace"])
    # the environment survives a handled exception
    _, again = local.invoke(name)
    assert again["errorType"] == "ValueError"


def test_import_error_is_reported_as_init_error(local: Local) -> None:
    name = local.function("import not_installed_anywhere\ndef handler(e, c):\n    return 1\n")
    answer, result = local.invoke(name)
    assert answer["FunctionError"] == "Unhandled"
    assert result["errorType"] == "Runtime.ImportModuleError"
    assert (
        "Unable to import module 'app': No module named 'not_installed_anywhere'"
        in result["errorMessage"]
    )


def test_missing_handler_function(local: Local) -> None:
    name = local.function("def other(e, c):\n    return 1\n")
    _, result = local.invoke(name)
    assert result["errorType"] == "Runtime.HandlerNotFound"


def test_unserializable_result_is_a_marshal_error(local: Local) -> None:
    name = local.function("def handler(e, c):\n    return {1, 2}\n")
    _, result = local.invoke(name)
    assert result["errorType"] == "Runtime.MarshalError"


def test_timeout_kills_the_environment_and_the_next_call_gets_a_fresh_one(local: Local) -> None:
    code = """
import os, time
def handler(event, context):
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return os.getpid()
"""
    name = local.function(code, timeout=1)
    _, first_pid = local.invoke(name)
    started = time.monotonic()
    answer, result = local.invoke(name, {"sleep": 5})
    assert time.monotonic() - started < 4
    assert answer["FunctionError"] == "Unhandled"
    assert result["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in result["errorMessage"]
    _, next_pid = local.invoke(name)
    assert next_pid != first_pid
    logs = local.wait_for(lambda: [m for m in local.logs_of(name) if "Task timed out" in m])
    assert logs[0].split(" ", 2)[2].startswith("Task timed out after 1.00 seconds")


def test_crash_fails_only_that_request(local: Local) -> None:
    code = """
import os
def handler(event, context):
    if event.get("crash"):
        os._exit(3)
    return "fine"
"""
    name = local.function(code)
    assert local.invoke(name)[1] == "fine"
    answer, result = local.invoke(name, {"crash": True})
    assert answer["FunctionError"] == "Unhandled"
    assert result["errorType"] == "Runtime.ExitError"
    assert "Runtime exited with error: exit status 3" in result["errorMessage"]
    assert local.invoke(name)[1] == "fine"


def test_versions_and_aliases_run_their_own_code(local: Local) -> None:
    lam = local.client("lambda")
    name = local.function("def handler(e, c):\n    return 'one'\n")
    lam.publish_version(FunctionName=name)
    lam.update_function_code(
        FunctionName=name, ZipFile=make_zip({"app.py": "def handler(e, c):\n    return 'two'\n"})
    )
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    assert local.invoke(name, Qualifier="1")[1] == "one"
    assert local.invoke(name, Qualifier="2")[1] == "two"
    assert local.invoke(name)[1] == "two"
    answer, result = local.invoke(name, Qualifier="live")
    assert (result, answer["ExecutedVersion"]) == ("one", "1")
    lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
    assert local.invoke(f"{name}:live")[1] == "two"


def test_configuration_change_gets_new_environments(local: Local) -> None:
    name = local.function(
        "import os\ndef handler(e, c):\n    return [os.getpid(), os.environ.get('MODE')]\n"
    )
    pid, mode = local.invoke(name)[1]
    assert mode is None
    local.client("lambda").update_function_configuration(
        FunctionName=name, Environment={"Variables": {"MODE": "x"}}
    )
    new_pid, new_mode = local.invoke(name)[1]
    assert (new_mode, new_pid != pid) == ("x", True)


def test_reserved_concurrency_throttles(local: Local) -> None:
    lam = local.client("lambda")
    name = local.function("def handler(e, c):\n    return 1\n")
    lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=0)
    with pytest.raises(lam.exceptions.TooManyRequestsException):
        local.invoke(name)
    lam.delete_function_concurrency(FunctionName=name)
    assert local.invoke(name)[1] == 1


def test_dry_run_and_log_tail(local: Local) -> None:
    lam = local.client("lambda")
    name = local.function("def handler(e, c):\n    print('said hello')\n    return 1\n")
    assert lam.invoke(FunctionName=name, InvocationType="DryRun")["StatusCode"] == 204
    answer = lam.invoke(FunctionName=name, LogType="Tail")
    tail = base64.b64decode(answer["LogResult"]).decode()
    assert "START RequestId:" in tail
    assert "said hello" in tail
    assert "REPORT RequestId:" in tail


def test_unknown_function_is_not_found(local: Local) -> None:
    lam = local.client("lambda")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.invoke(FunctionName="no-such-function")


def test_async_invocation_is_retried_twice(local: Local) -> None:
    queue_url = local.client("sqs").create_queue(QueueName="attempts")["QueueUrl"]
    code = f"""
import boto3
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl="{queue_url}", MessageBody=context.aws_request_id)
    raise RuntimeError("always fails")
"""
    name = local.function(code, timeout=10)
    answer = local.client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=b"{}")
    assert answer["StatusCode"] == 202

    def attempts() -> list[str] | None:
        sqs = local.client("sqs")
        found = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60
        ).get("Messages", [])
        seen.extend(message["Body"] for message in found)
        return seen if len(seen) >= 3 else None

    seen: list[str] = []
    bodies = local.wait_for(attempts, timeout=30)
    assert len(bodies) == 3
    assert len(set(bodies)) == 1  # retries keep the request id


def test_boto3_inside_a_function_reaches_the_local_cloud(local: Local) -> None:
    local.client("s3").create_bucket(Bucket="seen-from-inside")
    code = "import boto3\ndef handler(e, c):\n    return [b['Name'] for b in boto3.client('s3').list_buckets()['Buckets']]\n"
    name = local.function(code, timeout=10)
    assert "seen-from-inside" in local.invoke(name)[1]


def test_layers_are_on_the_path(local: Local) -> None:
    lam = local.client("lambda")
    layer = make_zip({"python/helper.py": "VALUE = 'from the layer'\n"})
    arn = lam.publish_layer_version(LayerName="helpers", Content={"ZipFile": layer})[
        "LayerVersionArn"
    ]
    name = local.function(
        "import helper\ndef handler(e, c):\n    return helper.VALUE\n", Layers=[arn]
    )
    assert local.invoke(name)[1] == "from the layer"


def test_function_urls_and_events_reach_moto_invoke_hook(local: Local) -> None:
    """moto's own invocations (here: SNS) run on the executor, not in Docker."""
    queue_url = local.client("sqs").create_queue(QueueName="sns-seen")["QueueUrl"]
    code = f"""
import boto3, json
def handler(event, context):
    message = event["Records"][0]["Sns"]["Message"]
    boto3.client("sqs").send_message(QueueUrl="{queue_url}", MessageBody=message)
"""
    name = local.function(code, timeout=10)
    arn = local.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    sns = local.client("sns")
    topic = sns.create_topic(Name="news")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    local.allow(arn, "sns.amazonaws.com", topic)
    sns.publish(TopicArn=topic, Message="hello via sns")
    sqs = local.client("sqs")
    messages = local.wait_for(lambda: sqs.receive_message(QueueUrl=queue_url).get("Messages"))
    assert messages[0]["Body"] == "hello via sns"


def test_large_response_is_refused(local: Local) -> None:
    name = local.function("def handler(e, c):\n    return 'x' * 7_000_000\n")
    answer, result = local.invoke(name)
    assert answer["FunctionError"] == "Unhandled"
    assert result["errorType"] == "Function.ResponseSizeTooLarge"
    # behind an API only a bare 500 reaches the client: the cloud's log says why
    local.cloud.log.flush()
    line = next(x for x in server_log(local).splitlines() if "ResponseSizeTooLarge" in x)
    assert f"{name}:$LATEST" in line
    assert "over Lambda's limit of 6291556" in line


def test_client_context_reaches_the_function(local: Local) -> None:
    name = local.function("def handler(e, c):\n    return c.client_context.custom\n")
    context = base64.b64encode(json.dumps({"custom": {"k": "v"}}).encode()).decode()
    assert local.invoke(name, ClientContext=context)[1] == {"k": "v"}


CUSTOM_BOOTSTRAP = """#!{python}
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
opener = urllib.request.build_opener(urllib.request.ProxyHandler({{}}))
while True:
    with opener.open(api + "next") as response:
        request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(response.read())
    print("custom runtime got", event, flush=True)
    body = json.dumps({{"echo": event, "handler": os.environ["_HANDLER"]}}).encode()
    opener.open(urllib.request.Request(api + request_id + "/response", data=body, method="POST")).read()
"""


def test_provided_runtime_runs_the_packages_bootstrap(local: Local) -> None:
    import io
    import sys
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("bootstrap")
        info.external_attr = 0o755 << 16
        archive.writestr(info, CUSTOM_BOOTSTRAP.format(python=sys.executable))
    name = f"custom-{uuid.uuid4().hex[:8]}"
    local.client("lambda").create_function(
        FunctionName=name,
        Runtime="provided.al2023",
        Role=local.role,
        Handler="anything.here",
        Code={"ZipFile": buffer.getvalue()},
    )
    assert local.invoke(name, {"n": 1})[1] == {"echo": {"n": 1}, "handler": "anything.here"}
    messages = local.wait_for(
        lambda: [m for m in local.logs_of(name) if m.startswith(("START", "END", "REPORT"))]
    )
    assert [m.split(" ")[0] for m in messages] == ["START", "END", "REPORT"]
    assert any("custom runtime got" in m for m in local.logs_of(name))


def test_unsupported_runtime_is_an_init_error(local: Local) -> None:
    name = f"node-{uuid.uuid4().hex[:8]}"
    local.client("lambda").create_function(
        FunctionName=name,
        Runtime="nodejs20.x",
        Role=local.role,
        Handler="index.handler",
        Code={"ZipFile": make_zip({"index.js": ""})},
    )
    answer, result = local.invoke(name)
    assert answer["FunctionError"] == "Unhandled"
    assert "nodejs20.x is not supported" in result["errorMessage"]


def test_a_custom_runtime_bootstrap_that_cannot_start(local: Local) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bootstrap", "not executable")  # no x bit
    name = f"noexec-{uuid.uuid4().hex[:8]}"
    local.client("lambda").create_function(
        FunctionName=name,
        Runtime="provided.al2023",
        Role=local.role,
        Handler="x",
        Code={"ZipFile": buffer.getvalue()},
    )
    answer, result = local.invoke(name)
    assert answer["FunctionError"] == "Unhandled"
    assert result["errorType"] == "Runtime.InvalidEntrypoint"
    assert "Could not start" in result["errorMessage"]
