"""The WSGI bridge against PEP 3333: environ, start_response, write(), exc_info, close()."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from skylift.runtime import adapt
from skylift.runtime.http import Request
from skylift.runtime.wsgi import WsgiBridge, build_environ, environ_key
from tests.unit.runtime.conftest import Context, make_event, parse_response


def req(headers: Any = (), **kw: Any) -> Request:
    fields: dict[str, Any] = {
        "method": "GET",
        "path": "/p",
        "query": "a=1",
        "headers": list(headers),
        "body": b"",
        "script_name": "",
        "client": "1.2.3.4",
        "scheme": "https",
        "host": "h",
        "port": "443",
        "user_agent": "",
        "request_id": "r",
        "event": {},
        "context": None,
    }
    fields.update(kw)
    return Request(**fields)


def test_environ_has_every_pep3333_key() -> None:
    environ = build_environ(req([("Content-Type", "text/plain"), ("X-A", "1")], body=b"abc"))
    for key in (
        "REQUEST_METHOD",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "CONTENT_TYPE",
        "CONTENT_LENGTH",
        "SERVER_NAME",
        "SERVER_PORT",
        "SERVER_PROTOCOL",
        "wsgi.version",
        "wsgi.url_scheme",
        "wsgi.input",
        "wsgi.errors",
        "wsgi.multithread",
        "wsgi.multiprocess",
        "wsgi.run_once",
    ):
        assert key in environ, key
    assert environ["CONTENT_LENGTH"] == "3"
    assert environ["wsgi.input"].read() == b"abc"
    assert environ["wsgi.errors"] is sys.stderr
    assert environ["HTTPS"] == "on"
    assert "HTTP_CONTENT_TYPE" not in environ


def test_headers_folded_dropped_and_made_native() -> None:
    environ = build_environ(
        req(
            [
                ("X-Multi", ["a", "b"]),
                ("Cookie", ["a=1", "b=2"]),
                ("X_Spoof", "1"),
                ("Content-Length", "99"),
                ("Transfer-Encoding", "chunked"),
                ("X-Utf", "café"),
                ("", "empty name"),
            ],
            path="/café",
            script_name="/é",
            query="q=é",
        )
    )
    assert environ["HTTP_X_MULTI"] == "a,b"
    assert environ["HTTP_COOKIE"] == "a=1; b=2"
    assert "HTTP_X_SPOOF" not in environ
    assert "HTTP_TRANSFER_ENCODING" not in environ
    assert environ["CONTENT_LENGTH"] == ""
    assert environ["HTTP_X_UTF"] == "café".encode().decode("latin-1")
    assert environ["PATH_INFO"].encode("latin-1").decode() == "/café"
    assert environ["SCRIPT_NAME"].encode("latin-1").decode() == "/é"
    assert environ["QUERY_STRING"].encode("latin-1").decode() == "q=é"


def test_names_differing_in_case_are_merged_not_lost() -> None:
    environ = build_environ(req([("X-A", "1"), ("x-a", "2"), ("Cookie", "a=1"), ("cookie", "b=2")]))
    assert environ["HTTP_X_A"] == "1,2"
    assert environ["HTTP_COOKIE"] == "a=1; b=2"


@pytest.mark.parametrize("value", [7, [7], ["a", 7], {"a": 1}])
def test_non_string_header_values_raise_before_the_app(value: Any) -> None:
    with pytest.raises((TypeError, AttributeError)):
        build_environ(req([("X-A", value)]))


def test_environ_key_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from skylift.runtime import wsgi

    monkeypatch.setattr(wsgi, "_KEYS", {})
    monkeypatch.setattr(wsgi, "_KEYS_MAX", 2)
    for n in range(5):
        assert environ_key(f"X-{n}") == f"HTTP_X_{n}"
    assert len(wsgi._KEYS) == 2


def test_authorizer_principal_becomes_remote_user() -> None:
    event = {"requestContext": {"authorizer": {"principalId": "alice", "role": "admin"}}}
    environ = build_environ(req(event=event, scheme="http"))
    assert environ["REMOTE_USER"] == "alice"
    assert environ["API_GATEWAY_AUTHORIZER"]["role"] == "admin"
    assert "HTTPS" not in environ
    assert "REMOTE_USER" not in build_environ(
        req(event={"requestContext": {"authorizer": {"x": 1}}})
    )


def run(app: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    bridge = WsgiBridge(app)
    r = req()
    return bridge.run(bridge.prepare(r), r)


def test_write_callable_and_iterable_both_count() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        write = start_response("201 Created", [("X-A", "1")])
        write(b"written ")
        return [b"", b"returned"]

    assert run(app) == (201, [("X-A", "1")], b"written returned")


def test_exc_info_replaces_the_response_and_what_was_written() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        write = start_response("200 OK", [])
        write(b"partial")
        try:
            raise ValueError("late")
        except ValueError:
            start_response("500 Oops", [("X-E", "1")], sys.exc_info())
        return [b"error page"]

    assert run(app) == (500, [("X-E", "1")], b"error page")


def test_second_start_response_without_exc_info_is_an_error() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        start_response("200 OK", [])
        return []

    with pytest.raises(RuntimeError, match="second time"):
        run(app)


class Closing:
    def __init__(self, fail: bool) -> None:
        self.closed = False
        self.fail = fail

    def __iter__(self) -> Iterator[bytes]:
        yield b"a"
        if self.fail:
            raise OSError("mid-body")
        yield b"b"

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize("fail", [False, True])
def test_close_is_always_called(fail: bool) -> None:
    result = Closing(fail)

    def app(environ: Any, start_response: Any) -> Closing:
        start_response("200 OK", [])
        return result

    if fail:
        with pytest.raises(OSError, match="mid-body"):
            run(app)
    else:
        assert run(app)[2] == b"ab"
    assert result.closed


@pytest.mark.parametrize(
    ("status", "message"), [(None, "without calling"), ("OK", "invalid status"), (7, "invalid")]
)
def test_bad_app_answers_are_errors(status: Any, message: str) -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        if status is not None:
            start_response(status, [])
        return []

    with pytest.raises(RuntimeError, match=message):
        run(app)


def test_raw_wsgi_app_failure_is_a_500_with_the_request_id(capsys: Any) -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        raise KeyError("missing")

    handled: list[Any] = []
    handler = adapt(app, exception_handler=lambda exc, event, ctx: handled.append(exc))
    answer = handler(make_event("rest", "GET", "/x"), Context("req-42"))
    status, headers, body = parse_response("rest", answer)
    assert status == 500
    assert body == b'{"message":"Internal Server Error","request_id":"req-42"}'
    assert headers["content-type"] == ["application/json"]
    err = capsys.readouterr().err
    assert "[ERROR] req-42 GET /dev/x failed: Traceback" in err
    assert err.count("\n") == 1  # one CloudWatch event
    assert isinstance(handled[0], KeyError)


def test_system_exit_in_the_app_is_contained() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        raise SystemExit(3)

    answer = adapt(app)(make_event("http_v2", "GET", "/"), Context())
    assert answer["statusCode"] == 500


def test_exception_handler_failure_is_logged(capsys: Any) -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        raise ValueError("x")

    def bad_handler(exc: Any, event: Any, ctx: Any) -> None:
        raise TypeError("handler broke")

    answer = adapt(app, exception_handler=bad_handler)(make_event("rest", "GET", "/"), Context())
    assert answer["statusCode"] == 500
    assert "exception_handler failed" in capsys.readouterr().err


def test_bad_headers_from_the_app_are_a_500() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("X-A", "1", "extra")])
        return [b"x"]

    answer = adapt(app)(make_event("http_v2", "GET", "/"), Context())
    assert answer["statusCode"] == 500


def test_lifespan_must_be_a_known_mode_for_wsgi_too() -> None:
    with pytest.raises(ValueError, match="lifespan"):
        adapt(lambda e, s: [], lifespan="sometimes")
