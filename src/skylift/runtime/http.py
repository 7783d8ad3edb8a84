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
    "encode_body",
    "reason_phrase",
    "request_from",
    "status_line",
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


def request_from(fields: tuple[Any, ...]) -> Request:
    """The Request for a shape's ``fields()`` tuple.

    ``fields`` is ``Request``'s arguments in order, then ``multi``: whether the header
    values are lists (the multi-value shapes). The headers are the event's own dict. The
    WSGI bridge takes that tuple as it is (a tuple costs a fifth of a ``Request``); the
    ASGI bridge, failure paths and tests get the Request, whose headers are pairs.
    """
    req = Request(*fields[:14])
    headers = req.headers
    if type(headers) is dict:
        req.headers = headers.items()
    return req


class BodyPolicy:
    """Decides whether a response body goes back as text or base64 (Zappa's ``binary_support``).

    With binary support on, a body is base64 when it has a Content-Encoding or its
    content type is not textual. Whatever the setting, a body that is not valid UTF-8
    is sent as base64 rather than crashing or being mangled.
    """

    __slots__ = ("binary_support", "decodes", "text_prefixes")

    def __init__(
        self, binary_support: bool = True, additional_text_mimetypes: tuple[str, ...] = ()
    ) -> None:
        self.binary_support = binary_support
        self.text_prefixes = DEFAULT_TEXT_MIMETYPES + tuple(
            m.strip().lower() for m in additional_text_mimetypes if m.strip()
        )
        # Content type -> "try UTF-8 first" (the answer of encode() for a body without a
        # Content-Encoding), remembered: an app sends few distinct content types.
        self.decodes: dict[str, bool] = {}

    def decoded(self, content_type: str) -> bool:
        """Whether a body of this content type (and no Content-Encoding) is sent as text."""
        text = not self.binary_support or self.is_text(content_type)
        decodes = self.decodes
        if len(decodes) >= _CACHE_MAX:  # content types are app-chosen: bound the memory
            decodes.clear()
        decodes[content_type] = text
        return text

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


def encode_body(
    policy: BodyPolicy, status: int, method: str, body: bytes, content_type: str, encoding: str
) -> tuple[str, bool]:
    """The answer's ``body`` and ``isBase64Encoded``: none for HEAD, 1xx, 204 and 304.

    Same result as ``policy.encode()``; the common case (no Content-Encoding, a content
    type seen before) costs two dict lookups and a decode.
    """
    if not body or method == "HEAD" or status < 200 or status == 204 or status == 304:
        return "", False
    if encoding:
        return policy.encode(body, content_type, encoding)
    text = policy.decodes.get(content_type)
    if text is None:
        text = policy.decoded(content_type)
    if text:
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
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
STATUS_LINES: dict[int, str] = {}
_CACHE_MAX = 256


def reason_phrase(status: int) -> str:
    """The standard reason phrase for a status code ('' when unknown)."""
    if not _PHRASES:
        from http import HTTPStatus  # only the ALB and Lattice shapes need phrases

        _PHRASES.update({s.value: s.phrase for s in HTTPStatus})
    return _PHRASES.get(status, "")


def status_line(status: int) -> str:
    """ALB's and Lattice's ``statusDescription``: "200 OK" ("299" when the code has no phrase)."""
    line = STATUS_LINES.get(status)
    if line is None:
        line = f"{status} {reason_phrase(status)}".rstrip()
        if len(STATUS_LINES) < _CACHE_MAX:
            STATUS_LINES[status] = line
    return line
