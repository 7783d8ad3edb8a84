"""Lambda results into HTTP responses, with API Gateway's rules for each payload format.

REST APIs (v1) accept only ``statusCode``, ``headers``, ``multiValueHeaders``,
``body`` (a string) and ``isBase64Encoded``; anything else is a malformed
proxy response: 502 ``{"message": "Internal server error"}``. HTTP APIs and
Function URLs (v2) also take ``cookies``, and a result without ``statusCode``
is the body of a 200.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from skylift.local.gateway.common import media_type_matches
from skylift.local.httpserver import Response

V1_KEYS = {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
V2_KEYS = V1_KEYS | {"cookies"}


class Malformed(Exception):
    """The function answered something the gateway cannot turn into HTTP."""


def _status(value: Any) -> int:
    if isinstance(value, bool):
        raise Malformed("statusCode must be a number")
    if isinstance(value, int):
        status = value
    elif isinstance(value, str) and value.isdigit():
        status = int(value)
    else:
        raise Malformed(f"statusCode must be a number, not {value!r}")
    if not 100 <= status <= 599:
        raise Malformed(f"statusCode {status} is not an HTTP status")
    return status


def _scalar(value: Any, what: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise Malformed(f"{what} must be a string, not {type(value).__name__}")


def _body(result: dict[str, Any], decode: bool) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise Malformed("body must be a string")
    if result.get("isBase64Encoded") and decode:
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise Malformed("isBase64Encoded is true but the body is not base64") from None
    return body.encode("utf-8")


def _headers(result: dict[str, Any], v2: bool) -> list[tuple[str, str]]:
    single = result.get("headers") or {}
    multiple = {} if v2 else (result.get("multiValueHeaders") or {})
    if not isinstance(single, dict) or not isinstance(multiple, dict):
        raise Malformed("headers must be an object")
    headers: list[tuple[str, str]] = []
    for name, values in multiple.items():
        if not isinstance(values, list):
            raise Malformed("multiValueHeaders values must be lists")
        headers.extend((str(name), _scalar(value, f"header {name}")) for value in values)
    taken = {name.lower() for name in multiple}
    for name, value in single.items():
        if str(name).lower() not in taken:
            headers.append((str(name), _scalar(value, f"header {name}")))
    return headers


def map_v1(payload: bytes, binary_types: list[str], accept: str | None) -> Response:
    """A REST API proxy response; base64 bodies become binary only where binaryMediaTypes say so."""
    try:
        result = json.loads(payload)
    except ValueError:
        raise Malformed("the result is not JSON") from None
    if not isinstance(result, dict):
        raise Malformed("the result is not an object")
    extra = set(result) - V1_KEYS
    if extra:
        raise Malformed(f"unexpected field(s) {', '.join(sorted(extra))}")
    status = _status(result.get("statusCode"))
    headers = _headers(result, v2=False)
    content_type = next((v for n, v in headers if n.lower() == "content-type"), None)
    first_accept = (accept or "").split(",")[0].strip()
    binary = media_type_matches(first_accept, binary_types) or media_type_matches(
        content_type, binary_types
    )
    return Response(status, headers, _body(result, decode=binary))


def map_v2(payload: bytes) -> Response:
    """An HTTP API / Function URL response (payload format 2.0)."""
    try:
        result = json.loads(payload)
    except ValueError:
        raise Malformed("the result is not JSON") from None
    if not isinstance(result, dict) or "statusCode" not in result:
        body = result if isinstance(result, str) else json.dumps(result)
        return Response(200, [("Content-Type", "application/json")], body.encode("utf-8"))
    status = _status(result["statusCode"])
    headers = _headers(result, v2=True)
    cookies = result.get("cookies") or []
    if not isinstance(cookies, list):
        raise Malformed("cookies must be a list")
    headers.extend(("Set-Cookie", _scalar(cookie, "cookie")) for cookie in cookies)
    if not any(name.lower() == "content-type" for name, _ in headers) and result.get("body"):
        headers.append(("Content-Type", "application/json"))
    return Response(status, headers, _body(result, decode=True))


def map_v1_lenient(payload: bytes) -> Response:
    """HTTP API with payload format 1.0: v1 shape, bodies always decoded."""
    try:
        result = json.loads(payload)
    except ValueError:
        raise Malformed("the result is not JSON") from None
    if not isinstance(result, dict):
        raise Malformed("the result is not an object")
    status = _status(result.get("statusCode"))
    return Response(status, _headers(result, v2=False), _body(result, decode=True))
