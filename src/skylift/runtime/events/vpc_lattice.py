"""Amazon VPC Lattice target groups, event structure versions 1 and 2.

Version 2 (``"version": "2.0"``) sends headers and query parameters as lists and a
request context; version 1 uses snake_case keys (``raw_path``, ``is_base64_encoded``,
``query_string_parameters``). Neither carries a source address in its context: the
client is the last X-Forwarded-For entry, the one Lattice appended.
"""

from __future__ import annotations

from skylift.runtime.events._common import (
    encode_query,
    group_headers,
    last_forwarded_for,
    mapping,
    matched,
    request_id,
    text,
    unquote_path,
)
from skylift.runtime.http import (
    BadRequest,
    BodyPolicy,
    Request,
    decode_body,
    encode_body,
    request_from,
    status_line,
)

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

NAME = "vpc_lattice"


def matches(event: dict[str, Any]) -> bool:
    if "method" not in event or "httpMethod" in event:
        return False
    if event.get("version") == "2.0":
        rc = event.get("requestContext")
        return isinstance(rc, dict) and "serviceArn" in rc
    return "raw_path" in event


def fields(event: dict[str, Any], context: Any, base_path: str) -> tuple[Any, ...] | None:
    """The request's fields (see ``http.request_from``); None when ``matches(event)`` is false."""
    if not matches(event):
        return None
    method = event["method"]
    if not isinstance(method, str) or not method:
        raise BadRequest("the event's method is not a method name")
    v2 = event.get("version") == "2.0"
    raw = text(event.get("path" if v2 else "raw_path"), "path", "/") or "/"
    path, _, query = raw.partition("?")
    params_key = "queryStringParameters" if v2 else "query_string_parameters"
    if event.get(params_key):
        query = encode_query(event[params_key], multi=v2)
    headers_map = mapping(event.get("headers"), "headers")

    def first(name: str) -> str:
        value = headers_map.get(name)
        if isinstance(value, list):
            value = value[-1] if value else ""
        return value if isinstance(value, str) else ""

    scheme = first("x-forwarded-proto") or "https"
    is_b64 = event.get("isBase64Encoded" if v2 else "is_base64_encoded")
    return (
        method,
        unquote_path(path or "/"),
        query,
        headers_map,
        decode_body(event.get("body"), is_b64),
        "",
        last_forwarded_for(headers_map.get("x-forwarded-for")),
        scheme,
        first("host"),
        first("x-forwarded-port") or ("443" if scheme == "https" else "80"),
        first("user-agent"),
        request_id(context, {}),
        event,
        context,
        v2,
    )


def to_request(event: dict[str, Any], context: Any, base_path: str) -> Request:
    return request_from(matched(fields(event, context, base_path)))


def from_response(
    request: Request,
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    policy: BodyPolicy,
) -> dict[str, Any]:
    return answer(request.method, request.event, status, headers, body, policy)


def answer(
    method: str,
    event: dict[str, Any],
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    policy: BodyPolicy,
) -> dict[str, Any]:
    grouped, content_type, encoding = group_headers(headers)
    text_body, b64 = encode_body(policy, status, method, body, content_type, encoding)
    # Lattice takes a list where a header repeats (several Set-Cookie), a string otherwise.
    return {
        "statusCode": status,
        "statusDescription": status_line(status),
        "headers": {k: v[0] if len(v) == 1 else v for k, v in grouped.items()},
        "body": text_body,
        "isBase64Encoded": b64,
    }
