"""The WSGI fast path (fields -> environ -> answer, no Request) against the Request path.

The handler serves a WSGI app straight from a shape's ``fields()``; the neutral Request
path (``to_request`` -> ``build_environ`` -> ``from_response``) is what ASGI apps and
``context_header_mappings`` use. Both must give the app the same environ and the client
the same answer, whatever the event holds; and the caches that make the fast path fast
must stay bounded.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skylift.runtime import accesslog, adapt, wsgi
from skylift.runtime.accesslog import format_access_line, parse_access_line
from skylift.runtime.events import _common, http_source, shape
from skylift.runtime.http import BadRequest, BodyPolicy, encode_body, request_from, status_line
from skylift.runtime.wsgi import EMPTY_INPUT, build_environ, call_app, environ_from
from tests.unit.runtime.conftest import SHAPES, Context, load_event, make_event


def comparable(environ: dict[str, Any]) -> dict[str, Any]:
    """An environ with its input stream replaced by what it holds."""
    out = dict(environ)
    out["wsgi.input"] = environ["wsgi.input"].read()
    return out


def both_environs(event: dict[str, Any], base_path: str = "") -> tuple[Any, Any]:
    source = http_source(event)
    assert source is not None
    context = Context()
    fast = environ_from(source.fields(event, context, base_path))  # type: ignore[arg-type]
    slow = build_environ(source.to_request(event, context, base_path))
    return comparable(fast), comparable(slow)


names = st.sampled_from(
    ["X-A", "x-a", "Cookie", "cookie", "X_Under", "Content-Length", "Content-Type", "Accept"]
)
values = st.text(st.characters(min_codepoint=32, max_codepoint=0x1FF), max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape_name=st.sampled_from(sorted(SHAPES)),
    headers=st.lists(st.tuples(names, values), max_size=6),
    query=st.lists(st.tuples(st.sampled_from(["a", "b", "é"]), values), max_size=3),
    body=st.binary(max_size=8),
    path=st.sampled_from(["/", "/items/42", "/caf%C3%A9", "/a%20b"]),
)
def test_fast_environ_equals_the_request_path_environ(
    shape_name: str, headers: Any, query: Any, body: bytes, path: str
) -> None:
    event = make_event(shape_name, "POST", path, query, headers, body)
    fast, slow = both_environs(event)
    assert fast == slow


@pytest.mark.parametrize("shape_name", sorted(SHAPES))
def test_handler_answers_and_logs_the_same_both_ways(shape_name: str, capsys: Any) -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response(
            "201 Created",
            [("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("X-A", "1"), ("X-A", "2")],
        )
        return [b"made ", environ["PATH_INFO"].encode("latin-1")]

    event = make_event(shape_name, "POST", "/items", [("q", "1")], [("X-A", "é")], b"{}")
    fast = adapt(app)
    slow = adapt(app)
    slow.direct = False  # the Request path, as ASGI apps and context headers take it
    assert fast.direct
    assert fast(event, Context()) == slow(event, Context())
    lines = capsys.readouterr().out.splitlines()
    first, second = (parse_access_line(line) for line in lines)
    assert first is not None
    assert second is not None
    assert {**first, "ms": 0} == {**second, "ms": 0}


def test_the_last_shape_is_tried_first_and_another_still_served(capsys: Any) -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        return [environ["PATH_INFO"].encode()]

    handler = adapt(app)
    rest, v2, url = (make_event(s, "GET", "/x") for s in ("rest", "http_v2", "function_url"))
    for event in (rest, rest, v2, v2, url, rest):
        assert handler(event, Context())["body"] == "/x"
    assert handler.source is shape("apigw_v1")
    broken = make_event("rest", "GET", "/x")
    broken["body"] = 42
    assert handler(broken, Context())["statusCode"] == 400  # the cached shape's own 400
    assert handler({"no": "shape"}, Context())["error"] == "UnrecognizedEvent"
    assert [json.loads(line)["status"] for line in capsys.readouterr().out.splitlines()] == [
        200,
        200,
        200,
        200,
        200,
        200,
        400,
    ]


@pytest.mark.parametrize(
    ("fixture", "name"),
    [
        ("alb_single.json", "apigw_v1"),
        ("apigw_rest.json", "alb"),
        ("apigw_http_v2.json", "alb"),
        ("apigw_http_v2.json", "function_url"),
        ("function_url.json", "apigw_v2"),
        ("apigw_rest.json", "apigw_v2"),
        ("apigw_rest.json", "vpc_lattice"),
        ("authorizer_v2.json", "apigw_v2"),
    ],
)
def test_fields_of_another_shape_are_none(fixture: str, name: str) -> None:
    event = load_event(fixture)
    assert shape(name).fields(event, Context(), "") is None
    with pytest.raises(BadRequest, match="not of this shape"):
        shape(name).to_request(event, Context(), "")


def test_fields_and_matches_agree_on_version_two_without_http() -> None:
    event = load_event("apigw_http_v2.json")
    del event["requestContext"]["http"]
    assert not shape("apigw_v2").matches(event)
    assert shape("apigw_v2").fields(event, Context(), "") is None


def test_rest_request_context_that_is_not_an_object_is_a_bad_request() -> None:
    event = load_event("apigw_rest.json")
    event["requestContext"] = ["x"]
    with pytest.raises(BadRequest):
        shape("apigw_v1").fields(event, Context(), "")


def test_rest_base_path_on_the_execute_api_host_falls_back_to_the_stage() -> None:
    event = make_event("rest", "GET", "/other")
    req = shape("apigw_v1").to_request(event, Context(), "v1")
    assert (req.script_name, req.path) == ("/dev", "/other")


def test_v2_cookies_join_a_cookie_header_already_there() -> None:
    event = make_event("http_v2", "GET", "/", headers=[("Cookie", "a=1")])
    event["headers"]["cookie"] = "z=0"
    fast, slow = both_environs(event)
    assert fast["HTTP_COOKIE"] == slow["HTTP_COOKIE"] == "z=0; a=1"
    event["headers"]["cookie"] = ["y=9", "z=0"]
    fast, slow = both_environs(event)
    assert fast["HTTP_COOKIE"] == slow["HTTP_COOKIE"] == "y=9; z=0; a=1"


@pytest.mark.parametrize("shape_name", ["alb_single", "alb_multi"])
def test_alb_headers_given_as_lists_use_the_last_value(shape_name: str) -> None:
    event = make_event(shape_name, "GET", "/")
    key = "multiValueHeaders" if shape_name == "alb_multi" else "headers"
    event[key]["x-forwarded-proto"] = ["http", "https"]
    event[key]["host"] = ["a.example", "b.example"]
    req = shape("alb").to_request(event, Context(), "")
    assert (req.scheme, req.host) == ("https", "b.example")


def test_encode_query_of_nothing_is_empty() -> None:
    assert _common.encode_query(None, multi=True) == ""


def test_request_from_keeps_header_pairs() -> None:
    pairs = [("X-A", "1")]
    fields = ("GET", "/", "", pairs, b"", "", "", "https", "", "443", "", "r", {}, None, False)
    assert request_from(fields).headers is pairs


def test_response_header_roles_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_common, "ROLES", {})
    monkeypatch.setattr(_common, "_ROLES_MAX", 2)
    roles = [_common.role(n) for n in ("X-A", "CONTENT-TYPE", "Content-Encoding", "SET-COOKIE")]
    assert roles == [_common.OTHER, _common.CONTENT_TYPE, _common.CONTENT_ENCODING, 3]
    assert len(_common.ROLES) <= 2


def test_body_decisions_are_cached_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from skylift.runtime import http

    monkeypatch.setattr(http, "_CACHE_MAX", 1)
    policy = BodyPolicy()
    assert encode_body(policy, 200, "GET", b"x", "text/plain", "") == ("x", False)
    assert encode_body(policy, 200, "GET", b"x", "image/png", "") == ("eA==", True)
    assert policy.decodes == {"image/png": False}
    assert encode_body(policy, 200, "GET", b"x", "text/plain", "gzip") == ("eA==", True)
    assert encode_body(policy, 200, "GET", b"\xff", "text/plain", "") == ("/w==", True)
    assert encode_body(BodyPolicy(False), 200, "GET", b"x", "image/png", "") == ("x", False)
    assert encode_body(policy, 200, "HEAD", b"x", "text/plain", "") == ("", False)


def test_status_lines_are_cached_and_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from skylift.runtime import http

    monkeypatch.setattr(http, "STATUS_LINES", {})
    monkeypatch.setattr(http, "_CACHE_MAX", 1)
    assert [status_line(s) for s in (200, 404, 200, 299)] == ["200 OK", "404 Not Found"] * 1 + [
        "200 OK",
        "299",
    ]
    assert http.STATUS_LINES == {200: "200 OK"}


def test_access_line_heads_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accesslog, "_HEADS_MAX", 2)
    heads = accesslog._Heads()
    monkeypatch.setattr(accesslog, "HEADS", heads)
    for n in range(5):
        line = format_access_line("GET", f"/{n}", 200, 1.5, "ip", 'u"a', "r", 3, "alb")
        assert parse_access_line(line) == {
            "method": "GET",
            "path": f"/{n}",
            "status": 200,
            "ip": "ip",
            "ua": 'u"a',
            "shape": "alb",
            "bytes": 3,
            "ms": 1.5,
            "rid": "r",
        }
    assert len(heads) <= 2


def test_empty_input_is_a_stateless_empty_stream() -> None:
    stream = EMPTY_INPUT
    assert stream.read() == stream.read(5) == stream.readline() == b""
    assert stream.readlines() == []
    assert list(stream) == []
    stream.close()
    assert stream.read() == b""
    with pytest.raises(AttributeError):
        stream.anything = 1  # type: ignore[attr-defined]


def test_every_request_without_a_body_shares_the_empty_input() -> None:
    seen: list[Any] = []

    def app(environ: Any, start_response: Any) -> list[bytes]:
        seen.append(environ["wsgi.input"])
        environ["wsgi.input"].close()
        start_response("200 OK", [])
        return []

    handler = adapt(app)
    handler(make_event("rest", "GET", "/"), Context())
    handler(make_event("rest", "POST", "/", body=b"x"), Context())
    handler(make_event("rest", "GET", "/"), Context())
    assert seen[0] is seen[2] is EMPTY_INPUT
    assert seen[1] is not EMPTY_INPUT


def test_status_codes_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wsgi, "_CODES", {})
    for n in range(300):
        code, _, _ = call_app(lambda e, s, n=n: s(f"{200 + n % 300} X", []) and [], {})
    assert code == 499
    assert len(wsgi._CODES) == 256


def test_falsy_chunks_are_skipped_as_before() -> None:
    def app(environ: Any, start_response: Any) -> list[Any]:
        start_response("200 OK", [])
        return [b"a", "", None, b"b"]

    assert call_app(app, {}) == (200, [], b"ab")


def test_status_given_by_keyword_as_pep_3333_names_it() -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response(status="200 OK", response_headers=[("X", "1")])
        return [b"k"]

    assert call_app(app, {}) == (200, [("X", "1")], b"k")


def test_log_goes_to_the_current_stdout(monkeypatch: pytest.MonkeyPatch) -> None:
    lines: list[str] = []

    class Out:
        def write(self, text: str) -> int:
            lines.append(text)
            return len(text)

    monkeypatch.setattr(sys, "stdout", Out())
    adapt(lambda e, s: s("200 OK", []) or [])(make_event("http_v2", "GET", "/"), Context())
    assert len(lines) == 1
    assert lines[0].startswith(accesslog.PREFIX)


@pytest.mark.parametrize("name", ["apigw_v1", "apigw_v2", "alb"])
def test_a_text_type_body_that_is_not_utf8_goes_as_base64(name: str) -> None:
    source = shape(name)
    event = load_event(
        {"apigw_v1": "apigw_rest.json", "apigw_v2": "apigw_http_v2.json"}.get(
            name, "alb_single.json"
        )
    )
    policy = BodyPolicy()
    headers = [("Content-Type", "text/plain")]
    assert source.answer("GET", event, 200, headers, b"ok", policy)["body"] == "ok"
    answer = source.answer("GET", event, 200, headers, b"\xff", policy)  # type known: fast path
    assert (answer["body"], answer["isBase64Encoded"]) == ("/w==", True)


def test_rest_answer_sees_the_content_encoding() -> None:
    answer = shape("apigw_v1").answer(
        "GET", load_event("apigw_rest.json"), 200, [("Content-Encoding", "br")], b"x", BodyPolicy()
    )
    assert answer["isBase64Encoded"] is True
    assert answer["multiValueHeaders"] == {"Content-Encoding": ["br"]}


@pytest.mark.parametrize("fixture", ["apigw_rest.json", "apigw_http_v2.json", "alb_single.json"])
def test_without_a_lambda_context_the_request_id_comes_from_the_event(fixture: str) -> None:
    event = load_event(fixture)
    source = http_source(event)
    assert source is not None
    fields = source.fields(event, None, "")
    assert fields is not None
    expected = event["requestContext"].get("requestId", "-")
    assert fields[11] == expected


def test_version_two_without_a_request_context_is_not_an_http_api_event() -> None:
    event = load_event("apigw_http_v2.json")
    event["requestContext"] = None
    assert shape("apigw_v2").fields(event, Context(), "") is None


def test_packaged_handler_with_its_app_loaded_still_routes_other_events(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, app_modules: Any, capsys: Any
) -> None:
    from skylift.runtime import handler as runtime_handler
    from skylift.runtime.errors import EventError

    (app_modules / "served.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [])\n"
        "    return [environ['PATH_INFO'].encode()]\n"
        "def boom(event, context):\n"
        "    raise ValueError('retry me')\n"
    )
    arn = "arn:aws:sqs:eu-central-1:210987654321:orders"
    (tmp_path / "skylift_settings.json").write_text(
        json.dumps(
            {
                "app_function": "served.app",
                "events": [{"function": "served.boom", "event_source": {"arn": arn}}],
            }
        )
    )
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    handle = runtime_handler.lambda_handler
    assert handle(make_event("http_v2", "GET", "/a"), Context())["body"] == "/a"
    assert runtime_handler._runtime[0].http is not None  # loaded: HTTP goes straight to it
    assert handle(make_event("rest", "GET", "/b"), Context())["body"] == "/b"
    assert handle(load_event("keep_warm.json"), Context())["warm"] is True
    assert handle(["not", "an", "object"], Context())["error"] == "UnrecognizedEvent"
    sqs = load_event("sqs.json")
    for record in sqs["Records"]:
        record["eventSourceARN"] = arn
    with pytest.raises(ValueError, match="retry me"):  # raised: Lambda retries the batch
        handle(sqs, Context())
    with pytest.raises(EventError):
        handle(load_event("schedule.json"), Context())  # no function for this rule
    assert capsys.readouterr().out.count('{"skylift":"access"') == 2


@pytest.mark.parametrize(
    ("name", "fixture"),
    [
        ("apigw_v1", "apigw_rest.json"),
        ("apigw_v2", "apigw_http_v2.json"),
        ("alb", "alb_single.json"),
        ("alb", "alb_multi.json"),
        ("vpc_lattice", "vpc_lattice_v2.json"),
    ],
)
def test_answers_learn_header_names_they_have_not_seen(
    name: str, fixture: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_common, "ROLES", {})
    for module in ("apigw_v1", "apigw_v2", "alb"):
        monkeypatch.setattr(shape(module), "ROLES", _common.ROLES, raising=False)
    headers = [("CONTENT-TYPE", "text/plain"), ("X-New", "1"), ("Content-Encoding", "identity")]
    answer = shape(name).answer("GET", load_event(fixture), 200, headers, b"ok", BodyPolicy())
    assert (answer["body"], answer["isBase64Encoded"]) == ("ok", False)
    assert _common.ROLES["CONTENT-TYPE"] == _common.CONTENT_TYPE


def test_lattice_event_without_headers() -> None:
    event = load_event("vpc_lattice_v1.json")
    event["headers"] = None
    req = shape("vpc_lattice").to_request(event, Context(), "")
    assert list(req.headers) == []
