"""The WSGI bridge: a neutral request in, (status, headers, body) out. PEP 3333, no Werkzeug.

Hot path: everything here runs on every request of a WSGI app. The environ starts as a
copy of a template, headers are added with one store each when they are the common case
(see ``_add_headers``), and a request without a body shares one empty input stream.
"""

from __future__ import annotations

import sys
from io import BytesIO

from skylift.runtime.http import Request

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import Any

    WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

__all__ = ["EMPTY_INPUT", "WsgiBridge", "build_environ", "call_app", "environ_from", "environ_key"]


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


class EmptyInput:
    """``wsgi.input`` for a request without a body: stateless, so one instance serves all.

    A ``BytesIO`` per request costs more than the rest of the environ's fixed keys; this
    stream (PEP 3333's read/readline/readlines/iteration, and a close() to call) has
    nothing to read and nothing to close, so sharing it is safe.
    """

    __slots__ = ()

    def read(self, size: int | None = -1) -> bytes:
        return b""

    def readline(self, size: int | None = -1) -> bytes:
        return b""

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        return []

    def __iter__(self) -> Iterator[bytes]:
        return iter(())

    def close(self) -> None:
        """Nothing to release (and the next request shares this stream)."""


EMPTY_INPUT = EmptyInput()

# The keys every environ has, with the values of an HTTPS request without a body; one
# copy() per request (a dict copied whole costs an eighth of the same dict written out).
_HTTPS: dict[str, Any] = {
    "REQUEST_METHOD": "GET",
    "SCRIPT_NAME": "",
    "PATH_INFO": "/",
    "QUERY_STRING": "",
    "CONTENT_LENGTH": "",
    "REMOTE_ADDR": "",
    "SERVER_NAME": "localhost",
    "SERVER_PORT": "443",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "https",
    "wsgi.input": EMPTY_INPUT,
    "wsgi.errors": None,
    "wsgi.multithread": False,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
    "wsgi.input_terminated": True,
    "lambda.event": None,
    "lambda.context": None,
    "HTTPS": "on",
}
_PLAIN = {k: v for k, v in _HTTPS.items() if k != "HTTPS"}


def _roomy(template: dict[str, Any]) -> dict[str, Any]:
    """``template`` in a hash table with room for a request's headers too.

    CPython's ``copy()`` of a dict with few holes copies its table as it is, size
    included: a table grown once past the template's keys (the extra keys then deleted)
    takes the 10-20 header keys of a request without being resized on the way.
    Elsewhere this is just the template.
    """
    roomy = dict(template)
    size = sys.getsizeof(roomy)
    filler: list[str] = []
    while sys.getsizeof(roomy) == size and len(filler) < 64:
        filler.append(f"_{len(filler)}")
        roomy[filler[-1]] = None
    for key in filler:
        del roomy[key]
    return roomy if sys.getsizeof(roomy.copy()) > size else template


_HTTPS, _PLAIN = _roomy(_HTTPS), _roomy(_PLAIN)


def build_environ(req: Request) -> dict[str, Any]:
    """The PEP 3333 environ for a request."""
    return environ_from(
        (
            req.method,
            req.path,
            req.query,
            req.headers,
            req.body,
            req.script_name,
            req.client,
            req.scheme,
            req.host,
            req.port,
            req.user_agent,
            req.request_id,
            req.event,
            req.context,
            False,
        )
    )


def environ_from(fields: tuple[Any, ...]) -> dict[str, Any]:
    """The PEP 3333 environ for a shape's ``fields()`` (see ``http.request_from``).

    The headers are a dict (name -> value) or (name, value) pairs; a value is a string,
    or a list of strings for a header sent several times.
    """
    # The whole tuple unpacked at once (slicing it first costs three times as much).
    (
        method,
        path,
        query,
        headers,
        body,
        script_name,
        client,
        scheme,
        host,
        port,
        _agent,
        _rid,
        event,
        context,
        multi,
    ) = fields
    if scheme == "https":
        environ = _HTTPS.copy()
    else:
        environ = _PLAIN.copy()
        environ["wsgi.url_scheme"] = scheme
    environ["REQUEST_METHOD"] = method
    if script_name:
        environ["SCRIPT_NAME"] = script_name if script_name.isascii() else _native(script_name)
    environ["PATH_INFO"] = path if path.isascii() else _native(path)
    if query:
        environ["QUERY_STRING"] = query if query.isascii() else _native(query)
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
        environ["wsgi.input"] = BytesIO(body)
    environ["REMOTE_ADDR"] = client
    if host:
        environ["SERVER_NAME"] = host
    environ["SERVER_PORT"] = port
    environ["wsgi.errors"] = sys.stderr
    environ["lambda.event"] = event
    environ["lambda.context"] = context
    if headers:
        if type(headers) is not dict:
            _merge_headers(environ, headers)
        else:
            # The common case, one store per header: names seen before, one ASCII string
            # each, no two names on one key. Anything else (a KeyError, a ValueError from a
            # repeated header, a TypeError from a non-string) is merged properly instead.
            expected = len(environ) + len(headers)
            keys = _KEYS
            isascii = str.isascii  # TypeError for anything but a str
            common = False
            try:
                if multi:  # lists (multi-value shapes): one value each, unpacked
                    for name, (value,) in headers.items():
                        if not isascii(value):
                            break
                        environ[keys[name]] = value
                    else:
                        common = True
                else:
                    for name, value in headers.items():
                        if not isascii(value):
                            break
                        environ[keys[name]] = value
                    else:
                        common = True
            except (TypeError, ValueError, KeyError):
                pass
            if "" in environ:  # dropped headers: Content-Length, Transfer-Encoding, X_Y
                del environ[""]
                expected -= 1
            if not common or len(environ) != expected:  # fewer keys: two names on one key
                _merge_headers(environ, headers.items())
    rc = event.get("requestContext")
    if rc:
        authorizer = rc.get("authorizer")
        if authorizer and type(authorizer) is dict:
            environ["API_GATEWAY_AUTHORIZER"] = authorizer
            principal = authorizer.get("principalId")
            if principal and type(principal) is str:
                environ["REMOTE_USER"] = principal
    return environ


def _merge_headers(environ: dict[str, Any], headers: Iterable[tuple[str, Any]]) -> None:
    for key in [k for k in environ if k.startswith("HTTP_") or k in ("CONTENT_TYPE", "")]:
        del environ[key]
    environ.update(_merged_headers(headers))


_UNSET = object()  # start_response() not called yet

# Status line -> code: an app sends few distinct ones.
_CODES: dict[str, int] = {}


def _status_code(status: Any) -> int:
    try:
        code = int(status[:3])
    except (TypeError, ValueError):
        raise RuntimeError(f"the WSGI app gave an invalid status {status!r}") from None
    if len(_CODES) < 256:  # app-chosen: bound the memory
        _CODES[status] = code
    return code


def call_app(app: WsgiApp, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run a WSGI app on an environ: (status code, headers, whole body).

    The whole response is buffered (Lambda answers with one JSON document), so headers are
    never "sent" before the app returns: a second ``start_response`` with ``exc_info``
    replaces the status, headers and anything written so far, as PEP 3333 allows.
    """
    sent_status: Any = _UNSET
    sent_headers: Any = None
    chunks: list[bytes] = []

    def start_response(
        status: str, response_headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], None]:
        nonlocal sent_status, sent_headers
        if exc_info is not None:
            exc_info = None  # break the traceback cycle; nothing was sent yet
            chunks.clear()
        elif sent_status is not _UNSET:
            raise RuntimeError("start_response() called a second time without exc_info")
        sent_status, sent_headers = status, response_headers
        return chunks.append

    result = app(environ, start_response)
    try:
        # After what write() sent; write() called while iterating lands in order too.
        chunks.extend(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    if sent_status is _UNSET:
        raise RuntimeError("the WSGI app returned without calling start_response()")
    code = _CODES.get(sent_status) if type(sent_status) is str else None
    if code is None:
        code = _status_code(sent_status)
    try:
        return code, sent_headers, b"".join(chunks)
    except TypeError:  # an empty str or None among the chunks: skipped, as ever
        return code, sent_headers, b"".join([chunk for chunk in chunks if chunk])


class WsgiBridge:
    """Runs a WSGI app on neutral requests."""

    __slots__ = ("app",)

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    prepare = staticmethod(build_environ)

    def run(
        self, environ: dict[str, Any], req: Request
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        return call_app(self.app, environ)
