"""The ASGI bridge: scope per spec, lifespan once, one loop, spawned tasks finished."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from skylift.runtime import adapt
from skylift.runtime.asgi import AsgiBridge, LifespanError, _raw_path
from tests.unit.runtime.apps import starlette_app
from tests.unit.runtime.conftest import Context, make_event, parse_response


@pytest.fixture
def handlers() -> Iterator[list[Any]]:
    """Handlers built by a test; their loops are shut down after it."""
    made: list[Any] = []
    yield made
    for handler in made:
        handler.shutdown()


def make(handlers: list[Any], app: Any, **kwargs: Any) -> Any:
    handler = adapt(app, **kwargs)
    handlers.append(handler)
    return handler


def scope_app(seen: list[dict[str, Any]]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            raise RuntimeError("no lifespan here")
        seen.append({**scope, "message": await receive()})
        await send({"type": "http.response.start", "status": 200, "headers": [(b"x-a", b"1")]})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


def test_http_scope_follows_the_spec(handlers: list[Any]) -> None:
    seen: list[dict[str, Any]] = []
    handler = make(handlers, scope_app(seen))
    event = make_event(
        "rest",
        "POST",
        "/caf%C3%A9",
        query=[("q", "1")],
        headers=[("X-Multi", "a"), ("X-Multi", "b"), ("Transfer-Encoding", "chunked")],
        body=b"payload",
    )
    answer = handler(event, Context())
    assert parse_response("rest", answer)[0] == 200
    scope = seen[0]
    assert scope["type"] == "http"
    assert scope["asgi"]["version"] == "3.0"
    assert (scope["method"], scope["scheme"], scope["http_version"]) == ("POST", "https", "1.1")
    assert scope["root_path"] == "/dev"
    assert scope["path"] == "/dev/café"  # the full path; root_path is its prefix
    assert scope["raw_path"] == b"/dev/caf%C3%A9"
    assert scope["query_string"] == b"q=1"
    assert [v for k, v in scope["headers"] if k == b"x-multi"] == [b"a", b"b"]
    assert all(k == k.lower() for k, _ in scope["headers"])
    assert b"transfer-encoding" not in dict(scope["headers"])
    assert scope["client"] == ("198.51.100.23", 0)
    assert scope["server"] == ("r4nd0m1d.execute-api.eu-central-1.amazonaws.com", 443)
    assert scope["lambda.event"] is event
    assert isinstance(scope["lambda.context"], Context)
    assert "state" not in scope  # the app has no lifespan
    assert scope["message"] == {"type": "http.request", "body": b"payload", "more_body": False}


def test_raw_path_is_percent_encoded() -> None:
    assert _raw_path("/a b?#%") == b"/a%20b%3F%23%25"
    assert _raw_path("/plain") == b"/plain"


def test_non_string_header_values_are_bad_requests(handlers: list[Any]) -> None:
    handler = make(handlers, scope_app([]))
    event = make_event("alb_multi", "GET", "/")
    event["multiValueHeaders"]["x-a"] = [1, 2]
    assert handler(event, Context())["statusCode"] == 400
    event["multiValueHeaders"]["x-a"] = 3
    assert handler(event, Context())["statusCode"] == 400


def test_lifespan_runs_once_and_its_state_reaches_every_request(handlers: list[Any]) -> None:
    starlette_app.EVENTS.clear()
    handler = make(handlers, starlette_app.app)
    for _ in range(3):
        status, _, body = parse_response(
            "http_v2", handler(make_event("http_v2", "GET", "/state"), Context())
        )
        assert (status, json.loads(body)) == (200, {"started": "yes", "lambda": True})
    assert starlette_app.EVENTS == ["startup"]
    loop = handler.bridge.loop
    handler(make_event("http_v2", "GET", "/state"), Context())
    assert handler.bridge.loop is loop  # one loop per environment
    handler.shutdown()
    assert starlette_app.EVENTS == ["startup", "shutdown"]
    handler.shutdown()  # idempotent


def test_background_tasks_finish_before_the_answer(handlers: list[Any]) -> None:
    starlette_app.EVENTS.clear()
    handler = make(handlers, starlette_app.app, lifespan="off")
    answer = handler(make_event("http_v2", "GET", "/background"), Context())
    assert answer["body"] == "queued"
    assert starlette_app.EVENTS == ["background ran"]  # no lifespan: no startup either


def test_tasks_spawned_by_a_request_are_awaited(handlers: list[Any], capsys: Any) -> None:
    done: list[str] = []

    async def later(name: str, fail: bool) -> None:
        await asyncio.sleep(0.01)
        done.append(name)
        if fail:
            raise ValueError("spawned task failed")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            return
        asyncio.get_running_loop().create_task(later("ok", False))
        asyncio.get_running_loop().create_task(later("bad", True))
        await send({"type": "http.response.start", "status": 202})
        await send({"type": "http.response.body", "body": b""})

    handler = make(handlers, app)
    answer = handler(make_event("rest", "GET", "/"), Context())
    assert answer["statusCode"] == 202
    assert sorted(done) == ["bad", "ok"]
    assert "spawned task failed" in capsys.readouterr().err


def test_a_task_outliving_the_invocation_is_left_for_the_next(
    handlers: list[Any], capsys: Any
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        asyncio.get_running_loop().create_task(asyncio.sleep(5))
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"x"})

    handler = make(handlers, app, lifespan="off")
    answer = handler(make_event("rest", "GET", "/"), Context(remaining_ms=1000))
    assert answer["statusCode"] == 200
    assert "still running" in capsys.readouterr().err


def test_receive_after_the_body_waits_for_the_response_then_disconnects(
    handlers: list[Any],
) -> None:
    messages: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        messages.append(await receive())

        async def watch() -> None:
            messages.append(await receive())

        watcher = asyncio.get_running_loop().create_task(watch())
        await asyncio.sleep(0)
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"a", "more_body": True})
        await send({"type": "http.response.body", "body": b"b"})
        await watcher
        messages.append(await receive())

    handler = make(handlers, app, lifespan="off")
    answer = handler(make_event("http_v2", "GET", "/"), Context())
    assert answer["body"] == "ab"
    assert [m["type"] for m in messages] == ["http.request", "http.disconnect", "http.disconnect"]


@pytest.mark.parametrize(
    ("messages", "error"),
    [
        ([{"type": "http.response.body", "body": b"x"}], "before http.response.start"),
        (
            [{"type": "http.response.start", "status": 200}] * 2,
            "sent twice",
        ),
        ([{"type": "http.response.start", "status": "200"}], "invalid status"),
        ([{"type": "websocket.send"}], "unexpected ASGI message"),
        ([], "without sending"),
    ],
)
def test_protocol_errors_are_500s(
    handlers: list[Any], capsys: Any, messages: list[Any], error: str
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        for message in messages:
            await send(message)

    handler = make(handlers, app, lifespan="off")
    assert handler(make_event("rest", "GET", "/"), Context())["statusCode"] == 500
    assert error in capsys.readouterr().err


def test_body_after_completion_is_an_error_logged_after_the_response(
    handlers: list[Any], capsys: Any
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"done"})
        await send({"type": "http.response.body", "body": b"more"})

    handler = make(handlers, app, lifespan="off")
    assert handler(make_event("rest", "GET", "/"), Context())["body"] == "done"
    assert "after the response was complete" in capsys.readouterr().err


class Asgi2App:
    def __init__(self, scope: Any) -> None:
        self.scope = scope

    async def __call__(self, receive: Any, send: Any) -> None:
        if self.scope["type"] == "lifespan":
            raise RuntimeError("unsupported")
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"asgi2"})


def test_asgi2_apps_are_detected_and_served(handlers: list[Any]) -> None:
    handler = make(handlers, Asgi2App)
    assert handler.kind == "asgi"
    assert handler(make_event("rest", "GET", "/"), Context())["body"] == "asgi2"


def lifespan_app(on_startup: str, on_shutdown: str = "complete") -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    if on_startup == "raise":
                        raise RuntimeError("startup raised")
                    if on_startup == "return":
                        return
                    await send({"type": f"lifespan.startup.{on_startup}", "message": "db down"})
                else:
                    if on_shutdown == "raise":
                        raise RuntimeError("shutdown raised")
                    if on_shutdown == "hang":
                        await asyncio.sleep(10)
                    await send({"type": f"lifespan.shutdown.{on_shutdown}", "message": "bye"})
                    return
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"served"})

    return app


@pytest.mark.parametrize(
    ("lifespan", "on_startup", "served"),
    [
        ("auto", "complete", True),
        ("auto", "raise", True),  # auto: an app rejecting lifespan has none
        ("auto", "return", True),
        ("auto", "failed", False),  # an app saying startup failed cannot serve
        ("on", "raise", False),
        ("on", "return", False),
        ("on", "failed", False),
        ("off", "failed", True),
    ],
)
def test_lifespan_modes(
    handlers: list[Any], capsys: Any, lifespan: str, on_startup: str, served: bool
) -> None:
    handler = make(handlers, lifespan_app(on_startup), lifespan=lifespan)
    answer = handler(make_event("rest", "GET", "/"), Context())
    if served:
        assert answer["body"] == "served"
    else:
        assert answer["statusCode"] == 500
        assert "LifespanError" in capsys.readouterr().err
        assert not handler.bridge.started  # tried again on the next request


@pytest.mark.parametrize("on_shutdown", ["failed", "raise", "hang"])
def test_shutdown_problems_are_logged(capsys: Any, on_shutdown: str) -> None:
    bridge = AsgiBridge(lifespan_app("complete", on_shutdown), "on")
    bridge.start()
    bridge.shutdown(timeout=0.05)
    assert "lifespan shutdown" in capsys.readouterr().err
    assert bridge.loop is None


def test_shutdown_before_any_request_is_a_no_op() -> None:
    bridge = AsgiBridge(lifespan_app("complete"), "auto")
    bridge.shutdown()
    bridge.start()
    bridge.loop.close()  # type: ignore[union-attr]
    bridge.shutdown()  # a closed loop: nothing left to do


def test_unknown_lifespan_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="lifespan"):
        AsgiBridge(lifespan_app("complete"), "always")


def test_lifespan_error_type() -> None:
    assert issubclass(LifespanError, Exception)


def test_unknown_lifespan_messages_are_ignored(handlers: list[Any]) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            await send({"type": "lifespan.custom"})
            await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.startup.complete"})  # twice: ignored
            await receive()
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body"})

    handler = make(handlers, app, lifespan="on")
    assert handler(make_event("rest", "GET", "/"), Context())["statusCode"] == 204


def test_failures_after_the_response_are_logged_with_the_request_id(
    handlers: list[Any], capsys: Any
) -> None:
    # Starlette answers its own 500 and raises again; a spawned task may fail too. The
    # request id of the access line must find the traceback, as for skylift's own 500s.
    async def failing_task() -> None:
        raise KeyError("task lost")

    async def app(scope: Any, receive: Any, send: Any) -> None:
        asyncio.get_running_loop().create_task(failing_task())
        await send({"type": "http.response.start", "status": 500})
        await send({"type": "http.response.body", "body": b"Internal Server Error"})
        raise ValueError("bad basket")

    handler = make(handlers, app, lifespan="off")
    answer = handler(make_event("rest", "GET", "/boom"), Context(request_id="rid-42"))
    assert (answer["statusCode"], answer["body"]) == (500, "Internal Server Error")
    lines = [line for line in capsys.readouterr().err.split("\n") if line.startswith("[ERROR]")]
    assert [line.split(": ", 1)[0] for line in lines] == [
        "[ERROR] rid-42 GET /dev/boom failed after its response"
    ] * 2
    assert "ValueError: bad basket" in lines[0]
    assert "KeyError: 'task lost'" in lines[1]
