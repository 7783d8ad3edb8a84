"""The runtime inside each environment: handler loading, invocation, errors, the Runtime API client."""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from skylift.local.executor import bootstrap
from skylift.local.httpserver import LeanHTTPServer, Request, Response, serve_in_thread


@pytest.fixture
def module_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in ("bootmod", "brokenmod", "syntaxmod"):
        sys.modules.pop(name, None)
    (tmp_path / "bootmod.py").write_text("def handler(event, context):\n    return event\n")
    (tmp_path / "brokenmod.py").write_text("import not_a_module_anywhere\n")
    (tmp_path / "syntaxmod.py").write_text("def broken(:\n")
    return tmp_path


def test_load_handler(module_dir: Path) -> None:
    assert bootstrap.load_handler("bootmod.handler")({"a": 1}, None) == {"a": 1}


@pytest.mark.parametrize(
    ("spec", "error_type", "message"),
    [
        ("nodots", "Runtime.MalformedHandlerName", "Bad handler 'nodots'"),
        (
            "brokenmod.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'brokenmod': No module named",
        ),
        ("syntaxmod.handler", "Runtime.UserCodeSyntaxError", "Syntax error in module 'syntaxmod'"),
        (
            "bootmod.missing",
            "Runtime.HandlerNotFound",
            "Handler 'missing' missing on module 'bootmod'",
        ),
    ],
)
def test_load_handler_errors(module_dir: Path, spec: str, error_type: str, message: str) -> None:
    with pytest.raises(bootstrap.InitError) as caught:
        bootstrap.load_handler(spec)
    payload, kind = bootstrap.init_failure(caught.value)
    assert kind == error_type == payload["errorType"]
    assert payload["errorMessage"].startswith(message)


def test_init_failure_of_any_exception() -> None:
    payload, kind = bootstrap.init_failure(KeyError("x"))
    assert (kind, payload["errorType"], payload["errorMessage"]) == ("KeyError", "KeyError", "'x'")


def context() -> bootstrap.LambdaContext:
    return bootstrap.LambdaContext(
        "rid",
        int(time.time() * 1000) + 5000,
        "arn:x",
        {"cognitoIdentityId": "c"},
        {"custom": {"k": 1}},
    )


def test_context() -> None:
    ctx = context()
    assert 4000 < ctx.get_remaining_time_in_millis() <= 5000
    assert ctx.identity.cognito_identity_id == "c"
    assert ctx.client_context is not None
    assert ctx.client_context.custom == {"k": 1}
    assert bootstrap.LambdaContext("r", 0, "a", None, None).get_remaining_time_in_millis() == 0


def test_handle_success_error_and_marshal_error(capsys: pytest.CaptureFixture[str]) -> None:
    path, body, error = bootstrap.handle(lambda e, c: {"got": e}, b'{"x": 1}', context(), "rid")
    assert (path, json.loads(body), error) == ("/invocation/rid/response", {"got": {"x": 1}}, None)

    def boom(event: object, ctx: object) -> None:
        raise ValueError("bad input")

    path, body, error = bootstrap.handle(boom, b"{}", context(), "rid")
    payload = json.loads(body)
    assert (path, error, payload["errorMessage"], payload["requestId"]) == (
        "/invocation/rid/error",
        "ValueError",
        "bad input",
        "rid",
    )
    assert (
        "[ERROR] ValueError: bad input\rTraceback (most recent call last):"
        in capsys.readouterr().out
    )
    _, body, error = bootstrap.handle(lambda e, c: object(), b"{}", context(), "rid")
    assert error == "Runtime.MarshalError"
    assert "Unable to marshal response" in json.loads(body)["errorMessage"]


class FakeRuntimeApi:
    """Serves one invocation, records what comes back, then says the environment is done."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, bytes, str | None]] = []
        self.served = False
        self.server = LeanHTTPServer(0, self.route)
        serve_in_thread(self.server, "fake-runtime-api")

    def route(self, request: Request) -> Response:
        if request.path.endswith("/invocation/next"):
            if self.served:
                return Response(410)
            self.served = True
            deadline = str(int(time.time() * 1000) + 3000)
            headers = [
                ("Lambda-Runtime-Aws-Request-Id", "req-1"),
                ("Lambda-Runtime-Deadline-Ms", deadline),
                ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:1:function:f"),
                ("Lambda-Runtime-Trace-Id", "Root=1-abc"),
            ]
            return Response(200, headers, b'{"n": 2}')
        self.posts.append(
            (request.path, request.body, request.header("lambda-runtime-function-error-type"))
        )
        return Response(202)

    def close(self) -> None:
        self.server.shutdown()
        self.server.close_connections()
        self.server.server_close()


@pytest.fixture
def api() -> Iterator[FakeRuntimeApi]:
    fake = FakeRuntimeApi()
    yield fake
    fake.close()


def test_client_sets_tcp_nodelay(api: FakeRuntimeApi) -> None:
    client = bootstrap.RuntimeClient(f"127.0.0.1:{api.server.port}")
    try:
        connection = client._connection()
        assert connection.sock is not None
        assert connection.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    finally:
        client.close()


def test_serve_loop_answers_through_the_runtime_api(
    api: FakeRuntimeApi, capfd: pytest.CaptureFixture[str]
) -> None:
    client = bootstrap.RuntimeClient(f"127.0.0.1:{api.server.port}")
    bootstrap.serve(
        client, lambda event, ctx: {"double": event["n"] * 2, "arn": ctx.invoked_function_arn}
    )
    assert api.posts == [
        (
            "/2018-06-01/runtime/invocation/req-1/response",
            b'{"double": 4, "arn": "arn:aws:lambda:us-east-1:1:function:f"}',
            None,
        )
    ]
    assert client.conn is None  # closed when the API said the environment is done
    out = capfd.readouterr().out
    assert "\x1eSKYLIFT START req-1" in out
    assert "\x1eSKYLIFT END req-1" in out


def test_client_posts_errors_and_reconnects(api: FakeRuntimeApi) -> None:
    client = bootstrap.RuntimeClient(f"127.0.0.1:{api.server.port}")
    client.post("/init/error", b"{}", "Runtime.ImportModuleError")
    api.server.close_connections()  # the keep-alive connection is gone: the next call reconnects
    api.server.closing = False
    client.post("/invocation/x/error", b"{}", "ValueError")
    client.close()
    assert [(path.rsplit("/", 2)[-2:], kind) for path, _, kind in api.posts] == [
        (["init", "error"], "Runtime.ImportModuleError"),
        (["x", "error"], "ValueError"),
    ]


def test_serve_returns_when_the_api_is_gone() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    bootstrap.serve(bootstrap.RuntimeClient(f"127.0.0.1:{port}"), lambda e, c: None)
