"""The WSGI bridge: a neutral Request in, (status, headers, body) out. PEP 3333, no Werkzeug.

The whole response is buffered (Lambda answers with one JSON document), so headers are
never "sent" before the app returns: a second ``start_response`` with ``exc_info``
replaces the status, headers and anything written so far, as PEP 3333 allows.
"""

from __future__ import annotations

import sys
from io import BytesIO

from skylift.runtime.http import Request

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any

    WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

__all__ = ["WsgiBridge", "build_environ", "environ_key"]


# Header name (as the event spells it) -> environ key; "" means the header is dropped.
_KEYS: dict[str, str] = {}
_KEYS_MAX = 1024  # header names are client-chosen: bound the cache


def environ_key(name: str) -> str:
    """The environ key for a request header, or "" for headers the environ must not carry.

    Content-Length is recomputed from the body and Transfer-Encoding no longer applies
    (the event holds the whole body). A name with an underscore would collide with its
    dashed twin (X_Forwarded_For vs X-Forwarded-For): dropped, as gunicorn and nginx do.
    """
    key = _KEYS.get(name)
    if key is not None:
        return key
    lower = name.lower()
    if lower == "content-type":
        key = "CONTENT_TYPE"
    elif lower in ("content-length", "transfer-encoding") or "_" in name or not name:
        key = ""
    else:
        key = "HTTP_" + name.upper().replace("-", "_")
    if len(_KEYS) < _KEYS_MAX:
        _KEYS[name] = key
    return key


def _native(value: str) -> str:
    """A WSGI "native string": the UTF-8 bytes of a value, read as latin-1."""
    return value if value.isascii() else value.encode("utf-8", "surrogateescape").decode("latin-1")


def _fold(key: str, values: Any) -> str:
    """Several values of one header as one environ value (Cookie pairs joined with '; ')."""
    if type(values) is not list:
        raise TypeError(f"header value {values!r} is not a string")
    return _native(("; " if key == "HTTP_COOKIE" else ",").join(values))


def _merged_headers(headers: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Headers as environ keys, folding names that differ only in case or repeat."""
    merged: dict[str, str] = {}
    for name, value in headers:
        key = environ_key(name)
        if not key:
            continue
        value = _native(value) if type(value) is str else _fold(key, value)
        previous = merged.get(key)
        if previous is None:
            merged[key] = value
        else:
            merged[key] = previous + ("; " if key == "HTTP_COOKIE" else ",") + value
    return merged


def build_environ(req: Request) -> dict[str, Any]:
    body = req.body
    script_name, path, query = req.script_name, req.path, req.query
    event = req.event
    # One dict display: built at its final size, where key-by-key inserts would resize it.
    environ: dict[str, Any] = {
        "REQUEST_METHOD": req.method,
        "SCRIPT_NAME": script_name if script_name.isascii() else _native(script_name),
        "PATH_INFO": path if path.isascii() else _native(path),
        "QUERY_STRING": query if query.isascii() else _native(query),
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "REMOTE_ADDR": req.client,
        "SERVER_NAME": req.host or "localhost",
        "SERVER_PORT": req.port,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": req.scheme,
        "wsgi.input": BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.input_terminated": True,
        "lambda.event": event,
        "lambda.context": req.context,
    }
    base_size = len(environ)
    keys = _KEYS
    added = 0
    # Fast path: one store per header. Two names landing on one key (X-A and x-a) shows
    # as fewer keys than stores; then the headers are merged properly instead.
    for name, value in req.headers:
        key = keys.get(name)
        if key is None:
            key = environ_key(name)
        if not key:
            continue
        if type(value) is not str:
            # multi-value shapes: nearly always one value
            value = value[0] if type(value) is list and len(value) == 1 else _fold(key, value)
            if type(value) is not str:
                value = _fold(key, value)
        if not value.isascii():
            value = _native(value)
        environ[key] = value
        added += 1
    if len(environ) != base_size + added:
        for key in [k for k in environ if k.startswith("HTTP_") or k == "CONTENT_TYPE"]:
            del environ[key]
        environ.update(_merged_headers(req.headers))
    if req.scheme == "https":
        environ["HTTPS"] = "on"
    rc = event.get("requestContext")
    if rc:
        authorizer = rc.get("authorizer")
        if authorizer and type(authorizer) is dict:
            environ["API_GATEWAY_AUTHORIZER"] = authorizer
            principal = authorizer.get("principalId")
            if principal and type(principal) is str:
                environ["REMOTE_USER"] = principal
    return environ


class WsgiBridge:
    """Runs a WSGI app on neutral requests."""

    __slots__ = ("app",)

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    prepare = staticmethod(build_environ)

    def run(
        self, environ: dict[str, Any], req: Request
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        state: list[Any] = []
        chunks: list[bytes] = []

        def start_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            if exc_info is not None:
                exc_info = None  # break the traceback cycle; nothing was sent yet
                chunks.clear()
            elif state:
                raise RuntimeError("start_response() called a second time without exc_info")
            state[:] = (status, headers)
            return chunks.append

        result = self.app(environ, start_response)
        try:
            for chunk in result:
                if chunk:
                    chunks.append(chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        if not state:
            raise RuntimeError("the WSGI app returned without calling start_response()")
        status, headers = state
        try:
            code = int(status[:3])
        except (TypeError, ValueError):
            raise RuntimeError(f"the WSGI app gave an invalid status {status!r}") from None
        return code, headers, b"".join(chunks)
