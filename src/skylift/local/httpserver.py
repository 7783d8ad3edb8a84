"""A lean threaded HTTP/1.1 server for 127.0.0.1, and the bridge to WSGI apps.

The gateway's hot path is one request in, one invocation, one response out;
werkzeug's development server spends more time building a WSGI environ than
the whole invocation takes. So the server parses requests itself (keep-alive,
``Expect: 100-continue``, chunked bodies), hands a small ``Request`` to one
handler, and only the control plane (moto, a WSGI app) pays for an environ.
"""

from __future__ import annotations

import contextlib
import io
import socket
import socketserver
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote_to_bytes

MAX_LINE = 65536
MAX_HEADERS = 200
MAX_BODY = 1 << 30

_REASONS = {status.value: status.phrase for status in HTTPStatus}


class BadRequest(Exception):
    """The bytes on the wire are not an HTTP/1.x request we accept."""


@dataclass
class Request:
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: bytes = b""
    client: tuple[str, int] = ("127.0.0.1", 0)
    version: str = "HTTP/1.1"
    _lower: dict[str, str] | None = field(default=None, repr=False)

    @property
    def path(self) -> str:
        """The path as sent (still percent-encoded), without the query string."""
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]

    def header(self, name: str, default: str | None = None) -> str | None:
        """The first value of a header, by case-insensitive name."""
        if self._lower is None:
            lower: dict[str, str] = {}
            for key, value in self.headers:
                lower.setdefault(key.lower(), value)
            self._lower = lower
        return self._lower.get(name.lower(), default)

    @property
    def host(self) -> str:
        """The Host header without the port, lower-cased."""
        host = (self.header("host") or "").lower()
        if host.startswith("["):
            return host.partition("]")[0] + "]"
        return host.rpartition(":")[0] if ":" in host else host


@dataclass
class Response:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def json(cls, payload: bytes | str, status: int = 200, **extra: str) -> Response:
        data = payload.encode() if isinstance(payload, str) else payload
        headers = [("Content-Type", "application/json")]
        headers.extend((key.replace("_", "-"), value) for key, value in extra.items())
        return cls(status, headers, data)

    @classmethod
    def text(cls, text: str, status: int = 200) -> Response:
        return cls(status, [("Content-Type", "text/plain; charset=utf-8")], text.encode())


Handler = Callable[[Request], Response]


def _read_line(rfile: io.BufferedIOBase) -> bytes:
    line = rfile.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise BadRequest("line too long")
    return line


def read_request(rfile: io.BufferedIOBase, wfile: Any, client: tuple[str, int]) -> Request | None:
    """One request from a keep-alive connection; None when the peer closed it."""
    line = _read_line(rfile)
    while line in (b"\r\n", b"\n"):  # tolerated between pipelined requests (RFC 9112 2.2)
        line = _read_line(rfile)
    if not line:
        return None
    parts = line.decode("latin-1").split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
        raise BadRequest(f"malformed request line {line[:80]!r}")
    method, target, version = parts
    headers: list[tuple[str, str]] = []
    while True:
        raw = _read_line(rfile)
        if raw in (b"\r\n", b"\n", b""):
            break
        if len(headers) >= MAX_HEADERS:
            raise BadRequest("too many headers")
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(f"malformed header {raw[:80]!r}")
        headers.append((name, value.strip()))
    request = Request(method, target, headers, client=client, version=version)
    if (request.header("expect") or "").lower() == "100-continue":
        wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        wfile.flush()
    request.body = _read_body(rfile, request)
    return request


def _read_body(rfile: io.BufferedIOBase, request: Request) -> bytes:
    if "chunked" in (request.header("transfer-encoding") or "").lower():
        return _read_chunked(rfile)
    length = request.header("content-length")
    if not length:
        return b""
    try:
        size = int(length)
    except ValueError:
        raise BadRequest("bad Content-Length") from None
    if size < 0 or size > MAX_BODY:
        raise BadRequest("Content-Length out of range")
    body = rfile.read(size)
    if len(body) != size:
        raise BadRequest("body shorter than Content-Length")
    return body


def _read_chunked(rfile: io.BufferedIOBase) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while True:
        size_line = _read_line(rfile).split(b";", 1)[0].strip()
        try:
            size = int(size_line, 16)
        except ValueError:
            raise BadRequest("bad chunk size") from None
        if size == 0:
            while _read_line(rfile) not in (b"\r\n", b"\n", b""):
                pass  # trailers are accepted and ignored
            return b"".join(chunks)
        total += size
        if total > MAX_BODY:
            raise BadRequest("chunked body too large")
        chunks.append(rfile.read(size))
        rfile.readline()


def encode_response(response: Response, head_only: bool = False, close: bool = False) -> bytes:
    reason = _REASONS.get(response.status, "Unknown")
    lines = [f"HTTP/1.1 {response.status} {reason}"]
    have_length = False
    for name, value in response.headers:
        lowered = name.lower()
        if lowered == "content-length":
            have_length = True
        elif lowered in ("transfer-encoding", "connection"):
            continue  # the server frames every message itself
        lines.append(f"{name}: {value}")
    if not have_length:
        lines.append(f"Content-Length: {len(response.body)}")
    if close:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    if head_only or response.status in (204, 304) or 100 <= response.status < 200:
        return head
    return head + response.body


def _wants_close(request: Request) -> bool:
    connection = (request.header("connection") or "").lower()
    if request.version == "HTTP/1.0":
        return "keep-alive" not in connection
    return "close" in connection


class _ConnectionHandler(socketserver.StreamRequestHandler):
    server: LeanHTTPServer
    rbufsize = 65536
    wbufsize = 0

    def setup(self) -> None:
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().setup()
        self.server.track(self.request, True)

    def finish(self) -> None:
        self.server.track(self.request, False)
        with contextlib.suppress(OSError):
            super().finish()

    def handle(self) -> None:
        client = self.client_address
        while not self.server.closing:
            try:
                request = read_request(self.rfile, self.wfile, client)
            except BadRequest as exc:
                body = f"Bad request: {exc}\n".encode()
                self._send(encode_response(Response(400, [], body), close=True))
                return
            except (OSError, ValueError):
                return
            if request is None:
                return
            try:
                response = self.server.handler(request)
            except Exception as exc:  # the server must outlive any handler bug
                self.server.report_error(request, exc)
                response = Response.json(b'{"message": "Internal server error"}', 500)
            close = _wants_close(request) or self.server.closing
            if not self._send(encode_response(response, request.method == "HEAD", close)):
                return
            if close:
                return

    def _send(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
        except OSError:
            return False
        return True


class LeanHTTPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """Thread per connection, keep-alive, TCP_NODELAY; binds 127.0.0.1 only."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(
        self,
        port: int,
        handler: Handler,
        on_error: Callable[[Request, BaseException], None] | None = None,
    ) -> None:
        self.handler = handler
        self.on_error = on_error
        self.closing = False
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _ConnectionHandler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def track(self, sock: socket.socket, alive: bool) -> None:
        with self._lock:
            if alive:
                self._connections.add(sock)
            else:
                self._connections.discard(sock)

    def report_error(self, request: Request, exc: BaseException) -> None:
        if self.on_error is not None:
            self.on_error(request, exc)
        else:  # pragma: no cover - every real server sets on_error
            print(f"error handling {request.method} {request.target}: {exc!r}", file=sys.stderr)

    def close_connections(self) -> None:
        """Stop accepting and wake every keep-alive connection so its thread ends."""
        self.closing = True
        with self._lock:
            connections = list(self._connections)
        for sock in connections:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Connection resets from clients going away are not worth a traceback.
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):  # pragma: no cover
            super().handle_error(request, client_address)


def serve_in_thread(server: LeanHTTPServer, name: str) -> threading.Thread:
    # a short poll interval keeps shutdown() quick; the cost is an idle select() wakeup
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), name=name, daemon=True)
    thread.start()
    return thread


def call_wsgi(app: Callable[..., Iterable[bytes]], request: Request, port: int) -> Response:
    """Run ``request`` through a WSGI app (moto's) and collect its whole response."""
    environ = wsgi_environ(request, port)
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        captured["status"] = int(status.split(" ", 1)[0])
        captured["headers"] = headers
        return lambda data: captured.setdefault("written", []).append(data)

    result = app(environ, start_response)
    try:
        chunks = list(captured.get("written", [])) + list(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return Response(captured["status"], list(captured["headers"]), b"".join(chunks))


def wsgi_environ(request: Request, port: int) -> dict[str, Any]:
    path, _, query = request.target.partition("?")
    if path.startswith(("http://", "https://")):  # absolute-form target
        path = "/" + path.split("/", 3)[3] if path.count("/") >= 3 else "/"
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "RAW_URI": request.target,
        "REQUEST_URI": request.target,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": request.version,
        "REMOTE_ADDR": request.client[0],
        "REMOTE_PORT": str(request.client[1]),
        "CONTENT_LENGTH": str(len(request.body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    preserved: dict[str, str] = {}
    for name, value in request.headers:
        key = name.upper().replace("-", "_")
        if key == "CONTENT_LENGTH":
            continue
        if key != "CONTENT_TYPE":
            key = "HTTP_" + key
        if "_" in name and name.lower().startswith("x-amz-meta-"):
            # moto keeps S3 metadata names with underscores as sent (see its request handler).
            preserved.setdefault(key, name)
        elif "_" in name:
            continue  # an underscored header must never stand in for a dashed one
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    environ["moto.preserved_header_names"] = preserved
    return environ
