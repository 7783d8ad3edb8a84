"""Lambda Function URLs: the HTTP API 2.0 payload, with the path still percent-encoded.

A Function URL has no stage and no base path: the app is always mounted at the root.
"""

from __future__ import annotations

from skylift.runtime.events import apigw_v2
from skylift.runtime.events._common import matched
from skylift.runtime.events.apigw_v2 import answer, from_response
from skylift.runtime.http import Request, request_from

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from typing import Any

NAME = "function_url"

__all__ = ["NAME", "answer", "fields", "from_response", "matches", "to_request"]


def matches(event: dict[str, Any]) -> bool:
    if event.get("version") != "2.0":
        return False
    rc = event.get("requestContext")
    if not isinstance(rc, dict) or "http" not in rc:
        return False
    domain = rc.get("domainName")
    return isinstance(domain, str) and ".lambda-url." in domain


def fields(event: dict[str, Any], context: Any, base_path: str) -> tuple[Any, ...] | None:
    return apigw_v2.fields(event, context, "", function_url=True)


def to_request(event: dict[str, Any], context: Any, base_path: str) -> Request:
    return request_from(matched(apigw_v2.fields(event, context, "", function_url=True)))
