"""Application Load Balancer target groups, in single-value or multi-value header mode.

The mode is the target group's setting; the event shows it (``multiValueHeaders`` and
``multiValueQueryStringParameters`` instead of the single-value maps) and the answer
must use the same mode. Query parameters and the path arrive still percent-encoded.
ALB events carry no source address: the client is the LAST X-Forwarded-For entry,
the one the load balancer appended (the first is whatever the client sent).
"""

from __future__ import annotations

from skylift.runtime.events._common import (
    cookie_casings,
    group_headers,
    last_forwarded_for,
    mapping,
    raw_query,
    request_id,
    status_body,
    text,
    unquote_path,
)
from skylift.runtime.http import BadRequest, BodyPolicy, Request, decode_body, reason_phrase

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

NAME = "alb"


def matches(event: dict[str, Any]) -> bool:
    if "httpMethod" not in event:
        return False
    rc = event.get("requestContext")
    return isinstance(rc, dict) and "elb" in rc


def to_request(event: dict[str, Any], context: Any, base_path: str) -> Request:
    method = event["httpMethod"]
    if not isinstance(method, str) or not method:
        raise BadRequest("the event's httpMethod is not a method name")
    path = unquote_path(text(event.get("path"), "path", "/") or "/")
    multi = "multiValueHeaders" in event
    if multi:
        headers_map = mapping(event.get("multiValueHeaders"), "multiValueHeaders")
        headers = headers_map.items()
        query = raw_query(event.get("multiValueQueryStringParameters"), multi=True)
    else:
        headers_map = mapping(event.get("headers"), "headers")
        headers = headers_map.items()
        query = raw_query(event.get("queryStringParameters"), multi=False)

    def first(name: str) -> Any:
        value = headers_map.get(name)
        return value[-1] if isinstance(value, list) and value else value

    scheme = first("x-forwarded-proto")
    port = first("x-forwarded-port")
    return Request(
        method,
        path,
        query,
        headers,
        decode_body(event.get("body"), event.get("isBase64Encoded")),
        "",
        last_forwarded_for(headers_map.get("x-forwarded-for")),
        scheme if isinstance(scheme, str) and scheme else "http",
        str(first("host") or ""),
        port if isinstance(port, str) and port else "80",
        str(first("user-agent") or ""),
        request_id(context, {}),
        event,
        context,
    )


def from_response(
    request: Request,
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    policy: BodyPolicy,
) -> dict[str, Any]:
    grouped, content_type, encoding = group_headers(headers)
    text_body, b64 = status_body(status, request.method, body, policy, content_type, encoding)
    out: dict[str, Any] = {
        "statusCode": status,
        "statusDescription": f"{status} {reason_phrase(status)}".rstrip(),
        "body": text_body,
        "isBase64Encoded": b64,
    }
    if "multiValueHeaders" in request.event:
        out["multiValueHeaders"] = grouped
        return out
    single: dict[str, str] = {}
    for name, values in grouped.items():
        if len(values) == 1:
            single[name] = values[0]
        elif name.lower() == "set-cookie":
            # One map key per cookie: header names are case-insensitive, map keys are not.
            for casing, value in zip(cookie_casings(len(values)), values, strict=True):
                single[casing] = value
        else:
            single[name] = ",".join(values)
    out["headers"] = single
    return out
