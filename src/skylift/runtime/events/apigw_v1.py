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
    mount,
    status_body,
    unquote_path,
)
from skylift.runtime.http import BadRequest, BodyPolicy, Request, decode_body

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

NAME = "apigw_v1"
_NONE: dict[str, Any] = {}


def matches(event: dict[str, Any]) -> bool:
    if "httpMethod" not in event or "methodArn" in event:
        return False
    rc = event.get("requestContext")
    return not (type(rc) is dict and "elb" in rc)


def to_request(event: dict[str, Any], context: Any, base_path: str) -> Request:
    # Hot path: inlined field checks, no helper calls where a dict lookup does.
    method = event["httpMethod"]
    rc = event.get("requestContext") or _NONE
    identity = rc.get("identity") or _NONE if type(rc) is dict else None
    path = event.get("path") or "/"
    domain = rc.get("domainName") or "" if type(rc) is dict else ""
    stage = rc.get("stage") or "" if type(rc) is dict else ""
    if (
        type(method) is not str
        or not method
        or type(identity) is not dict
        or type(path) is not str
        or type(domain) is not str
        or type(stage) is not str
    ):
        raise BadRequest("httpMethod, path or requestContext is not of the documented type")
    http_api = event.get("version") == "1.0"  # REST events carry no version
    if not http_api and "%" in path:
        path = unquote_path(path)
    script_name, path = mount(path, stage, domain, base_path, http_api)

    # multiValueHeaders keeps repeated headers; "headers" holds the last value of each.
    # When nothing repeats (one value per name: the sum of the list lengths is the number
    # of names) the single-value map says the same thing and is cheaper to walk.
    headers = event.get("multiValueHeaders")
    single = event.get("headers")
    if not headers or (
        type(single) is dict
        and type(headers) is dict
        and len(single) == len(headers)
        and sum(map(len, headers.values())) == len(headers)
    ):
        headers = single or _NONE
    if type(headers) is not dict:
        raise BadRequest("the event's headers are not an object")
    if "multiValueQueryStringParameters" in event:
        query = encode_query(event["multiValueQueryStringParameters"], multi=True)
    else:
        query = encode_query(event.get("queryStringParameters"), multi=False)
    client = identity.get("sourceIp") or ""
    agent = identity.get("userAgent") or ""
    rid = getattr(context, "aws_request_id", None) or rc.get("requestId") or "-"
    return Request(
        method,
        path,
        query,
        headers.items(),
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
