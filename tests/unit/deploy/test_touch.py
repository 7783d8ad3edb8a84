"""Zappa's touch: one GET after a deploy; a 5xx or no answer is a warning naming the logs."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from skylift.deploy.endpoints import StageUrl
from skylift.deploy.touch import Touch, touch, touch_stage, touch_url
from tests.unit.deploy.support import make_stage


class Answers(BaseHTTPRequestHandler):
    """/ok 200, /broken 500, /moved 302 to /broken; every path asked is recorded."""

    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Answers.asked.append(self.path)
        status = {"/ok": 200, "/broken": 500, "/moved": 302}.get(self.path, 404)
        self.send_response(status)
        if status == 302:
            self.send_header("Location", "/broken")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    Answers.asked = []
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_an_answer_is_not_a_warning(server: str) -> None:
    assert touch(f"{server}/ok") == Touch(f"{server}/ok", 200)
    assert touch(f"{server}/ok").warning is None
    assert touch(f"{server}/nothing-here").failed is False  # 404: the app answers


def test_a_server_error_warns_with_the_status_and_the_log_group(server: str) -> None:
    found = touch_stage(
        make_stage(Path("."), touch_path="/broken"),
        [StageUrl("rest-api", f"{server}/")],
        function="hello-dev",
        endpoint=server,
    )
    assert found is not None
    assert found.failed
    warning = found.warning or ""
    assert f"GET {server}/broken answered 500" in warning
    assert "/aws/lambda/hello-dev" in warning
    assert "`skylift local logs --function hello-dev`" in warning  # 127.0.0.1: local
    assert found.to_json() == {
        "url": f"{server}/broken",
        "status": 500,
        "error": None,
        "ok": False,
    }


def test_redirects_are_answers_and_not_followed(server: str) -> None:
    assert touch(f"{server}/moved").status == 302
    assert Answers.asked == ["/moved"]


def test_proxies_are_not_used(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert touch(f"{server}/ok").status == 200


def test_no_answer_warns() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: refused
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    found = touch(f"http://127.0.0.1:{port}/")
    assert found.status is None
    assert found.failed
    assert "got no answer" in (found.warning or "")


def test_a_silent_server_times_out() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()  # accepts the connection, never answers
        port = sock.getsockname()[1]
        found = touch(f"http://127.0.0.1:{port}/", timeout=0.2)
    assert found.status is None
    assert found.error == "no answer within 0.2 s"


@pytest.mark.parametrize(
    ("settings", "url"),
    [
        ({}, "https://a.example/dev/"),
        ({"touch_path": "/health"}, "https://a.example/dev/health"),
        ({"touch_path": "health?deep=1"}, "https://a.example/dev/health?deep=1"),
        ({"touch": False}, None),
        ({"endpoint_configuration": ["PRIVATE"]}, None),  # reachable only inside its VPC
    ],
)
def test_touch_url(tmp_path: Path, settings: dict[str, object], url: str | None) -> None:
    urls = [StageUrl("rest-api", "https://a.example/dev/"), StageUrl("rest-api", "https://b/")]
    assert touch_url(make_stage(tmp_path, **settings), urls) == url
    assert touch_url(make_stage(tmp_path, **settings), []) is None  # no front door
