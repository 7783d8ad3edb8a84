"""API Gateway HTTP APIs, payload format 2.0.

``rawPath`` arrives already percent-decoded and, on a named stage, starts with the
stage; ``rawQueryString`` is passed on as is; cookies come as a separate array and
go back as one (``cookies``), so each Set-Cookie stays its own header.
"""

from __future__ import annotations

from skylift.runtime.events._common import (
    matched,
    mount,
    scheme_and_port,
    single_headers,
    unquote_path,
)
from skylift.runtime.http import (
    BadRequest,
    BodyPolicy,
    Request,
    decode_body,
    encode_body,
    request_from,
)

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

NAME = "apigw_v2"
_NONE: dict[str, Any] = {}
_ABSENT = object()


def matches(event: dict[str, Any]) -> bool:
    if event.get("version") != "2.0" or "routeArn" in event:
        return False  # routeArn: an HTTP API Lambda authorizer request, not a request to serve
    rc = event.get("requestContext")
    if not isinstance(rc, dict) or "http" not in rc:
        return False
    domain = rc.get("domainName")
    return not (isinstance(domain, str) and ".lambda-url." in domain)


def fields(
    event: dict[str, Any], context: Any, base_path: str, function_url: bool = False
) -> tuple[Any, ...] | None:
    """The request's fields (see ``http.request_from``) of an HTTP API 2.0 event, or of a
    Function URL's: None when the event is not the one asked for (``matches()`` is false).
    """
    # Hot path: inlined field checks, no helper calls where a dict lookup does.
    if event.get("version") != "2.0" or "routeArn" in event:
        return None
    rc = event.get("requestContext")
    if not isinstance(rc, dict):
        return None
    http = rc.get("http", _ABSENT)
    if http is _ABSENT:
        return None
    domain = rc.get("domainName")
    if (isinstance(domain, str) and ".lambda-url." in domain) is not function_url:
        return None
    if type(http) is not dict or type(rc) is not dict:
        raise BadRequest("the event's requestContext.http is not an object")
    method = http.get("method")
    path = event.get("rawPath") or "/"
    domain = domain or ""
    stage = rc.get("stage") or ""
    query = event.get("rawQueryString") or ""
    headers: Any = event.get("headers") or _NONE
    if (
        type(method) is not str
        or not method
        or type(path) is not str
        or type(domain) is not str
        or type(stage) is not str
        or type(query) is not str
        or type(headers) is not dict
    ):
        raise BadRequest("method, rawPath, rawQueryString or headers is not of the documented type")
    if function_url and "%" in path:  # HTTP APIs decode rawPath; Function URLs do not
        path = unquote_path(path)
    if base_path or (stage and stage != "$default"):
        script_name, path = mount(path, stage, domain, base_path, True)
    else:
        script_name = ""  # mount()'s answer for $default without a base path
    proto = headers.get("x-forwarded-proto")
    if proto is None or proto == "https":  # API Gateway and Function URLs: always
        scheme, port = "https", "443"
    else:  # the local cloud's plain HTTP
        scheme, port = scheme_and_port(proto, headers.get("x-forwarded-port"))
    cookies = event.get("cookies")
    if cookies:  # HTTP APIs move Cookie headers to this array: back into a Cookie header
        headers = _with_cookies(headers, cookies)
    client = http.get("sourceIp") or ""
    agent = http.get("userAgent") or ""
    try:
        rid = context.aws_request_id
    except AttributeError:  # no Lambda context (a test, a local call)
        rid = None
    rid = rid or rc.get("requestId") or "-"
    body = event.get("body")
    return (
        method,
        path,
        query,
        headers,
        decode_body(body, event.get("isBase64Encoded")) if body else b"",
        script_name,
        client if type(client) is str else "",
        scheme,
        domain,
        port,
        agent if type(agent) is str else "",
        rid if type(rid) is str else "-",
        event,
        context,
        False,
    )


def _with_cookies(headers: dict[str, Any], cookies: Any) -> dict[str, Any]:
    """The headers with the event's cookies array back in a Cookie header (a new dict)."""
    if type(cookies) is not list:
        raise BadRequest("the event's cookies is not a list")
    cookie = "; ".join(map(str, cookies))
    previous = headers.get("cookie")
    headers = dict(headers)  # the event's own map stays as it came
    if previous is None:
        headers["cookie"] = cookie
    else:  # both: one Cookie header, the map's value first (as the service sent them)
        headers["cookie"] = [*previous, cookie] if type(previous) is list else [previous, cookie]
    return headers


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
    out, cookies, content_type, encoding = single_headers(headers)
    text_body, b64 = encode_body(policy, status, method, body, content_type, encoding)
    return {
        "statusCode": status,
        "headers": out,
        "cookies": cookies,
        "body": text_body,
        "isBase64Encoded": b64,
    }


def from_response(
    request: Request,
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    policy: BodyPolicy,
) -> dict[str, Any]:
    return answer(request.method, request.event, status, headers, body, policy)
