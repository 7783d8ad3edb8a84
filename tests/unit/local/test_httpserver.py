"""The lean HTTP/1.1 server: parsing, keep-alive, framing, and the WSGI bridge."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator

import pytest

from skylift.local.httpserver import (
    BadRequest,
    LeanHTTPServer,
    Request,
    Response,
    call_wsgi,
    encode_response,
    read_request,
    serve_in_thread,
    wsgi_environ,
)


def parse(raw: bytes) -> tuple[Request | None, bytes]:
    out = io.BytesIO()
    request = read_request(io.BufferedReader(io.BytesIO(raw)), out, ("127.0.0.1", 1234))  # type: ignore[arg-type]
    return request, out.getvalue()


def test_request_line_headers_and_body() -> None:
    request, _ = parse(
        b"POST /a%20b?x=1 HTTP/1.1\r\nHost: api.localhost:4566\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 3\r\n\r\nabc"
    )
    assert request is not None
    assert (request.method, request.path, request.query, request.body) == (
        "POST",
        "/a%20b",
        "x=1",
        b"abc",
    )
    assert request.header("x-a") == "1"
    assert request.host == "api.localhost"
    assert request.headers.count(("X-A", "2")) == 1


def test_chunked_body_and_expect_continue() -> None:
    raw = b"PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n"
    request, written = parse(raw)
    assert request is not None
    assert request.body == b"abcde"
    assert written == b"HTTP/1.1 100 Continue\r\n\r\n"


def test_closed_connection() -> None:
    assert parse(b"")[0] is None


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/2\r\n\r\n",
        b"GET / HTTP/1.1\r\nno colon\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort",
        b"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
def test_bad_requests(raw: bytes) -> None:
    with pytest.raises(BadRequest):
        parse(raw)


def test_encode_response_frames_the_body() -> None:
    data = encode_response(Response(200, [("X", "1"), ("Transfer-Encoding", "chunked")], b"hello"))
    assert data.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 5\r\n" in data
    assert b"Transfer-Encoding" not in data
    assert data.endswith(b"\r\n\r\nhello")
    assert encode_response(Response(204, [], b"ignored")).endswith(b"\r\n\r\n")
    assert encode_response(Response(200, [], b"x"), head_only=True).endswith(
        b"Content-Length: 1\r\n\r\n"
    )
    assert b"Connection: close" in encode_response(Response(), close=True)


def test_wsgi_environ_keeps_s3_metadata_names() -> None:
    request = Request(
        "PUT",
        "/bucket/key?acl",
        [("x-amz-meta-my_key", "v"), ("X_Sneaky", "no"), ("Content-Type", "text/plain")],
        b"xy",
    )
    environ = wsgi_environ(request, 4566)
    assert environ["PATH_INFO"] == "/bucket/key"
    assert environ["QUERY_STRING"] == "acl"
    assert environ["CONTENT_LENGTH"] == "2"
    assert environ["CONTENT_TYPE"] == "text/plain"
    assert environ["HTTP_X_AMZ_META_MY_KEY"] == "v"
    assert "HTTP_X_SNEAKY" not in environ
    assert environ["moto.preserved_header_names"] == {"HTTP_X_AMZ_META_MY_KEY": "x-amz-meta-my_key"}


def test_call_wsgi_collects_the_response() -> None:
    def app(environ: dict[str, object], start_response: object) -> Iterator[bytes]:
        start_response("201 Created", [("X-Path", str(environ["PATH_INFO"]))])  # type: ignore[operator]
        yield b"a"
        yield b"b"

    response = call_wsgi(app, Request("GET", "/p%2Fq", []), 1)
    assert (response.status, response.headers, response.body) == (201, [("X-Path", "/p/q")], b"ab")


@pytest.fixture
def server() -> Iterator[LeanHTTPServer]:
    def handler(request: Request) -> Response:
        if request.path == "/fail":
            raise RuntimeError("handler bug")
        return Response.text(f"{request.method} {request.path} {len(request.body)}")

    errors: list[BaseException] = []
    lean = LeanHTTPServer(0, handler, on_error=lambda _r, exc: errors.append(exc))
    serve_in_thread(lean, "test")
    yield lean
    lean.shutdown()
    lean.close_connections()
    lean.server_close()


def test_keep_alive_and_pipelining(server: LeanHTTPServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(
            b"GET /one HTTP/1.1\r\nHost: x\r\n\r\nPOST /two HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi"
        )
        received = b""
        while received.count(b"HTTP/1.1 200") < 2:
            received += sock.recv(4096)
        assert b"GET /one 0" in received
        assert received.endswith(b"POST /two 2")


def test_handler_errors_become_500_and_bad_requests_400(server: LeanHTTPServer) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /fail HTTP/1.1\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 500")
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        data = sock.recv(4096)
        assert data.startswith(b"HTTP/1.1 400")
        assert b"Connection: close" in data


def test_binds_loopback_only(server: LeanHTTPServer) -> None:
    assert server.server_address[0] == "127.0.0.1"
