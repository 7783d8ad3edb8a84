"""API Gateway HTTP APIs, payload format 2.0.

``rawPath`` arrives already percent-decoded and, on a named stage, starts with the
stage; ``rawQueryString`` is passed on as is; cookies come as a separate array and
go back as one (``cookies``), so each Set-Cookie stays its own header.
"""

from __future__ import annotations

from skylift.runtime.events._common import (
    mapping,
    mount,
    request_id,
    status_body,
    text,
    unquote_path,
)
from skylift.runtime.http import BadRequest, BodyPolicy, Request, decode_body

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

NAME = "apigw_v2"


def matches(event: dict[str, Any]) -> bool:
    if event.get("version") != "2.0" or "routeArn" in event:
        return False  # routeArn: an HTTP API Lambda authorizer request, not a request to serve
    rc = event.get("requestContext")
    if not isinstance(rc, dict) or "http" not in rc:
        return False
    domain = rc.get("domainName")
    return not (isinstance(domain, str) and ".lambda-url." in domain)


def parse(event: dict[str, Any], context: Any, base_path: str, decoded_path: bool) -> Request:
    rc = mapping(event.get("requestContext"), "requestContext")
    http = mapping(rc.get("http"), "requestContext.http")
    method = http.get("method")
    if not isinstance(method, str) or not method:
        raise BadRequest("the event's requestContext.http.method is not a method name")
    path = text(event.get("rawPath"), "rawPath", "/") or "/"
    if not decoded_path:
        path = unquote_path(path)
    domain = text(rc.get("domainName"), "requestContext.domainName")
    script_name, path = mount(path, text(rc.get("stage"), "stage"), domain, base_path, True)

    headers: Iterable[tuple[str, Any]] = mapping(event.get("headers"), "headers").items()
    cookies = event.get("cookies")
    if cookies:  # HTTP APIs move Cookie headers to this array
        if not isinstance(cookies, list):
            raise BadRequest("the event's cookies is not a list")
        headers = [*headers, ("cookie", "; ".join(map(str, cookies)))]
    return Request(
        method,
        path,
        text(event.get("rawQueryString"), "rawQueryString"),
        headers,
        decode_body(event.get("body"), event.get("isBase64Encoded")),
        script_name,
        text(http.get("sourceIp"), "sourceIp"),
        "https",
        domain,
        "443",
        text(http.get("userAgent"), "userAgent"),
        request_id(context, rc),
        event,
        context,
    )


def to_request(event: dict[str, Any], context: Any, base_path: str) -> Request:
    return parse(event, context, base_path, decoded_path=True)


def from_response(
    request: Request,
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    policy: BodyPolicy,
) -> dict[str, Any]:
    out: dict[str, str] = {}
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
        previous = out.get(name)
        out[name] = value if previous is None else f"{previous},{value}"
    text_body, b64 = status_body(status, request.method, body, policy, content_type, encoding)
    return {
        "statusCode": status,
        "headers": out,
        "cookies": cookies,
        "body": text_body,
        "isBase64Encoded": b64,
    }
