"""API Gateway REST APIs (Lambda proxy, payload 1.0), and HTTP APIs sending payload 1.0.

The request carries ``headers`` and ``multiValueHeaders`` (the latter keeps repeated
headers), decoded query parameters, a ``path`` without the stage (REST; still
percent-encoded) or with it (HTTP API payload 1.0; decoded). The response always uses
``multiValueHeaders``, so every Set-Cookie reaches the client.
"""

from __future__ import annotations

from skylift.runtime.events._common import (
    CONTENT_ENCODING,
    CONTENT_TYPE,
    ROLES,
    encode_query,
    matched,
    mount,
    role,
    scheme_and_port,
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

NAME = "apigw_v1"
_NONE: dict[str, Any] = {}
_HTTPS = ["https"]  # multiValueHeaders' X-Forwarded-Proto


def matches(event: dict[str, Any]) -> bool:
    if "httpMethod" not in event or "methodArn" in event:
        return False
    rc = event.get("requestContext")
    return not (type(rc) is dict and "elb" in rc)


def fields(event: dict[str, Any], context: Any, base_path: str) -> tuple[Any, ...] | None:
    """The request's fields (see ``http.request_from``); None when ``matches(event)`` is false."""
    # Hot path: inlined field checks, no helper calls where a dict lookup does.
    if "httpMethod" not in event or "methodArn" in event:
        return None
    rc = event.get("requestContext")
    if type(rc) is dict and "elb" in rc:
        return None  # an ALB event
    method = event["httpMethod"]
    if not rc:
        rc = _NONE
    elif type(rc) is not dict:
        raise BadRequest("httpMethod, path or requestContext is not of the documented type")
    identity = rc.get("identity") or _NONE
    path = event.get("path") or "/"
    domain = rc.get("domainName") or ""
    stage = rc.get("stage") or ""
    if (
        type(method) is not str
        or not method
        or type(identity) is not dict
        or type(path) is not str
        or type(domain) is not str
        or type(stage) is not str
    ):
        raise BadRequest("httpMethod, path or requestContext is not of the documented type")
    if event.get("version") == "1.0":  # an HTTP API's payload 1.0: stage in the path, decoded
        script_name, path = mount(path, stage, domain, base_path, True)
    else:
        if "%" in path:
            path = unquote_path(path)
        if base_path:
            script_name, path = mount(path, stage, domain, base_path, False)
        elif stage and stage != "$default" and (not domain or ".execute-api." in domain):
            script_name = "/" + stage  # mount()'s answer, inlined for the common case
        else:
            script_name = ""

    # multiValueHeaders keeps repeated headers ("headers" holds the last value of each).
    headers = event.get("multiValueHeaders")
    multi = True
    if not headers:
        headers = event.get("headers") or _NONE
        multi = False
    if type(headers) is not dict:
        raise BadRequest("the event's headers are not an object")
    # REST APIs name it as below; HTTP APIs (payload 1.0) send lower-case names.
    proto = headers.get("X-Forwarded-Proto") or headers.get("x-forwarded-proto")
    if proto is None or proto == "https" or proto == _HTTPS:  # API Gateway: always
        scheme, port = "https", "443"
    else:  # the local cloud's plain HTTP
        scheme, port = scheme_and_port(
            proto, headers.get("X-Forwarded-Port") or headers.get("x-forwarded-port")
        )
    params = event.get("multiValueQueryStringParameters")
    if params:
        query = encode_query(params, multi=True)
    elif "multiValueQueryStringParameters" in event:
        query = ""
    else:
        params = event.get("queryStringParameters")
        query = encode_query(params, multi=False) if params else ""
    body = event.get("body")
    client = identity.get("sourceIp") or ""
    agent = identity.get("userAgent") or ""
    try:
        rid = context.aws_request_id
    except AttributeError:  # no Lambda context (a test, a local call)
        rid = None
    rid = rid or rc.get("requestId") or "-"
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
    grouped: dict[str, list[str]] = {}
    content_type = encoding = ""
    roles = ROLES
    for name, value in headers:  # group_headers(), inline
        if name in grouped:
            grouped[name].append(value)
        else:
            grouped[name] = [value]
        kind = roles.get(name)
        if kind is None:
            kind = role(name)
        if kind == CONTENT_TYPE:
            content_type = value
        elif kind == CONTENT_ENCODING:
            encoding = value
    text_body, b64 = encode_body(policy, status, method, body, content_type, encoding)
    return {
        "statusCode": status,
        "multiValueHeaders": grouped,
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
