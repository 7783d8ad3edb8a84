"""An in-process local cloud per test module, and helpers to deploy tiny functions on it."""

from __future__ import annotations

import io
import json
import textwrap
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from skylift.local.cloud import CloudServer
from skylift.local.executor.environment import Environment
from skylift.local.executor.executor import ExecutorSettings
from skylift.local.paths import LocalPaths
from skylift.local.schedule.clock import ManualClock

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's default account: the local cloud's
CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "region_name": REGION,
}


def server_log(local: Local) -> str:
    """The local cloud's own log (what `skylift local logs` prints)."""
    return (local.cloud.paths.root.parent / "server.log").read_text(encoding="utf-8")


def make_zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, textwrap.dedent(text))
    return buffer.getvalue()


@dataclass
class HttpResult:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Local:
    """A running in-process local cloud and boto3 clients pointed at it."""

    def __init__(self, cloud: CloudServer) -> None:
        self.cloud = cloud
        self.url = cloud.endpoint_url
        self.port = cloud.port
        self._role: str | None = None

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.url, **CREDENTIALS)

    @property
    def role(self) -> str:
        if self._role is None:
            iam = self.client("iam")
            name = f"role-{uuid.uuid4().hex[:8]}"
            self._role = iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"][
                "Arn"
            ]
        return self._role

    def function(
        self,
        code: str,
        *,
        name: str | None = None,
        handler: str = "app.handler",
        timeout: int = 3,
        environment: dict[str, str] | None = None,
        files: dict[str, str] | None = None,
        **extra: Any,
    ) -> str:
        """Create a function whose app.py is ``code``; returns its name."""
        name = name or f"fn-{uuid.uuid4().hex[:10]}"
        archive = make_zip({"app.py": code, **(files or {})})
        self.client("lambda").create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=self.role,
            Handler=handler,
            Code={"ZipFile": archive},
            Timeout=timeout,
            Environment={"Variables": environment or {}},
            **extra,
        )
        return name

    def allow(
        self,
        function: str,
        principal: str = "apigateway.amazonaws.com",
        source_arn: str | None = None,
        **extra: Any,
    ) -> None:
        """AddPermission on ``function`` (a name, ``name:qualifier`` or an ARN with its alias)."""
        params: dict[str, Any] = {
            "FunctionName": function,
            "StatementId": f"s-{uuid.uuid4().hex[:12]}",
            "Action": "lambda:InvokeFunction",
            "Principal": principal,
            **extra,
        }
        if source_arn is not None:
            params["SourceArn"] = source_arn
        self.client("lambda").add_permission(**params)

    def allow_api(self, function: str, api_id: str) -> None:
        """What ``skylift deploy`` grants an API: any stage, method and path of it."""
        self.allow(function, source_arn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/*")

    def allow_public_url(self, function: str, qualifier: str | None = None) -> None:
        """The two statements AWS wants for a Function URL with auth type NONE."""
        where = {"Qualifier": qualifier} if qualifier else {}
        self.allow(
            function,
            "*",
            Action="lambda:InvokeFunctionUrl",
            FunctionUrlAuthType="NONE",
            **where,
        )
        self.allow(function, "*", InvokedViaFunctionUrl=True, **where)

    def invoke(self, name: str, payload: Any = None, **extra: Any) -> tuple[dict[str, Any], Any]:
        answer = self.client("lambda").invoke(
            FunctionName=name, Payload=json.dumps(payload or {}), **extra
        )
        body = answer["Payload"].read()
        return answer, json.loads(body) if body else None

    def request(
        self,
        path: str,
        *,
        method: str = "GET",
        host: str | None = None,
        headers: dict[str, str] | None = None,
        body: bytes | None = None,
    ) -> HttpResult:
        all_headers = dict(headers or {})
        if host:
            all_headers["Host"] = f"{host}:{self.port}"
        request = urllib.request.Request(
            self.url + path, data=body, method=method, headers=all_headers
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=60) as response:
                return HttpResult(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return HttpResult(error.code, dict(error.headers), error.read())

    def logs_of(self, name: str, pattern: str = "") -> list[str]:
        # No flush here: every CloudWatch Logs call waits for the lines of answered requests.
        events = self.client("logs").filter_log_events(
            logGroupName=f"/aws/lambda/{name}", filterPattern=pattern
        )
        return [event["message"] for event in events["events"]]

    def wait_for(self, predicate: Any, timeout: float = 15.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError("condition not met in time")


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Local]:
    paths = LocalPaths(tmp_path_factory.mktemp("skylift-home") / "local")
    settings = ExecutorSettings(idle_seconds=600, retry_delays=(0.05, 0.05), max_environments=4)
    log = open(paths.root.parent / "server.log", "w", encoding="utf-8")  # noqa: SIM115
    cloud = CloudServer(0, paths, clock=ManualClock(), settings=settings, log_stream=log)
    cloud.start()
    try:
        yield Local(cloud)
    finally:
        cloud.stop()
        log.close()


@dataclass
class SlowCollector:
    seconds: float = 0.4


@pytest.fixture
def slow_collector(monkeypatch: pytest.MonkeyPatch) -> SlowCollector:
    """The thread reading an environment's output, starved as on a loaded machine.

    An invocation's answer travels over the Runtime API and its log lines over the
    process's stdout: a read right after Invoke returned must wait for the lines.
    Each invocation's END and REPORT lines come ``seconds`` after its answer.
    """
    delay = SlowCollector()
    original = Environment._close_invocation

    def late(env: Environment, request_id: str, duration_ms: float, status: str | None) -> None:
        time.sleep(delay.seconds)
        original(env, request_id, duration_ms, status)

    monkeypatch.setattr(Environment, "_close_invocation", late)
    return delay
