"""API Gateway Lambda authorizer requests (REST TOKEN/REQUEST, HTTP API REQUEST 1.0/2.0)."""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from typing import Any


def matches(event: dict[str, Any]) -> bool:
    return event.get("type") in ("TOKEN", "REQUEST") and (
        "methodArn" in event or "routeArn" in event
    )
