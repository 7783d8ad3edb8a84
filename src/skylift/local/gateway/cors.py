"""CORS as HTTP APIs and Function URLs configure it (preflight answered by the gateway).

HTTP APIs store the configuration with camelCase keys, the Lambda API with
PascalCase ones; both are read here.
"""

from __future__ import annotations

from typing import Any

from skylift.local.httpserver import Request, Response


def _get(config: dict[str, Any], key: str) -> Any:
    for name, value in config.items():
        if name.lower() == key.lower():
            return value
    return None


def _origin_allowed(config: dict[str, Any], origin: str | None) -> str | None:
    if not origin:
        return None
    allowed = _get(config, "AllowOrigins") or []
    if "*" in allowed:
        return "*" if not _get(config, "AllowCredentials") else origin
    return origin if origin in allowed else None


def preflight(config: dict[str, Any], request: Request) -> Response:
    headers: list[tuple[str, str]] = []
    origin = _origin_allowed(config, request.header("origin"))
    method = (request.header("access-control-request-method") or "").upper()
    methods = [m.upper() for m in (_get(config, "AllowMethods") or [])]
    if origin and (not methods or "*" in methods or method in methods):
        headers.append(("Access-Control-Allow-Origin", origin))
        headers.append(("Access-Control-Allow-Methods", ",".join(methods) if methods else method))
        allow_headers = _get(config, "AllowHeaders") or []
        if allow_headers:
            requested = request.header("access-control-request-headers")
            value = requested if "*" in allow_headers and requested else ",".join(allow_headers)
            headers.append(("Access-Control-Allow-Headers", value))
        if _get(config, "AllowCredentials"):
            headers.append(("Access-Control-Allow-Credentials", "true"))
        max_age = _get(config, "MaxAge")
        if max_age is not None:
            headers.append(("Access-Control-Max-Age", str(max_age)))
    return Response(204, headers)


def apply_cors(config: dict[str, Any], request: Request, response: Response) -> Response:
    origin = _origin_allowed(config, request.header("origin"))
    if not origin:
        return response
    names = {name.lower() for name, _ in response.headers}
    extra = (
        [] if "access-control-allow-origin" in names else [("Access-Control-Allow-Origin", origin)]
    )
    exposed = _get(config, "ExposeHeaders") or []
    if exposed:
        extra.append(("Access-Control-Expose-Headers", ",".join(exposed)))
    if _get(config, "AllowCredentials"):
        extra.append(("Access-Control-Allow-Credentials", "true"))
    if origin != "*":
        extra.append(("Vary", "Origin"))
    return Response(response.status, [*response.headers, *extra], response.body)
