"""Flask, Bottle, Django, Starlette and FastAPI apps driven through every HTTP event shape."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from skylift.runtime import adapt
from tests.unit.runtime.apps import PNG
from tests.unit.runtime.conftest import CLIENT_IP, SHAPES, Context, make_event, parse_response

APPS = ["flask", "bottle", "django", "starlette", "fastapi"]


@pytest.fixture(params=APPS)
def handler(request: pytest.FixtureRequest) -> Iterator[Any]:
    name = request.param
    if name == "django":
        app = request.getfixturevalue("django_app")
    else:
        app = __import__(f"tests.unit.runtime.apps.{name}_app", fromlist=["app"]).app
    handler = adapt(app)
    yield handler
    handler.shutdown()


def call(
    handler: Any, shape: str, *args: Any, **kwargs: Any
) -> tuple[int, dict[str, list[str]], bytes]:
    answer = handler(make_event(shape, *args, **kwargs), Context())
    return parse_response(shape, answer)


# Where each shape's sample says the client called; what the app must build links from.
BASE_URL = {
    "rest": "https://r4nd0m1d.execute-api.eu-central-1.amazonaws.com/dev",
    "http_v1": "https://h7t9k2m4p1.execute-api.us-west-2.amazonaws.com",
    "http_v2": "https://q1w2e3r4t5.execute-api.ap-southeast-2.amazonaws.com",
    "function_url": "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws",
    "alb_single": "https://skylift-alb.elb.amazonaws.com",
    "alb_multi": "https://skylift-alb.elb.amazonaws.com",
    "lattice_v1": "https://orders.vpc-lattice-svcs.us-east-2.on.aws",
    "lattice_v2": "https://orders.vpc-lattice-svcs.us-east-2.on.aws",
}


@pytest.mark.parametrize("shape", SHAPES)
def test_hello(handler: Any, shape: str) -> None:
    status, headers, body = call(handler, shape, "GET", "/hello")
    assert (status, body) == (200, b"Hello World!")
    assert headers["content-type"][0].startswith("text/plain")


@pytest.mark.parametrize("shape", SHAPES)
def test_echo_sees_the_request_as_sent(handler: Any, shape: str) -> None:
    body = b"\x00\xff\xfe not UTF-8 \xc3"
    status, _, raw = call(
        handler,
        shape,
        "POST",
        "/echo/caf%C3%A9/a%20b",
        query=[("tag", "red"), ("tag", "blue"), ("q", "fish & chips=1")],
        headers=[
            ("X-Multi", "one"),
            ("X-Multi", "two"),
            ("Cookie", "a=1; b=2"),
            ("Content-Type", "application/octet-stream"),
        ],
        body=body,
    )
    assert status == 200, raw
    echo = json.loads(raw)
    assert echo["method"] == "POST"
    assert echo["path"] == "/echo/café/a b"
    assert echo["query"]["q"] == ["fish & chips=1"]
    if shape in ("alb_single", "lattice_v1"):
        assert echo["query"]["tag"] == ["blue"]  # single-value shapes carry the last one
    else:
        assert echo["query"]["tag"] == ["red", "blue"]
    expected_multi = ["two"] if shape == "alb_single" else ["one", "two"]
    assert echo["multi"] == expected_multi
    assert echo["cookies"] == {"a": "1", "b": "2"}
    assert base64.b64decode(echo["body"]) == body
    assert echo["client"] == CLIENT_IP
    assert echo["url"] == BASE_URL[shape] + "/hello"
    assert echo["root"] == ("/dev" if shape == "rest" else "")
    assert echo["content_type"] == "application/octet-stream"


@pytest.mark.parametrize("shape", ["rest", "http_v1", "http_v2", "function_url"])
def test_links_use_plain_http_when_the_front_door_says_so(handler: Any, shape: str) -> None:
    # The local cloud serves API Gateway and Function URL events over plain HTTP: an
    # https:// link or redirect built from them would lead nowhere.
    forwarded = [("X-Forwarded-Proto", "http"), ("X-Forwarded-Port", "4566")]
    status, _, raw = call(handler, shape, "GET", "/echo/x", headers=forwarded)
    assert status == 200, raw
    assert json.loads(raw)["url"] == "http" + BASE_URL[shape].removeprefix("https") + "/hello"


@pytest.mark.parametrize("shape", SHAPES)
def test_every_set_cookie_is_kept(handler: Any, shape: str) -> None:
    status, headers, _ = call(handler, shape, "GET", "/cookies")
    assert status == 200
    cookies = sorted(c.split(";")[0].strip() for c in headers["set-cookie"])
    assert cookies == ["a=1", "b=2"]


@pytest.mark.parametrize("shape", SHAPES)
def test_binary_response_is_base64(handler: Any, shape: str) -> None:
    answer = handler(make_event(shape, "GET", "/binary"), Context())
    assert answer["isBase64Encoded"] is True
    assert parse_response(shape, answer)[2] == PNG


@pytest.mark.parametrize("shape", SHAPES)
def test_app_error_is_a_500(handler: Any, shape: str, capsys: Any) -> None:
    """Each framework answers its own 500; an ASGI app's exception still reaches the log."""
    answer = handler(make_event(shape, "GET", "/error"), Context("req-boom"))
    status, _, _ = parse_response(shape, answer)
    assert status == 500
    if handler.kind == "asgi":
        assert "RuntimeError: boom" in capsys.readouterr().err


@pytest.mark.parametrize("shape", ["rest", "http_v2", "alb_multi", "lattice_v2"])
def test_head_has_no_body(handler: Any, shape: str) -> None:
    status, _, body = call(handler, shape, "HEAD", "/hello")
    assert (status, body) == (200, b"")
