"""API Gateway HTTP APIs, payload format 2.0.

``rawPath`` arrives already percent-decoded and, on a named stage, starts with the
stage; ``rawQueryString`` is passed on as is; cookies come as a separate array and
go back as one (``cookies``), so each Set-Cookie stays its own header.
"""

from __future__ import annotations

from skylift.runtime.events._common import (
    mount,
    status_body,
    unquote_path,
)
from skylift.runtime.http import BadRequest, BodyPolicy, Request, decode_body

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

NAME = "apigw_v2"
_NONE: dict[str, Any] = {}


def matches(event: dict[str, Any]) -> bool:
    if event.get("version") != "2.0" or "routeArn" in event:
        return False  # routeArn: an HTTP API Lambda authorizer request, not a request to serve
    rc = event.get("requestContext")
    if not isinstance(rc, dict) or "http" not in rc:
        return False
    domain = rc.get("domainName")
    return not (isinstance(domain, str) and ".lambda-url." in domain)


def parse(event: dict[str, Any], context: Any, base_path: str, decoded_path: bool) -> Request:
    # Hot path: inlined field checks, no helper calls where a dict lookup does.
    rc = event.get("requestContext")
    http = rc.get("http") if type(rc) is dict else None
    if type(http) is not dict:
        raise BadRequest("the event's requestContext.http is not an object")
    method = http.get("method")
    path = event.get("rawPath") or "/"
    domain = rc.get("domainName") or ""  # type: ignore[union-attr]
    stage = rc.get("stage") or ""  # type: ignore[union-attr]
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
    if not decoded_path and "%" in path:
        path = unquote_path(path)
    script_name, path = mount(path, stage, domain, base_path, True)
    headers = headers.items()
    cookies = event.get("cookies")
    if cookies:  # HTTP APIs move Cookie headers to this array
        if type(cookies) is not list:
            raise BadRequest("the event's cookies is not a list")
        headers = [*headers, ("cookie", "; ".join(map(str, cookies)))]
    client = http.get("sourceIp") or ""
    agent = http.get("userAgent") or ""
    rid = getattr(context, "aws_request_id", None) or rc.get("requestId") or "-"  # type: ignore[union-attr]
    return Request(
        method,
        path,
        query,
        headers,
        decode_body(event.get("body"), event.get("isBase64Encoded")),
        script_name,
        client if type(client) is str else "",
        "https",
        domain,
        "443",
        agent if type(agent) is str else "",
        rid if type(rid) is str else "-",
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
