"""Fixtures for the runtime tests: events of every shape, built from the fixture documents.

``make_event(shape, ...)`` turns one request (method, percent-encoded path, decoded query
pairs, header pairs, body bytes) into the event each service would send, starting from
the documented sample in tests/fixtures/events and encoding each part the way that
service does. ``parse_response(shape, answer)`` reads any shape's answer back into
(status, {lowercase header: [values]}, body bytes).
"""

from __future__ import annotations

import base64
import copy
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "events"

# Every HTTP shape, and the fixture it starts from.
SHAPES: dict[str, str] = {
    "rest": "apigw_rest.json",
    "http_v1": "apigw_http_v1.json",
    "http_v2": "apigw_http_v2.json",
    "function_url": "function_url.json",
    "alb_single": "alb_single.json",
    "alb_multi": "alb_multi.json",
    "lattice_v1": "vpc_lattice_v1.json",
    "lattice_v2": "vpc_lattice_v2.json",
}
# The address each shape reports as the client's (never a spoofable first XFF entry).
CLIENT_IP = "198.51.100.23"
PROXY_IP = "10.0.0.1"


def load_event(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


class Context:
    """The Lambda context object's documented attributes."""

    function_name = "shop-dev"
    function_version = "7"
    invoked_function_arn = "arn:aws:lambda:eu-central-1:210987654321:function:shop-dev:dev"
    memory_limit_in_mb = 512
    aws_request_id = "req-0001"
    log_group_name = "/aws/lambda/shop-dev"
    log_stream_name = "2026/05/21/[7]0123456789abcdef"

    def __init__(self, request_id: str = "req-0001", remaining_ms: int = 30_000) -> None:
        self.aws_request_id = request_id
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def _body_fields(body: bytes) -> tuple[str, bool]:
    try:
        return body.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(body).decode(), True


def make_event(
    shape: str,
    method: str = "GET",
    path: str = "/",
    query: list[tuple[str, str]] | None = None,
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
    *,
    stage: str | None = None,
    domain: str | None = None,
    force_base64: bool = False,
) -> dict[str, Any]:
    """The event ``shape`` sends for one request.

    ``path`` is the path the client sent (percent-encoded, without any stage);
    ``query`` holds decoded (key, value) pairs, repeats allowed; ``headers`` holds
    (name, value) pairs as the client sent them, repeats allowed; a client address
    CLIENT_IP reaches the service through a proxy.
    """
    event = copy.deepcopy(load_event(SHAPES[shape]))
    query = query or []
    headers = list(headers or [])
    text, is_b64 = _body_fields(body)
    if force_base64 and body:
        text, is_b64 = base64.b64encode(body).decode(), True
    builder = {
        "rest": _rest,
        "http_v1": _http_v1,
        "http_v2": _http_v2,
        "function_url": _function_url,
        "alb_single": _alb,
        "alb_multi": _alb,
        "lattice_v1": _lattice_v1,
        "lattice_v2": _lattice_v2,
    }[shape]
    builder(event, method, path, query, headers, text, is_b64, stage, domain)
    return event


def _grouped(pairs: list[tuple[str, str]], lower: bool = False) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in pairs:
        out.setdefault(name.lower() if lower else name, []).append(value)
    return out


def _rest(event, method, path, query, headers, text, is_b64, stage, domain) -> None:  # type: ignore[no-untyped-def]
    host = domain or event["requestContext"]["domainName"]
    headers = [("Host", host), ("User-Agent", "curl/8.5.0"), *headers]
    headers.append(("X-Forwarded-For", f"6.6.6.6, {CLIENT_IP}, {PROXY_IP}"))
    multi = _grouped(headers)
    event.update(
        httpMethod=method,
        path=path,
        headers={k: v[-1] for k, v in multi.items()},
        multiValueHeaders=multi,
        queryStringParameters={k: v[-1] for k, v in _grouped(query).items()} or None,
        multiValueQueryStringParameters=_grouped(query) or None,
        body=text or None,
        isBase64Encoded=is_b64,
    )
    rc = event["requestContext"]
    rc.update(httpMethod=method, domainName=host)
    rc["identity"]["sourceIp"] = CLIENT_IP
    if stage is not None:
        rc["stage"] = stage
    rc["path"] = f"/{rc['stage']}{path}"


def _http_v1(event, method, path, query, headers, text, is_b64, stage, domain) -> None:  # type: ignore[no-untyped-def]
    _rest(event, method, path, query, headers, text, is_b64, stage, domain)
    event["version"] = "1.0"
    stage = event["requestContext"]["stage"]
    decoded = unquote(path)  # HTTP APIs decode the path, and keep a named stage in it
    if stage != "$default" and not domain:
        decoded = f"/{stage}{decoded}"
    event["path"] = decoded


def _http_v2(event, method, path, query, headers, text, is_b64, stage, domain) -> None:  # type: ignore[no-untyped-def]
    rc = event["requestContext"]
    if stage is not None:
        rc["stage"] = stage
    host = domain or rc["domainName"]
    headers = [("host", host), ("user-agent", "curl/8.5.0"), *headers]
    headers.append(("x-forwarded-for", f"6.6.6.6, {CLIENT_IP}"))
    cookies = [v for k, v in headers if k.lower() == "cookie"]
    merged = {k: ",".join(v) for k, v in _grouped(headers, lower=True).items() if k != "cookie"}
    raw_path = unquote(path)  # HTTP APIs decode rawPath and keep a named stage in it
    if rc["stage"] != "$default" and not domain:
        raw_path = f"/{rc['stage']}{raw_path}"
    event.update(
        rawPath=raw_path,
        rawQueryString=urlencode(query),
        headers=merged,
        queryStringParameters={k: ",".join(v) for k, v in _grouped(query).items()} or None,
        body=text or None,
        isBase64Encoded=is_b64,
    )
    if cookies:
        event["cookies"] = [c.strip() for v in cookies for c in v.split(";")]
    else:
        event.pop("cookies", None)
    rc["domainName"] = host
    rc["http"].update(method=method, path=raw_path, sourceIp=CLIENT_IP)


def _function_url(event, method, path, query, headers, text, is_b64, stage, domain) -> None:  # type: ignore[no-untyped-def]
    _http_v2(event, method, path, query, headers, text, is_b64, None, None)
    event["rawPath"] = path  # Function URLs keep the path percent-encoded
    event["requestContext"]["http"]["path"] = path


def _alb(event, method, path, query, headers, text, is_b64, stage, domain) -> None:  # type: ignore[no-untyped-def]
    headers = [("host", "skylift-alb.elb.amazonaws.com"), ("user-agent", "curl/8.5.0"), *headers]
    headers.append(("x-forwarded-for", f"6.6.6.6, {CLIENT_IP}"))
    headers.append(("x-forwarded-proto", "https"))
    grouped = _grouped(headers, lower=True)
    raw_query = _grouped([(quote(k, safe=""), quote(v, safe="")) for k, v in query])
    event.update(httpMethod=method, path=path, body=text, isBase64Encoded=is_b64)
    if "multiValueHeaders" in event:
        event["multiValueHeaders"] = grouped
        event["multiValueQueryStringParameters"] = raw_query
    else:
        event["headers"] = {k: v[-1] for k, v in grouped.items()}
        event["queryStringParameters"] = {k: v[-1] for k, v in raw_query.items()}


def _lattice_v1(event, method, path, query, headers, text, is_b64, stage, domain) -> None:  # type: ignore[no-untyped-def]
    headers = [("host", "orders.vpc-lattice-svcs.us-east-2.on.aws"), *headers]
    headers.append(("x-forwarded-for", f"6.6.6.6, {CLIENT_IP}"))
    headers.append(("user-agent", "curl/8.5.0"))
    grouped = _grouped(headers, lower=True)
    event.update(
        raw_path=path,
        method=method,
        headers={k: ",".join(v) for k, v in grouped.items()},
        query_string_parameters={k: v[-1] for k, v in _grouped(query).items()},
        body=text,
        is_base64_encoded=is_b64,
    )


def _lattice_v2(event, method, path, query, headers, text, is_b64, stage, domain) -> None:  # type: ignore[no-untyped-def]
    headers = [("host", "orders.vpc-lattice-svcs.us-east-2.on.aws"), *headers]
    headers.append(("x-forwarded-for", f"6.6.6.6, {CLIENT_IP}"))
    headers.append(("user-agent", "curl/8.5.0"))
    event.update(
        path=path,
        method=method,
        headers=_grouped(headers, lower=True),
        queryStringParameters=_grouped(query),
        body=text,
        isBase64Encoded=is_b64,
    )


def parse_response(shape: str, answer: dict[str, Any]) -> tuple[int, dict[str, list[str]], bytes]:
    """(status, {lowercase name: [values]}, body) from any shape's answer, checking its form."""
    assert isinstance(answer["statusCode"], int)
    assert isinstance(answer["body"], str)
    assert isinstance(answer["isBase64Encoded"], bool)
    headers: dict[str, list[str]] = {}
    if "multiValueHeaders" in answer:
        assert shape in ("rest", "http_v1", "alb_multi")
        for name, values in answer["multiValueHeaders"].items():
            assert all(isinstance(v, str) for v in values)
            headers.setdefault(name.lower(), []).extend(values)
    else:
        assert shape not in ("rest", "http_v1", "alb_multi")
        for name, value in answer["headers"].items():
            values = value if isinstance(value, list) else [value]
            assert shape.startswith("lattice") or isinstance(value, str)
            headers.setdefault(name.lower(), []).extend(values)
    if shape in ("http_v2", "function_url"):
        assert "set-cookie" not in headers
        if answer["cookies"]:
            headers["set-cookie"] = list(answer["cookies"])
    if shape.startswith(("alb", "lattice")):
        assert answer["statusDescription"].startswith(str(answer["statusCode"]))
    body = answer["body"]
    raw = base64.b64decode(body) if answer["isBase64Encoded"] else body.encode("utf-8")
    return answer["statusCode"], headers, raw


@pytest.fixture
def context() -> Context:
    return Context()


@pytest.fixture(autouse=True)
def _fresh_runtime_state() -> Iterator[None]:
    """The runtime keeps per-environment state in module globals: reset it around each test."""
    from skylift.runtime import handler
    from skylift.runtime.events import _last

    yield
    handler._runtime.clear()
    _last.clear()


@pytest.fixture
def app_modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A directory on sys.path for apps and functions written by a test; modules unloaded after."""
    before = set(sys.modules)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in set(sys.modules) - before:
        module = sys.modules.get(name)
        if module is not None and str(getattr(module, "__file__", "") or "").startswith(
            str(tmp_path)
        ):
            del sys.modules[name]


def reset_django() -> None:
    """Undo a configured Django: settings, app registry, URL caches and script prefix."""
    if "django" not in sys.modules:
        return
    from django.apps import apps
    from django.conf import settings
    from django.urls import clear_url_caches, set_script_prefix, set_urlconf
    from django.utils.functional import empty

    settings._wrapped = empty
    apps.app_configs = {}
    apps.apps_ready = apps.models_ready = apps.ready = apps.loading = False
    apps.clear_cache()
    clear_url_caches()
    set_urlconf(None)
    set_script_prefix("/")


@pytest.fixture(scope="module")
def django_app() -> Iterator[Any]:
    """Django's WSGI app, with settings configured in-process for this module only."""
    import django
    from django.conf import settings

    reset_django()
    settings.configure(
        DEBUG=False,
        SECRET_KEY="skylift-tests-not-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF="tests.unit.runtime.apps.django_app",
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        DATABASES={},
        USE_TZ=True,
        LOGGING_CONFIG=None,
    )
    django.setup(set_prefix=False)
    from django.core.wsgi import get_wsgi_application

    try:
        yield get_wsgi_application()
    finally:
        reset_django()
