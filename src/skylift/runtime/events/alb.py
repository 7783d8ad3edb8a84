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
    matched,
    raw_query,
    single_headers,
    unquote_path,
)
from skylift.runtime.http import (
    STATUS_LINES,
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


def fields(event: dict[str, Any], context: Any, base_path: str) -> tuple[Any, ...] | None:
    """The request's fields (see ``http.request_from``); None when ``matches(event)`` is false."""
    if "httpMethod" not in event:
        return None
    rc = event.get("requestContext")
    if type(rc) is not dict or "elb" not in rc:
        return None
    method = event["httpMethod"]
    path = event.get("path") or "/"
    multi = "multiValueHeaders" in event
    headers = (event.get("multiValueHeaders") if multi else event.get("headers")) or _NONE
    if type(method) is not str or not method or type(path) is not str or type(headers) is not dict:
        raise BadRequest("httpMethod, path or headers is not of the documented type")
    if multi:
        query = raw_query(event.get("multiValueQueryStringParameters"), multi=True)
    else:
        params = event.get("queryStringParameters")
        query = raw_query(params, multi=False) if params else ""
    get = headers.get
    scheme = get("x-forwarded-proto")
    port = get("x-forwarded-port")
    host = get("host")
    agent = get("user-agent")
    if multi or type(scheme) is list or type(port) is list:
        scheme, port = _last(scheme), _last(port)
    if multi or type(host) is list or type(agent) is list:
        host, agent = _last(host), _last(agent)
    forwarded = get("x-forwarded-for")
    if type(forwarded) is str and forwarded:
        # the entry the load balancer added (rsplit(",", 1)[-1], without the list)
        client = forwarded[forwarded.rfind(",") + 1 :].strip()
    else:
        client = last_forwarded_for(forwarded)
    try:
        rid = context.aws_request_id
    except AttributeError:  # no Lambda context (a test, a local call)
        rid = None
    body = event.get("body")
    return (
        method,
        unquote_path(path) if "%" in path else path,
        query,
        headers,
        decode_body(body, event.get("isBase64Encoded")) if body else b"",
        "",
        client,
        scheme if type(scheme) is str and scheme else "http",
        host if type(host) is str else "",
        port if type(port) is str and port else "80",
        agent if type(agent) is str else "",
        rid if type(rid) is str else "-",
        event,
        context,
        multi,
    )


def to_request(event: dict[str, Any], context: Any, base_path: str) -> Request:
    return request_from(matched(fields(event, context, base_path)))


def answer(
    method: str,
    event: dict[str, Any],
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    policy: BodyPolicy,
) -> dict[str, Any]:
    mapping: dict[str, Any]
    if "multiValueHeaders" in event:  # the target group's multi-value mode: answer in it
        kind_of_map = "multiValueHeaders"
        mapping, content_type, encoding = group_headers(headers)
    else:
        kind_of_map = "headers"
        mapping, content_type, encoding = _single(headers)
    text_body, b64 = encode_body(policy, status, method, body, content_type, encoding)
    return {
        "statusCode": status,
        "statusDescription": STATUS_LINES.get(status) or status_line(status),
        kind_of_map: mapping,
        "body": text_body,
        "isBase64Encoded": b64,
    }


def _single(headers: Iterable[tuple[str, str]]) -> tuple[dict[str, str], str, str]:
    """The single-value map of the app's headers: repeats joined with ",", except Set-Cookie."""
    single, cookies, content_type, encoding = single_headers(headers)
    if cookies:
        # One map key per cookie: header names are case-insensitive, map keys are not.
        for casing, value in zip(cookie_casings(len(cookies)), cookies, strict=True):
            single[casing] = value
    return single, content_type, encoding


def from_response(
    request: Request,
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    policy: BodyPolicy,
) -> dict[str, Any]:
    return answer(request.method, request.event, status, headers, body, policy)
