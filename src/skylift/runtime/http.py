"""The neutral request every HTTP event shape becomes, and the body rules shared by all shapes.

Each module in ``events/`` turns its event into a :class:`Request` and turns the app's
answer (status, headers, body bytes) back into the dict its service expects. The WSGI
and ASGI bridges only ever see a :class:`Request`, so a new event shape is one module.

Hot path: everything here runs on every request, so it avoids imports that cost on a
cold start (``base64`` and ``urllib.parse`` both pull in ``re``) and allocates little.
"""

from __future__ import annotations

from binascii import Error as _B64Error
from binascii import a2b_base64, b2a_base64

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

__all__ = [
    "DEFAULT_TEXT_MIMETYPES",
    "BadRequest",
    "BodyPolicy",
    "Request",
    "decode_body",
    "reason_phrase",
]

# Content types sent as text when binary support is on; everything else is base64.
# Zappa's list, plus the structured-syntax suffixes (+json, +xml) handled in is_text().
DEFAULT_TEXT_MIMETYPES: tuple[str, ...] = (
    "text/",
    "application/json",
    "application/javascript",
    "application/ecmascript",
    "application/xml",
    "application/xml-external-parsed-entity",
    "application/xml-dtd",
    "application/x-www-form-urlencoded",
    "application/graphql",
    "image/svg+xml",
)


class BadRequest(Exception):
    """The event is an HTTP event but a field is malformed: answered with a 400, never raised out."""


class Request:
    """One HTTP request, whatever event shape it came in.

    ``path`` is percent-decoded and relative to ``script_name`` (the stage or base path
    the app is mounted under). ``query`` is the percent-encoded query string.
    ``headers`` holds (name, value) pairs in the event's own case, as the event has them:
    a value is a string, or a list of strings for a header sent several times (the
    multi-value shapes). The bridges fold or expand them; nothing is copied here.
    """

    __slots__ = (
        "body",
        "client",
        "context",
        "event",
        "headers",
        "host",
        "method",
        "path",
        "port",
        "query",
        "request_id",
        "scheme",
        "script_name",
        "user_agent",
    )

    def __init__(
        self,
        method: str,
        path: str,
        query: str,
        headers: Iterable[tuple[str, Any]],
        body: bytes,
        script_name: str,
        client: str,
        scheme: str,
        host: str,
        port: str,
        user_agent: str,
        request_id: str,
        event: dict[str, Any],
        context: Any,
    ) -> None:
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.script_name = script_name
        self.client = client
        self.scheme = scheme
        self.host = host
        self.port = port
        self.user_agent = user_agent
        self.request_id = request_id
        self.event = event
        self.context = context

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.script_name}{self.path}>"


class BodyPolicy:
    """Decides whether a response body goes back as text or base64 (Zappa's ``binary_support``).

    With binary support on, a body is base64 when it has a Content-Encoding or its
    content type is not textual. Whatever the setting, a body that is not valid UTF-8
    is sent as base64 rather than crashing or being mangled.
    """

    __slots__ = ("binary_support", "text_prefixes")

    def __init__(
        self, binary_support: bool = True, additional_text_mimetypes: tuple[str, ...] = ()
    ) -> None:
        self.binary_support = binary_support
        self.text_prefixes = DEFAULT_TEXT_MIMETYPES + tuple(
            m.strip().lower() for m in additional_text_mimetypes if m.strip()
        )

    def is_text(self, content_type: str) -> bool:
        if not content_type:
            return True  # unknown: try UTF-8, fall back to base64 in encode()
        mime = content_type.lower()
        if mime.startswith(self.text_prefixes):
            return True
        mime = mime.split(";", 1)[0].strip()
        return mime.endswith(("+json", "+xml")) or "charset=" in content_type.lower()

    def encode(self, body: bytes, content_type: str, content_encoding: str) -> tuple[str, bool]:
        """The body as the event's ``body`` string and its ``isBase64Encoded`` flag."""
        if not body:
            return "", False
        if self.binary_support and (
            (content_encoding and content_encoding.lower() != "identity")
            or not self.is_text(content_type)
        ):
            return b2a_base64(body, newline=False).decode("ascii"), True
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            return b2a_base64(body, newline=False).decode("ascii"), True


def decode_body(body: Any, is_base64: Any) -> bytes:
    """The request body bytes from an event's ``body`` and ``isBase64Encoded`` fields."""
    if not body:
        return b""
    if not isinstance(body, str):
        raise BadRequest("the event's body is not a string")
    if is_base64:
        try:
            return a2b_base64(body)
        except (_B64Error, ValueError):
            raise BadRequest("the event's body is marked base64 but is not valid base64") from None
    return body.encode("utf-8", "surrogatepass")


_PHRASES: dict[int, str] = {}


def reason_phrase(status: int) -> str:
    """The standard reason phrase for a status code ('' when unknown)."""
    if not _PHRASES:
        from http import HTTPStatus  # only the ALB and Lattice shapes need phrases

        _PHRASES.update({s.value: s.phrase for s in HTTPStatus})
    return _PHRASES.get(status, "")
