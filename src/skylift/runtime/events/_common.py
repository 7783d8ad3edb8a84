"""Helpers the HTTP event modules share: paths, query strings, client address, header folding."""

from __future__ import annotations

from skylift.runtime.http import BadRequest

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

# Characters a query key or value may hold without percent-encoding (RFC 3986 unreserved).
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def matched(fields: tuple[Any, ...] | None) -> tuple[Any, ...]:
    """``fields()`` of an event its shape's ``matches()`` accepted (to_request's contract)."""
    if fields is None:
        raise BadRequest("the event is not of this shape")
    return fields


def mapping(value: Any, what: str) -> Mapping[str, Any]:
    """An optional object field of the event: {} when absent or null, BadRequest when not an object."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(f"the event's {what} is not an object")
    return value


def text(value: Any, what: str, default: str = "") -> str:
    """An optional string field of the event."""
    if value is None:
        return default
    if not isinstance(value, str):
        raise BadRequest(f"the event's {what} is not a string")
    return value


def unquote_path(path: str) -> str:
    """Percent-decode a path (UTF-8; undecodable bytes kept as surrogate escapes for WSGI)."""
    if "%" not in path:
        return path
    from urllib.parse import unquote  # imports `re`: kept off the cold-start path

    return unquote(path, errors="surrogateescape")


def strip_prefix(path: str, prefix: str) -> str | None:
    """``path`` without ``prefix`` when the prefix ends on a segment boundary, else None."""
    if path == prefix:
        return "/"
    if path.startswith(prefix) and path[len(prefix)] == "/":
        return path[len(prefix) :]
    return None


def is_custom_domain(domain: str) -> bool:
    """True for a custom domain; False for API Gateway's own host (local cloud included) or none."""
    return bool(domain) and ".execute-api." not in domain


def mount(
    path: str, stage: str, domain: str, base_path: str, stage_in_path: bool
) -> tuple[str, str]:
    """(script_name, path relative to it) for an API Gateway request.

    The stage is the mount point when the API is called on its execute-api host with a
    named stage; a custom domain mounts the app at its base path (the ``base_path``
    setting), and ``$default`` stages mount it at the root. ``stage_in_path`` says the
    service left the stage in the path (HTTP APIs), so it is stripped there.
    """
    if base_path:
        prefix = "/" + base_path
        rest = strip_prefix(path, prefix)
        if rest is not None:
            return prefix, rest
    if stage and stage != "$default" and not is_custom_domain(domain):
        prefix = "/" + stage
        if stage_in_path:
            rest = strip_prefix(path, prefix)
            return (prefix, rest) if rest is not None else ("", path)
        return prefix, path
    return "", path


def quote_component(value: str) -> str:
    if value.isascii() and (value.isalnum() or _UNRESERVED.issuperset(value)):
        return value
    from urllib.parse import quote

    return quote(value, safe="")


def encode_query(params: Any, multi: bool) -> str:
    """A query string rebuilt from already-decoded parameters (API Gateway REST, Lattice)."""
    if not params:
        return ""
    if not isinstance(params, dict):
        raise BadRequest("the event's query string parameters are not an object")
    parts: list[str] = []
    for key, values in params.items():
        qkey = quote_component(key)
        for value in values if multi and isinstance(values, list) else (values,):
            parts.append(f"{qkey}={quote_component(str(value))}")
    return "&".join(parts)


def raw_query(params: Any, multi: bool) -> str:
    """A query string from parameters the service passed still percent-encoded (ALB)."""
    if not params:
        return ""
    if not isinstance(params, dict):
        raise BadRequest("the event's query string parameters are not an object")
    parts: list[str] = []
    for key, values in params.items():
        for value in values if multi and isinstance(values, list) else (values,):
            parts.append(f"{key}={value}" if value != "" else key)
    return "&".join(parts)


def last_forwarded_for(value: Any) -> str:
    """The address the proxy itself appended: the last X-Forwarded-For entry (the first is spoofable)."""
    if isinstance(value, list):
        value = value[-1] if value else ""
    if not isinstance(value, str) or not value:
        return ""
    return value.rsplit(",", 1)[-1].strip()


def scheme_and_port(proto: Any, port: Any) -> tuple[str, str]:
    """The scheme and port the client used, from X-Forwarded-Proto/-Port (values or lists).

    API Gateway and Function URLs are HTTPS only and say so; the local cloud serves them
    over plain HTTP and says that: links and redirects the app builds must use what the
    client used. Anything but "http" is HTTPS, the service's only other answer.
    """
    if type(proto) is list:
        proto, port = proto[-1] if proto else "", port[-1] if type(port) is list and port else ""
    if proto != "http":
        return "https", "443"
    return "http", port if type(port) is str and port.isdigit() else "80"


def request_id(context: Any, request_context: Mapping[str, Any]) -> str:
    rid = getattr(context, "aws_request_id", None) or request_context.get("requestId")
    return rid if isinstance(rid, str) else "-"


# Response header name -> its role for the answer: 0 other, 1 Content-Type, 2
# Content-Encoding, 3 Set-Cookie. A dict lookup instead of lower() and compares per header.
OTHER, CONTENT_TYPE, CONTENT_ENCODING, SET_COOKIE = 0, 1, 2, 3
ROLES: dict[str, int] = {}
_ROLES_MAX = 512


def role(name: str) -> int:
    """The role of a response header name (remembered; the lookup is ``ROLES.get(name)``)."""
    lower = name.lower()
    kind = (
        CONTENT_TYPE
        if lower == "content-type"
        else CONTENT_ENCODING
        if lower == "content-encoding"
        else SET_COOKIE
        if lower == "set-cookie"
        else OTHER
    )
    if len(ROLES) >= _ROLES_MAX:  # names are app-chosen: bound the memory
        ROLES.clear()
    ROLES[name] = kind
    return kind


def group_headers(
    headers: Iterable[tuple[str, str]],
) -> tuple[dict[str, list[str]], str, str]:
    """{name: [values]} from the app's header pairs, plus its Content-Type and Content-Encoding."""
    grouped: dict[str, list[str]] = {}
    content_type = content_encoding = ""
    roles = ROLES
    for name, value in headers:
        values = grouped.get(name)
        if values is None:
            grouped[name] = [value]
        else:
            values.append(value)
        kind = roles.get(name)
        if kind is None:
            kind = role(name)
        if kind == CONTENT_TYPE:
            content_type = value
        elif kind == CONTENT_ENCODING:
            content_encoding = value
    return grouped, content_type, content_encoding


def single_headers(
    headers: Iterable[tuple[str, str]],
) -> tuple[dict[str, str], list[str], str, str]:
    """A single-value map of the app's headers (repeats joined with ","), its Set-Cookie
    values apart (no shape may join those), its Content-Type and Content-Encoding."""
    single: dict[str, str] = {}
    cookies: list[str] = []
    content_type = encoding = ""
    roles = ROLES
    for name, value in headers:
        kind = roles.get(name)
        if kind is None:
            kind = role(name)
        if kind:
            if kind == SET_COOKIE:
                cookies.append(value)
                continue
            if kind == CONTENT_TYPE:
                content_type = value
            else:
                encoding = value
        if name in single:
            single[name] = f"{single[name]},{value}"
        else:
            single[name] = value
    return single, cookies, content_type, encoding


def cookie_casings(count: int) -> list[str]:
    """``count`` distinct casings of Set-Cookie: how several cookies survive a single-value header map."""
    out: list[str] = []
    letters = "setcookie"
    for n in range(count):
        bits = [(n >> i) & 1 for i in range(len(letters))]
        chars = [c.upper() if b else c for c, b in zip(letters, bits, strict=True)]
        out.append("".join(chars[:3]) + "-" + "".join(chars[3:]))
    return out
