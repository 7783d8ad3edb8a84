"""What talks to AWS: the slim archive, remote_env, and @task -- against a moto server."""

from __future__ import annotations

import io
import json
import socket
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from skylift.runtime import handler as runtime_handler
from skylift.runtime import remote, tasks
from skylift.runtime.tasks import AsyncResponse, TaskError, task
from tests.unit.runtime.conftest import Context


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    tasks._clients.clear()
    tasks._account.clear()
    tasks._response_table.cache_clear()
    yield moto_endpoint
    tasks._clients.clear()
    tasks._response_table.cache_clear()


def s3(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def test_slim_archive_is_fetched_once_and_importable(aws, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client = s3(aws)
    client.create_bucket(Bucket="deps")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("slimdep/__init__.py", "VALUE = 'from the slim archive'\n")
        zf.writestr("extra.pth", "extra_dir\n")
        zf.writestr("extra_dir/pthmod.py", "X = 1\n")
    client.put_object(Bucket="deps", Key="shop/deps.zip", Body=buffer.getvalue())
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path / "task"))
    monkeypatch.setattr(sys, "path", [str(tmp_path / "task"), *sys.path])
    target = remote.load_slim_archive("s3://deps/shop/deps.zip")
    assert sys.path[1] == target
    import slimdep  # type: ignore[import-not-found]

    assert slimdep.VALUE == "from the slim archive"
    assert str(Path(target) / "extra_dir") in sys.path  # .pth files are honoured
    client.delete_object(Bucket="deps", Key="shop/deps.zip")
    assert remote.load_slim_archive("s3://deps/shop/deps.zip") == target  # cached in /tmp
    sys.modules.pop("slimdep")


def test_slim_archive_problems_are_clear(aws, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = s3(aws)
    client.create_bucket(Bucket="deps2")
    client.put_object(Bucket="deps2", Key="bad.zip", Body=b"not a zip")
    with pytest.raises(remote.RemoteError, match="not a zip"):
        remote.load_slim_archive("s3://deps2/bad.zip", tmp_dir=str(tmp_path))
    with pytest.raises(remote.RemoteError, match="cannot download"):
        remote.load_slim_archive("s3://deps2/missing.zip", tmp_dir=str(tmp_path))
    for url in ("http://x/y", "s3://bucket-only", "s3:///key"):
        with pytest.raises(remote.RemoteError, match="not an s3://"):
            remote.parse_s3_url(url)


def test_remote_env_sets_variables(aws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client = s3(aws)
    client.create_bucket(Bucket="conf")
    client.put_object(
        Bucket="conf", Key="env.json", Body=json.dumps({"DB_URL": "postgres://x", "N": 3})
    )
    client.put_object(Bucket="conf", Key="list.json", Body=b"[1]")
    client.put_object(Bucket="conf", Key="bad.json", Body=b"{")
    monkeypatch.delenv("DB_URL", raising=False)
    monkeypatch.delenv("N", raising=False)
    assert remote.load_remote_env("s3://conf/env.json") == {"DB_URL": "postgres://x", "N": "3"}
    assert __import__("os").environ["DB_URL"] == "postgres://x"
    for key, message in (
        ("list.json", "not a JSON object"),
        ("bad.json", "not JSON"),
        ("nope.json", "cannot read"),
    ):
        with pytest.raises(remote.RemoteError, match=message):
            remote.load_remote_env(f"s3://conf/{key}")


def test_handler_prepares_slim_and_remote_env(aws, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    client = s3(aws)
    client.create_bucket(Bucket="stage")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("placeholder.txt", "x")
    client.put_object(Bucket="stage", Key="deps.zip", Body=buffer.getvalue())
    client.put_object(Bucket="stage", Key="env.json", Body=json.dumps({"FROM_S3": "yes"}))
    (tmp_path / "skylift_settings.json").write_text(
        json.dumps(
            {
                "remote_env_bucket": "stage",
                "remote_env_file": "env.json",
                "include": ["libmissing.so"],
            }
        )
    )
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setenv("SKYLIFT_SLIM_ARCHIVE", "s3://stage/deps.zip")
    monkeypatch.delenv("FROM_S3", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    runtime_handler.start()
    assert __import__("os").environ["FROM_S3"] == "yes"
    assert "include: cannot load libmissing.so" in capsys.readouterr().err
    remote.load_include_libraries([], str(tmp_path))  # nothing to load


def test_task_runs_inline_outside_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    assert add(2, 3) == 5
    assert add.sync(1, 1) == 2  # type: ignore[attr-defined]
    assert add.service == "lambda"  # type: ignore[attr-defined]
    with pytest.raises(TaskError, match="not JSON-serializable"):
        add(object(), 1)
    with pytest.raises(TaskError, match="at most"):
        add("x" * 300_000, "")
    assert tasks.run(add, (4, 5)) == 9


@task
def add(a: Any, b: Any) -> Any:
    return a + b


@task(service="sns")
def notify(message: str) -> str:
    return message.upper()


def test_task_definition_errors() -> None:
    with pytest.raises(TaskError, match="unknown task service"):
        task(service="sqs")

    def local() -> None:
        pass

    with pytest.raises(TaskError, match="module-level"):
        task(local)


def test_task_on_lambda_invokes_this_function_asynchronously(aws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[dict[str, Any]] = []

    class FakeLambda:
        def invoke(self, **params: Any) -> dict[str, Any]:
            calls.append(params)
            return {"StatusCode": 202}

    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "shop-dev")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_VERSION", "7")
    tasks._clients[("lambda", "us-east-1")] = FakeLambda()
    sent = add(1, 2)
    assert isinstance(sent, AsyncResponse)
    assert sent.sent
    assert "sent=True" in repr(sent)
    assert calls[0]["FunctionName"] == "shop-dev"
    assert calls[0]["InvocationType"] == "Event"
    assert calls[0]["Qualifier"] == "7"
    payload = json.loads(calls[0]["Payload"])
    assert payload["skylift_task"] == f"{__name__}.add"
    assert (payload["args"], payload["kwargs"]) == ([1, 2], {})
    # The invocation that receives the payload runs the function itself.
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    assert runtime_handler.lambda_handler(payload, Context()) == 3


def test_task_to_a_remote_function_has_no_qualifier(aws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[dict[str, Any]] = []

    class FakeLambda:
        def invoke(self, **params: Any) -> dict[str, Any]:
            calls.append(params)
            return {"StatusCode": 500}

    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_VERSION", "7")
    tasks._clients[("lambda", "eu-west-1")] = FakeLambda()
    sent = tasks.run(
        add, (1, 2), remote_aws_lambda_function_name="other", remote_aws_region="eu-west-1"
    )
    assert not sent.sent
    assert "Qualifier" not in calls[0]
    with pytest.raises(TaskError, match="__main__"):
        tasks.send(
            "__main__.f",
            (),
            {},
            service="lambda",
            function_name="x",
            region=None,
            capture_response=False,
            arn=None,
            same_function=True,
        )


def test_sns_task_publishes_and_is_run_from_the_sns_record(aws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    sns = boto3.client("sns", endpoint_url=aws, region_name="us-east-1")
    topic = sns.create_topic(Name=tasks.async_topic_name("shop-dev"))["TopicArn"]
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "shop-dev")
    sent = notify("hi")
    assert sent.sent
    assert topic.endswith(":shop-dev-skylift-async")
    explicit = tasks.run(notify, ("x",), service="sns", arn=topic)
    assert explicit.sent
    record = {
        "EventSource": "aws:sns",
        "Sns": {
            "TopicArn": topic,
            "Message": json.dumps(
                {"skylift_task": f"{__name__}.notify", "args": ["hi"], "kwargs": {}}
            ),
        },
    }
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    assert runtime_handler.lambda_handler({"Records": [record]}, Context()) == ["HI"]


def test_capture_response_round_trip(aws, tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "shop-dev")
    sent_payloads: list[Any] = []

    class FakeLambda:
        def invoke(self, **params: Any) -> dict[str, Any]:
            sent_payloads.append(json.loads(params["Payload"]))
            return {"StatusCode": 202}

    tasks._clients[("lambda", "us-east-1")] = FakeLambda()
    no_table = tasks.run(add, (1, 1), capture_response=True)
    assert no_table.response_id is None
    assert "async_response_table" in capsys.readouterr().err
    with pytest.raises(TaskError, match="async_response_table"):
        tasks.get_async_response("x")

    ddb = boto3.client("dynamodb", endpoint_url=aws, region_name="us-east-1")
    ddb.create_table(
        TableName="responses",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    (tmp_path / "skylift_settings.json").write_text(
        json.dumps({"async_response_table": "responses"})
    )
    tasks._response_table.cache_clear()
    sent = tasks.run(add, (20, 22), capture_response=True)
    assert sent.response_id
    assert tasks.get_async_response(sent.response_id) is None
    assert tasks.run_task(sent_payloads[-1]) == 42
    assert tasks.get_async_response(sent.response_id) == {"status": "complete", "response": 42}
    with pytest.raises(TaskError, match="malformed task message"):
        tasks.run_task({"skylift_task": "x.y", "args": "nope"})
