"""The Lambda Runtime API of one execution environment, on its own 127.0.0.1 port.

Each environment gets its own listener, as on Lambda (``AWS_LAMBDA_RUNTIME_API``
is a bare host:port, so any runtime client works unchanged). The routes are
the 2018-06-01 API: ``invocation/next`` (blocks until there is work),
``invocation/{id}/response|error`` and ``init/error``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from typing import Protocol

from skylift.local.httpserver import LeanHTTPServer, Request, Response

PREFIX = "/2018-06-01/runtime/"
ACCEPTED = Response.json(b'{"status":"OK"}', 202)


class RuntimeBackend(Protocol):
    """What the environment does with each Runtime API call."""

    def next_invocation(self) -> Response: ...

    def post_result(self, request_id: str, body: bytes, error_type: str | None) -> Response: ...

    def post_init_error(self, body: bytes, error_type: str | None) -> None: ...


class RuntimeApiServer(LeanHTTPServer):
    """Accepts on a blocking socket in one thread; closing the socket stops it at once."""

    def __init__(self, backend: RuntimeBackend) -> None:
        self.backend = backend
        super().__init__(0, self.route)
        self._thread = threading.Thread(target=self._accept, name="runtime-api", daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self.closing:
            try:
                sock, client = self.socket.accept()
            except OSError:
                return
            self.process_request(sock, client)

    def close(self) -> None:
        self.close_connections()
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)
        self.server_close()

    def route(self, request: Request) -> Response:
        path = request.path
        if not path.startswith(PREFIX):
            return _not_found(path)
        rest = path[len(PREFIX) :]
        if rest == "invocation/next" and request.method == "GET":
            return self.backend.next_invocation()
        if request.method != "POST":
            return _not_found(path)
        if rest == "init/error":
            self.backend.post_init_error(
                request.body, request.header("lambda-runtime-function-error-type")
            )
            return ACCEPTED
        parts = rest.split("/")
        if len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            error_type = None
            if parts[2] == "error":
                error_type = request.header("lambda-runtime-function-error-type") or "Unhandled"
            return self.backend.post_result(parts[1], request.body, error_type)
        return _not_found(path)


def _not_found(path: str) -> Response:
    body = {"errorMessage": f"No Runtime API route for {path}", "errorType": "InvalidRequest"}
    return Response.json(json.dumps(body), 404)
