"""Authorizers and API keys, enforced as the API is configured.

- REST APIs: AWS_IAM (a SigV4 ``Authorization`` header must be present),
  Lambda authorizers (TOKEN and REQUEST, IAM policy answers, result caching
  by identity for ``authorizerResultTtlInSeconds``), Cognito user pools and
  API keys (``x-api-key`` valid for the API's stage through a usage plan).
- HTTP APIs: AWS_IAM, Lambda authorizers (payload 1.0 and 2.0, simple or
  policy answers) and JWT authorizers (issuer, audience, expiry and scopes).

Signatures are not verified: the local cloud's credentials and issuers are
fake, so a token's claims are checked, never its signature.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from skylift.local.gateway.common import json_message
from skylift.local.httpserver import Request, Response

UNAUTHORIZED = ("Unauthorized", 401)


class Denied(Exception):
    """The request stops at the door with this response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def unauthorized() -> Denied:
    return Denied(json_message(401, "Unauthorized"))


def forbidden(message: str = "Forbidden", key: str = "message") -> Denied:
    return Denied(json_message(403, message, key))


def missing_token() -> Denied:
    return Denied(json_message(403, "Missing Authentication Token"))


def authorizer_error() -> Denied:
    return Denied(
        Response.json(b'{"message":null}', 500, x_amzn_ErrorType="AuthorizerConfigurationException")
    )


def require_sigv4(request: Request) -> dict[str, Any]:
    """AWS_IAM: the caller must sign; the identity fields API Gateway fills from the signature."""
    auth = request.header("authorization") or ""
    if not auth.startswith("AWS4-HMAC-SHA256"):
        raise missing_token()
    match = re.search(r"Credential=([^/]+)/", auth)
    access_key = match.group(1) if match else None
    return {"accessKey": access_key, "caller": access_key, "user": access_key}


# --- JWT ------------------------------------------------------------------------------------------


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT (``Bearer`` prefix allowed); raises Denied(401) if it is not one."""
    token = token.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise unauthorized()
    padded = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError):
        raise unauthorized() from None
    if not isinstance(claims, dict):
        raise unauthorized()
    expires = claims.get("exp")
    if isinstance(expires, (int, float)) and expires < time.time():
        raise unauthorized()
    return claims


def check_jwt(
    claims: dict[str, Any], issuer: str | None, audiences: list[str], scopes: list[str]
) -> None:
    if issuer and claims.get("iss") != issuer:
        raise unauthorized()
    if audiences:
        audience = claims.get("aud", claims.get("client_id"))
        given = audience if isinstance(audience, list) else [audience]
        if not set(map(str, given)) & set(audiences):
            raise unauthorized()
    if scopes:
        granted = set(str(claims.get("scope", "")).split()) | set(claims.get("scp") or [])
        if not set(scopes) & granted:
            raise forbidden()


# --- IAM policies from Lambda authorizers ------------------------------------------------------------


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def policy_allows(policy: Any, resource_arn: str) -> bool:
    """Explicit Deny wins, then any Allow of ``execute-api:Invoke`` on a matching resource."""
    if not isinstance(policy, dict):
        raise authorizer_error()
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    allowed = False
    for statement in statements:
        if not isinstance(statement, dict):
            continue
        actions = _as_list(statement.get("Action"))
        if not any(fnmatch.fnmatchcase("execute-api:Invoke", action) for action in actions):
            continue
        if not any(
            fnmatch.fnmatchcase(resource_arn, res) for res in _as_list(statement.get("Resource"))
        ):
            continue
        effect = str(statement.get("Effect", "")).lower()
        if effect == "deny":
            raise forbidden(
                "User is not authorized to access this resource with an explicit deny", "Message"
            )
        if effect == "allow":
            allowed = True
    return allowed


def stringify_context(context: Any) -> dict[str, Any]:
    """API Gateway passes authorizer context values on as strings, numbers or booleans only."""
    if not isinstance(context, dict):
        return {}
    return {str(k): v for k, v in context.items() if isinstance(v, (str, int, float, bool))}


# --- results cache -------------------------------------------------------------------------------------


@dataclass
class CachedResult:
    expires: float
    result: dict[str, Any]


class ResultCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._entries: dict[tuple[Any, ...], CachedResult] = {}
        self._lock = threading.Lock()
        self._clock = clock

    def get(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.expires <= self._clock():
                self._entries.pop(key, None)
                return None
            return entry.result

    def put(self, key: tuple[Any, ...], result: dict[str, Any], ttl: float) -> None:
        if ttl <= 0:
            return
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = CachedResult(self._clock() + ttl, result)


# --- API keys ---------------------------------------------------------------------------------------------


def check_api_key(backend: Any, api_id: str, stage: str, value: str | None) -> dict[str, str]:
    """A REST API key valid for this API and stage through a usage plan; raises 403 otherwise."""
    if not value:
        raise forbidden()
    key = next((k for k in backend.keys.values() if k.value == value), None)
    if key is None or not key.enabled:
        raise forbidden()
    for plan_id, plan in backend.usage_plans.items():
        stages = plan.api_stages or []
        if not any(s.get("apiId") == api_id and s.get("stage") == stage for s in stages):
            continue
        if key.id in backend.usage_plan_keys.get(plan_id, {}):
            return {"apiKey": key.value, "apiKeyId": key.id}
    raise forbidden()


def identity_value(
    source: str, request: Request, query: dict[str, list[str]], stage_vars: dict[str, str]
) -> str | None:
    """One identity source: ``method.request.header.X`` (REST) or ``$request.header.X`` (HTTP)."""
    source = source.strip()
    for prefix in ("method.request.", "$request."):
        if source.startswith(prefix):
            kind, _, name = source[len(prefix) :].partition(".")
            if kind == "header":
                return request.header(name)
            if kind == "querystring":
                values = query.get(name)
                return values[-1] if values else None
            return None
    for prefix in ("stageVariables.", "$stageVariables."):
        if source.startswith(prefix):
            return stage_vars.get(source[len(prefix) :])
    return None
