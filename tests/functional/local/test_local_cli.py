"""`skylift local up|status|logs|down` against a real background local cloud."""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import time
import urllib.error
import urllib.request
import zipfile

import pytest

from tests.functional.local.conftest import Cli, pid_alive

pytestmark = pytest.mark.functional

APP = """
def handler(event, context):
    print("serving", event["path"])
    return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "Hello from " + event["path"]}
"""


def deploy(cli: Cli) -> tuple[str, str]:
    """What the deploy engine does, in miniature: S3 zip, role, function, version, alias, REST API.

    Not yet the invoke permission: (API id, alias ARN).
    """
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("app.py", APP)
    s3, iam, lam, apigw = (cli.client(s) for s in ("s3", "iam", "lambda", "apigateway"))
    s3.create_bucket(Bucket="code-bucket")
    s3.put_object(Bucket="code-bucket", Key="app.zip", Body=archive.getvalue())
    role = iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam.create_function(
        FunctionName="demo-dev",
        Runtime="python3.11",
        Role=role,
        Handler="app.handler",
        Code={"S3Bucket": "code-bucket", "S3Key": "app.zip"},
        Publish=True,
    )
    alias = lam.create_alias(FunctionName="demo-dev", Name="dev", FunctionVersion="1")["AliasArn"]
    api = apigw.create_rest_api(name="demo-dev")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    proxy = apigw.create_resource(restApiId=api, parentId=root, pathPart="{proxy+}")["id"]
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{alias}/invocations"
    for resource in (root, proxy):
        apigw.put_method(
            restApiId=api, resourceId=resource, httpMethod="ANY", authorizationType="NONE"
        )
        apigw.put_integration(
            restApiId=api,
            resourceId=resource,
            httpMethod="ANY",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=uri,
        )
    apigw.create_deployment(restApiId=api, stageName="dev")
    return str(api), alias


def get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_up_deploy_serve_status_logs_down(cli: Cli) -> None:
    up = cli.json("local", "up", "--port", str(cli.port))
    assert up["endpoint_url"] == cli.url
    assert up["notice"] is None
    api, alias = deploy(cli)
    url = f"{cli.url}/restapis/{api}/dev/_user_request_/hello"
    # as on AWS: without a resource policy that lets this API invoke the alias, a 500
    assert get(url) == (500, b'{"message": "Internal server error"}')
    cli.client("lambda").add_permission(
        FunctionName=alias,
        StatementId="rest-api",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api}/*",
    )
    assert get(url) == (200, b"Hello from /hello")

    state = cli.json("local", "status")
    assert state["pid"] == up["pid"]
    assert state["uptime_seconds"] >= 0
    assert [f["name"] for f in state["functions"]] == ["demo-dev"]
    assert state["functions"][0]["aliases"] == {"dev": "1"}
    assert state["rest_apis"][0]["urls"]["dev"] == [
        f"http://{api}.execute-api.localhost:{cli.port}/dev/",
        f"{cli.url}/restapis/{api}/dev/_user_request_/",
    ]
    env_pids = [pid for env in state["environments"] for pid in env["pids"]]
    assert env_pids

    human = cli.run("local", "status").stdout
    assert "demo-dev" in human
    assert f"{api}.execute-api.localhost" in human

    function_logs = cli.run("local", "logs", "--function", "demo-dev", "--filter", "serving").stdout
    assert "serving /hello" in function_logs
    server_log = cli.run("local", "logs", "-n", "200").stdout
    assert f"GET {api}.execute-api /dev/hello 200" in server_log
    assert "Invalid permissions on Lambda function" in server_log
    assert f"--source-arn 'arn:aws:execute-api:us-east-1:123456789012:{api}/dev/GET/hello'" in (
        server_log
    )

    down = cli.json("local", "down")
    assert down == {"stopped": True}
    assert not pid_alive(up["pid"])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(pid_alive(pid) for pid in env_pids):
        time.sleep(0.1)
    assert not any(pid_alive(pid) for pid in env_pids)
    assert cli.run("local", "status", check=False).returncode == 3
    assert cli.json("local", "down") == {"stopped": False}


def test_up_is_idempotent_and_refuses_another_port(cli: Cli) -> None:
    first = cli.json("local", "up", "--port", str(cli.port))
    again = cli.json("local", "up")
    assert again["pid"] == first["pid"]
    other = cli.run("local", "up", "--port", str(cli.port + 1), check=False)
    assert other.returncode == 1
    assert f"already running on port {cli.port}" in other.stderr


def test_a_killed_cloud_restarts_clean_and_says_so(cli: Cli) -> None:
    first = cli.json("local", "up", "--port", str(cli.port))
    deploy(cli)
    os.kill(first["pid"], signal.SIGKILL)
    restarted = cli.run("local", "up", "--port", str(cli.port))
    assert "stopped without `skylift local down`" in restarted.stderr
    assert "are gone" in restarted.stderr
    assert cli.json("local", "status")["functions"] == []


def test_port_in_use_is_a_clear_error(cli: Cli) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", cli.port))
        blocker.listen(1)
        result = cli.run("local", "up", "--port", str(cli.port), check=False)
    assert result.returncode == 1
    assert f"Port {cli.port} on 127.0.0.1 is already in use" in result.stderr
    assert "--port" in result.stderr


def test_logs_options_need_a_function(cli: Cli) -> None:
    result = cli.run("local", "logs", "--since", "10m", check=False)
    assert result.returncode == 2
    assert "--function" in result.stderr


def test_test_clock_moves_schedules(cli: Cli) -> None:
    cli.run("local", "up", "--port", str(cli.port), "--test-clock")
    events = cli.client("events")
    events.put_rule(Name="tick", ScheduleExpression="rate(1 hour)")
    request = urllib.request.Request(
        f"{cli.url}/_skylift/clock", data=json.dumps({"advance": 3600}).encode(), method="POST"
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request) as response:
        assert json.loads(response.read())["now"] > time.time() + 3000
