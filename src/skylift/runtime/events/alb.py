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
    raw_query,
    status_body,
    unquote_path,
)
from skylift.runtime.http import BadRequest, BodyPolicy, Request, decode_body, reason_phrase

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

NAME = "alb"
_NONE: dict[str, Any] = {}


def matches(event: dict[str, Any]) -> bool:
    if "httpMethod" not in event:
        return False
    rc = event.get("requestContext")
    return type(rc) is dict and "elb" in rc


def _last(value: Any) -> Any:
    """The value of a single-value map, or the last of a multi-value one."""
    if type(value) is list:
        return value[-1] if value else None
    return value


def to_request(event: dict[str, Any], context: Any, base_path: str) -> Request:
    method = event["httpMethod"]
    path = event.get("path") or "/"
    multi = "multiValueHeaders" in event
    headers = (event.get("multiValueHeaders") if multi else event.get("headers")) or _NONE
    if type(method) is not str or not method or type(path) is not str or type(headers) is not dict:
        raise BadRequest("httpMethod, path or headers is not of the documented type")
    if multi:
        query = raw_query(event.get("multiValueQueryStringParameters"), multi=True)
    else:
        query = raw_query(event.get("queryStringParameters"), multi=False)
    scheme = _last(headers.get("x-forwarded-proto"))
    port = _last(headers.get("x-forwarded-port"))
    host = _last(headers.get("host"))
    agent = _last(headers.get("user-agent"))
    rid = getattr(context, "aws_request_id", None)
    return Request(
        method,
        unquote_path(path) if "%" in path else path,
        query,
        headers.items(),
        decode_body(event.get("body"), event.get("isBase64Encoded")),
        "",
        last_forwarded_for(headers.get("x-forwarded-for")),
        scheme if type(scheme) is str and scheme else "http",
        host if type(host) is str else "",
        port if type(port) is str and port else "80",
        agent if type(agent) is str else "",
        rid if type(rid) is str else "-",
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
    if "multiValueHeaders" in request.event:
        grouped, content_type, encoding = group_headers(headers)
        text_body, b64 = status_body(status, request.method, body, policy, content_type, encoding)
        return {
            "statusCode": status,
            "statusDescription": f"{status} {reason_phrase(status)}".rstrip(),
            "multiValueHeaders": grouped,
            "body": text_body,
            "isBase64Encoded": b64,
        }
    single: dict[str, str] = {}
    cookies: list[str] = []
    content_type = encoding = ""
    for name, value in headers:
        lower = name.lower()
        if lower == "set-cookie":
            cookies.append(value)
            continue
        if lower == "content-type":
            content_type = value
        elif lower == "content-encoding":
            encoding = value
        previous = single.get(name)
        single[name] = value if previous is None else f"{previous},{value}"
    if cookies:
        # One map key per cookie: header names are case-insensitive, map keys are not.
        for casing, value in zip(cookie_casings(len(cookies)), cookies, strict=True):
            single[casing] = value
    text_body, b64 = status_body(status, request.method, body, policy, content_type, encoding)
    return {
        "statusCode": status,
        "statusDescription": f"{status} {reason_phrase(status)}".rstrip(),
        "headers": single,
        "body": text_body,
        "isBase64Encoded": b64,
    }
