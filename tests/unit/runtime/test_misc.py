"""Access log, body policy, helpers, adapt()'s non-HTTP answers, eager init; property tests."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skylift.runtime import adapt
from skylift.runtime import handler as runtime_handler
from skylift.runtime.accesslog import PREFIX, format_access_line, parse_access_line
from skylift.runtime.errors import EventError
from skylift.runtime.events import command, function_url, records
from skylift.runtime.http import BodyPolicy, Request, decode_body, reason_phrase
from skylift.runtime.loader import app_kind, call_with_event
from tests.unit.runtime.conftest import SHAPES, Context, load_event, make_event


def hello(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hi"]


def test_access_line_is_one_json_line_with_a_fixed_prefix(capsys: Any) -> None:
    adapt(hello)(make_event("rest", "GET", "/caf%C3%A9"), Context("rid-1"))
    line = capsys.readouterr().out
    assert line.startswith(PREFIX)
    assert line.count("\n") == 1
    fields = parse_access_line("2026-05-21T10:00:00Z\t" + line)
    assert fields is not None
    assert fields["method"] == "GET"
    assert fields["path"] == "/dev/café"
    assert (fields["status"], fields["ip"], fields["rid"], fields["bytes"]) == (
        200,
        "198.51.100.23",
        "rid-1",
        2,
    )
    assert fields["ua"] == "curl/8.5.0"
    assert fields["shape"] == "apigw_v1"
    assert isinstance(fields["ms"], float)


@pytest.mark.parametrize(
    "line",
    [
        "START RequestId: abc Version: 7",
        PREFIX + "not json",
        PREFIX + '"method":"GET"}',
        '{"skylift":"other","x":1}',
        PREFIX.replace("access", "acc") + "}",
    ],
)
def test_other_lines_are_not_access_lines(line: str) -> None:
    assert parse_access_line(line) is None


def test_integer_milliseconds_parse_as_float() -> None:
    line = format_access_line("GET", "/", 200, 1.0, "", "", "r", 0, "alb").replace(
        '"ms":1.000', '"ms":1'
    )
    assert parse_access_line(line)["ms"] == 1.0  # type: ignore[index]


@given(
    method=st.text(max_size=10),
    path=st.text(max_size=40),
    status=st.integers(100, 599),
    ms=st.floats(0, 1e6),
    ip=st.text(max_size=20),
    ua=st.text(max_size=60),
    rid=st.text(max_size=40),
    size=st.integers(0, 10**9),
)
def test_access_line_round_trips(
    method: str, path: str, status: int, ms: float, ip: str, ua: str, rid: str, size: int
) -> None:
    line = format_access_line(method, path, status, ms, ip, ua, rid, size, "apigw_v2")
    assert line.isascii()
    assert "\n" not in line[:-1]
    fields = parse_access_line(line)
    assert fields is not None
    assert (fields["method"], fields["path"], fields["ip"], fields["ua"], fields["rid"]) == (
        method,
        path,
        ip,
        ua,
        rid,
    )
    assert (fields["status"], fields["bytes"]) == (status, size)
    assert abs(fields["ms"] - ms) <= 0.001


@pytest.mark.parametrize(
    ("content_type", "encoding", "binary"),
    [
        ("text/html; charset=utf-8", "", False),
        ("application/json", "", False),
        ("application/problem+json", "", False),
        ("application/atom+xml", "", False),
        ("application/octet-stream; charset=utf-8", "", False),
        ("image/png", "", True),
        ("text/plain", "gzip", True),
        ("text/plain", "identity", False),
        ("application/x-custom", "", False),
        ("", "", False),
    ],
)
def test_body_policy(content_type: str, encoding: str, binary: bool) -> None:
    policy = BodyPolicy(True, ("application/x-custom", " "))
    assert policy.encode(b"data", content_type, encoding)[1] is binary
    assert BodyPolicy(False).encode(b"data", content_type, encoding) == ("data", False)


def test_undecodable_bodies_are_base64_whatever_the_setting() -> None:
    assert BodyPolicy(False).encode(b"\xff", "text/plain", "") == ("/w==", True)
    assert BodyPolicy(True).encode(b"", "image/png", "") == ("", False)


def test_small_http_helpers() -> None:
    assert decode_body("", True) == b""
    assert reason_phrase(404) == "Not Found"
    assert reason_phrase(799) == ""
    req = Request("GET", "/x", "", [], b"", "/dev", "", "https", "", "443", "", "r", {}, None)
    assert repr(req) == "<Request GET /dev/x>"


def test_record_helpers() -> None:
    assert records.source({"Sns": {}}) == records.SNS
    assert records.source({"s3": {}}) == records.S3
    assert records.source({"eventSource": "aws:mq"}) == ""
    assert (
        records.source_arn({"eventSource": "aws:s3", "s3": {"bucket": {"name": "b"}}})
        == "arn:aws:s3:::b"
    )
    assert records.source_arn({"eventSource": "aws:s3", "s3": {"bucket": {}}}) == ""
    assert records.source_arn({"eventSource": "aws:s3", "s3": "x"}) == ""
    assert records.source_arn({"Sns": "x"}) == ""
    assert records.item_identifier({"eventSource": "aws:dynamodb", "dynamodb": "x"}) is None
    assert records.item_identifier({"eventSource": "aws:s3"}) is None
    assert records.sns_message({"Sns": {"Message": "{bad json"}}) is None
    assert records.sns_message({"Sns": {"Message": "plain"}}) is None
    assert records.s3_configuration_function({"s3": "x"}) == ""
    assert not records.matches({"Records": [1]})


def test_command_helpers() -> None:
    assert command.command_args("migrate --fake 'a b'") == ["migrate", "--fake", "a b"]
    assert command.command_args(["check"]) == ["check"]
    for bad in ("", "   ", [], [1], 3):
        with pytest.raises(ValueError, match="management command"):
            command.command_args(bad)
    assert command.kind({"skylift_invoke": ""}) is None


def test_function_url_shape_needs_its_domain() -> None:
    event = load_event("function_url.json")
    assert function_url.matches(event)
    assert not function_url.matches({**event, "version": "1.0"})
    assert not function_url.matches({**event, "requestContext": {"domainName": "x.lambda-url.y"}})


def test_import_function_failures_are_clear() -> None:
    from skylift.runtime.errors import FunctionNotFound
    from skylift.runtime.loader import import_function

    for path in ("nodots", ".x", "no_such_module_xyz.f", "json.no_such_attr", 5, "a..b"):
        with pytest.raises(FunctionNotFound):
            import_function(path)  # type: ignore[arg-type]


def test_a_module_importing_something_missing_keeps_its_error(app_modules: Path) -> None:
    from skylift.runtime.loader import import_function

    (app_modules / "needs_missing.py").write_text("import no_such_dependency_xyz\n")
    with pytest.raises(ModuleNotFoundError, match="no_such_dependency_xyz"):
        import_function("needs_missing.f")


def test_call_with_event_signatures() -> None:
    assert call_with_event(lambda event, context: (event, context), 1, 2) == (1, 2)
    assert call_with_event(lambda event, context=None, *, k=0: event, 1, 2) == 1
    assert call_with_event(max, 1, 2) == 2  # signature unknown: both args

    def keyword_only(*, event: Any = None) -> str:
        return "called"

    assert call_with_event(keyword_only, 1, 2) == "called"


def test_app_kind_detection() -> None:
    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        pass

    class Marked:
        def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
            pass

    Marked.__call__._is_coroutine_marker = object()  # type: ignore[attr-defined]

    class Plain:
        pass

    assert app_kind(hello) == ("wsgi", 0)
    assert app_kind(asgi) == ("asgi", 3)
    assert app_kind(Marked()) == ("asgi", 3)
    assert app_kind(Plain) == ("wsgi", 0)
    assert app_kind(asgi, "wsgi") == ("wsgi", 0)
    assert app_kind(hello, "asgi") == ("asgi", 3)


def test_adapt_answers_non_http_events(capsys: Any) -> None:
    handler = adapt(hello)
    assert handler(load_event("keep_warm.json"), Context()) == {
        "skylift": "keep-warm",
        "warm": True,
    }
    answer = handler(load_event("sqs.json"), Context())
    assert answer["error"] == "UnrecognizedEvent"
    assert "Records" in answer["message"]
    assert handler(["not", "an", "object"], Context())["error"] == "UnrecognizedEvent"
    assert "a list event" in capsys.readouterr().err


@pytest.mark.parametrize("shape", SHAPES)
def test_malformed_http_event_is_a_400_in_its_own_shape(shape: str, capsys: Any) -> None:
    event = make_event(shape, "GET", "/")
    key = "body"
    event[key] = 42  # not a string
    answer = adapt(hello)(event, Context("rid-400"))
    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["request_id"] == "rid-400"
    out = capsys.readouterr()
    assert "malformed" in out.err
    assert parse_access_line(out.out)["status"] == 400  # type: ignore[index]


def test_eager_init_inside_lambda(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_modules: Path, capsys: Any
) -> None:
    (app_modules / "eager_app.py").write_text(
        "def app(environ, start_response):\n    start_response('200 OK', [])\n    return [b'eager']\n"
    )
    (tmp_path / "skylift_settings.json").write_text(json.dumps({"app_function": "eager_app.app"}))
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    monkeypatch.setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
    monkeypatch.delenv("SKYLIFT_LAZY_INIT", raising=False)
    try:
        module = importlib.reload(runtime_handler)
        assert module._runtime[0].http is not None
        assert module.lambda_handler(make_event("rest", "GET", "/"), Context())["body"] == "eager"
        # A failed load at init is logged there, once; requests then log their own.
        (app_modules / "eager_app.py").write_text("raise ImportError('gone')\n")
        module._runtime.clear()
        for name in [m for m in sys.modules if m == "eager_app"]:
            del sys.modules[name]
        capsys.readouterr()
        module._init_inside_lambda()
        assert capsys.readouterr().err.count("[ERROR] init the app could not be loaded") == 1
        assert module.lambda_handler(make_event("rest", "GET", "/"), Context())["statusCode"] == 500
        assert "[ERROR] init" not in capsys.readouterr().err
        monkeypatch.setenv("SKYLIFT_SLIM_ARCHIVE", "bad-url")
        module._runtime.clear()
        module._init_inside_lambda()
        assert module._runtime == []
    finally:
        monkeypatch.delenv("AWS_LAMBDA_RUNTIME_API")
        importlib.reload(runtime_handler)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
# Objects shaped like events: the keys the runtime looks at, with any JSON values.
EVENT_KEYS = [
    "httpMethod", "path", "headers", "multiValueHeaders", "queryStringParameters",
    "multiValueQueryStringParameters", "requestContext", "body", "isBase64Encoded", "version",
    "rawPath", "rawQueryString", "cookies", "method", "raw_path", "Records", "detail-type",
    "source", "resources", "type", "methodArn", "routeArn", "triggerSource", "userPoolId",
    "skylift_invoke", "skylift_command", "skylift_raw", "command", "manage",
]  # fmt: skip
events = st.dictionaries(st.sampled_from(EVENT_KEYS) | st.text(max_size=8), json_values, max_size=8)
SHAPE_EVENTS = [
    load_event(f)
    for f in ("apigw_rest.json", "apigw_http_v2.json", "alb_multi.json", "vpc_lattice_v2.json")
]


def mutated(base: dict[str, Any]) -> Any:
    return st.dictionaries(st.sampled_from(sorted(base)), json_values, max_size=3).map(
        lambda changes: {**base, **changes}
    )


any_event = events | st.one_of(*(mutated(e) for e in SHAPE_EVENTS))


def well_formed(answer: Any) -> bool:
    if not isinstance(answer, dict):
        return False
    if "statusCode" in answer:
        return isinstance(answer["statusCode"], int) and isinstance(answer["body"], str)
    return "error" in answer or "skylift" in answer


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=any_event)
def test_adapt_never_raises_on_any_json_object(event: dict[str, Any]) -> None:
    answer = adapt(hello)(event, Context())
    assert well_formed(answer), answer


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(event=any_event)
def test_lambda_handler_answers_or_fails_clearly(
    event: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "skylift_settings.json").write_text(
        json.dumps({"app_function": "tests.unit.runtime.test_misc.hello"})
    )
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    try:
        answer = runtime_handler.lambda_handler(event, Context())
    except EventError:
        return  # a deliberate, explained failure (unroutable records, authorizer denial)
    assert answer is None or isinstance(answer, (dict, list)) or not isinstance(answer, Exception)
    if isinstance(answer, dict) and "statusCode" in answer:
        assert well_formed(answer)
