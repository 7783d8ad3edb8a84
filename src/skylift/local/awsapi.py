"""Small helpers for answering AWS API calls the way botocore expects."""

from __future__ import annotations

import json
from typing import Any

from skylift.local.httpserver import Request, Response

DEFAULT_REGION = "us-east-1"


def signed_scope(request: Request) -> tuple[str, str] | None:
    """(service, region) from a SigV4 ``Authorization`` header's credential scope."""
    auth = request.header("authorization")
    if not auth or not auth.startswith("AWS4-"):
        return None
    start = auth.find("Credential=")
    if start < 0:
        return None
    scope = auth[start + len("Credential=") :].split(",", 1)[0].split("/")
    if len(scope) < 5:
        return None
    return scope[3].lower(), scope[2]


def rest_error(status: int, error_type: str, message: str, **extra: Any) -> Response:
    """An error in the REST-JSON protocol (Lambda): type in a header, message in the body."""
    body = {"Type": "User", "Message": message, "message": message, **extra}
    return Response(
        status,
        [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)],
        json.dumps(body).encode(),
    )


def json_error(status: int, error_type: str, message: str) -> Response:
    """An error in the JSON protocol (CloudWatch Logs, EventBridge)."""
    body = {"__type": error_type, "message": message}
    return Response(
        status, [("Content-Type", "application/x-amz-json-1.1")], json.dumps(body).encode()
    )


def moto_error(exc: Exception) -> Response | None:
    """moto's own error (a REST error with a type and a status), answered as Lambda would."""
    error_type = getattr(exc, "error_type", None)
    status = getattr(exc, "code", None)
    if not isinstance(error_type, str) or not isinstance(status, int):
        return None
    return rest_error(status, error_type, str(getattr(exc, "message", exc)))
