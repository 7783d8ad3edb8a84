"""API Gateway REST APIs (Lambda proxy, payload 1.0), and HTTP APIs sending payload 1.0.

The request carries ``headers`` and ``multiValueHeaders`` (the latter keeps repeated
headers), decoded query parameters, a ``path`` without the stage (REST; still
percent-encoded) or with it (HTTP API payload 1.0; decoded). The response always uses
``multiValueHeaders``, so every Set-Cookie reaches the client.
"""

from __future__ import annotations

from skylift.runtime.events._common import (
    encode_query,
    group_headers,
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

NAME = "apigw_v1"


def matches(event: dict[str, Any]) -> bool:
    if "httpMethod" not in event or "methodArn" in event:
        return False
    rc = event.get("requestContext")
    return not (isinstance(rc, dict) and "elb" in rc)


def to_request(event: dict[str, Any], context: Any, base_path: str) -> Request:
    method = event["httpMethod"]
    if not isinstance(method, str) or not method:
        raise BadRequest("the event's httpMethod is not a method name")
    rc = mapping(event.get("requestContext"), "requestContext")
    identity = mapping(rc.get("identity"), "requestContext.identity")
    http_api = event.get("version") == "1.0"  # REST events carry no version
    path = text(event.get("path"), "path", "/") or "/"
    if not http_api:
        path = unquote_path(path)
    domain = text(rc.get("domainName"), "requestContext.domainName")
    script_name, path = mount(path, text(rc.get("stage"), "stage"), domain, base_path, http_api)

    multi = event.get("multiValueHeaders")
    if multi:  # keeps repeated headers; the single-value map has only the last of each
        headers = mapping(multi, "multiValueHeaders").items()
    else:
        headers = mapping(event.get("headers"), "headers").items()
    if "multiValueQueryStringParameters" in event:
        query = encode_query(event["multiValueQueryStringParameters"], multi=True)
    else:
        query = encode_query(event.get("queryStringParameters"), multi=False)

    return Request(
        method,
        path,
        query,
        headers,
        decode_body(event.get("body"), event.get("isBase64Encoded")),
        script_name,
        text(identity.get("sourceIp"), "sourceIp"),
        "https",
        domain,
        "443",
        text(identity.get("userAgent"), "userAgent"),
        request_id(context, rc),
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
    return {
        "statusCode": status,
        "multiValueHeaders": grouped,
        "body": text_body,
        "isBase64Encoded": b64,
    }
