"""HTTP APIs (API Gateway v2): routes, ``$default`` stage, payload format 2.0 (and 1.0)."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from skylift.local.gateway import auth
from skylift.local.gateway.common import (
    best_match,
    client_headers,
    cookies_of,
    decode_path,
    encode_body,
    is_text,
    json_message,
    multi,
    new_request_id,
    query_pairs,
    request_times,
    split_target,
)
from skylift.local.gateway.cors import apply_cors, preflight
from skylift.local.gateway.responses import Malformed, map_v1_lenient, map_v2
from skylift.local.gateway.rest import function_from_uri
from skylift.local.httpserver import Request, Response

if TYPE_CHECKING:
    from skylift.local.gateway.door import Gateway

HTTP_TIMEOUT_MS = 30_000


def v2_event(
    request: Request,
    port: int,
    account_id: str,
    api_id: str,
    route_key: str,
    stage: str,
    raw_path: str,
    raw_query: str,
    parameters: dict[str, str],
) -> dict[str, Any]:
    """The 2.0 event HTTP APIs and Function URLs send: lower-case headers, cookies apart."""
    headers: dict[str, str] = {}
    for name, value in client_headers(request, port):
        key = name.lower()
        if key == "cookie":
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    pairs = query_pairs(raw_query)
    body, encoded = encode_body(request.body, not is_text(request.header("content-type")))
    stamp, epoch = request_times()
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": account_id,
            "apiId": api_id,
            "domainName": request.host or "127.0.0.1",
            "domainPrefix": api_id,
            "http": {
                "method": request.method,
                "path": decode_path(raw_path),
                "protocol": request.version,
                "sourceIp": request.client[0],
                "userAgent": request.header("user-agent") or "",
            },
            "requestId": new_request_id(),
            "routeKey": route_key,
            "stage": stage,
            "time": stamp,
            "timeEpoch": epoch,
        },
        "isBase64Encoded": encoded,
    }
    cookies = cookies_of(request.headers)
    if cookies:
        event["cookies"] = cookies
    if pairs:
        event["queryStringParameters"] = {k: ",".join(v) for k, v in multi(pairs).items()}
    if parameters:
        event["pathParameters"] = {k: decode_path(v) for k, v in parameters.items()}
    if body is not None:
        event["body"] = body
    return event


def v1_from_v2(event: dict[str, Any], request: Request, port: int) -> dict[str, Any]:
    """Payload format 1.0 for an HTTP API: the REST shape, plus ``version``."""
    context = event["requestContext"]
    headers = client_headers(request, port)
    pairs = query_pairs(event.get("rawQueryString", ""))
    stamp, epoch = request_times()
    return {
        "version": "1.0",
        "resource": event["routeKey"].partition(" ")[2] or event["routeKey"],
        "path": context["http"]["path"],
        "httpMethod": request.method,
        "headers": dict(headers) or None,
        "multiValueHeaders": multi(headers) or None,
        "queryStringParameters": dict(pairs) or None,
        "multiValueQueryStringParameters": multi(pairs) or None,
        "pathParameters": event.get("pathParameters"),
        "stageVariables": event.get("stageVariables"),
        "requestContext": {
            "accountId": context["accountId"],
            "apiId": context["apiId"],
            "authorizer": context.get("authorizer"),
            "domainName": context["domainName"],
            "domainPrefix": context["domainPrefix"],
            "extendedRequestId": context["requestId"],
            "httpMethod": request.method,
            "identity": {"sourceIp": request.client[0], "userAgent": request.header("user-agent")},
            "path": context["http"]["path"],
            "protocol": request.version,
            "requestId": context["requestId"],
            "requestTime": stamp,
            "requestTimeEpoch": epoch,
            "resourcePath": event["routeKey"].partition(" ")[2] or event["routeKey"],
            "stage": context["stage"],
        },
        "body": event.get("body"),
        "isBase64Encoded": event.get("isBase64Encoded", False),
    }


class HttpApis:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.cache = auth.ResultCache()

    def serve(self, api: Any, region: str, target: str, request: Request) -> Response:
        raw_path, raw_query = split_target(target)
        first, _, rest = raw_path.lstrip("/").partition("/")
        stage_name = unquote(first)
        if stage_name in api.stages and (stage_name != "$default" or first == "$default"):
            stage_path = "/" + rest
        elif "$default" in api.stages:
            stage_name, stage_path = "$default", raw_path
        else:
            return json_message(404, "Not Found")
        stage = api.stages[stage_name]
        cors = api.cors_configuration
        if cors and request.method == "OPTIONS" and request.header("access-control-request-method"):
            return preflight(cors, request)
        route, parameters = self._route(api, request.method, decode_path(stage_path))
        if route is None:
            return json_message(404, "Not Found")
        event_path = raw_path if stage_name != "$default" or first != "$default" else stage_path
        event = v2_event(
            request,
            self.gateway.port,
            self.gateway.account_id,
            api.api_id,
            route.route_key,
            stage_name,
            event_path,
            raw_query,
            parameters,
        )
        stage_vars = dict(stage.stage_variables or {})
        if stage_vars:
            event["stageVariables"] = stage_vars
        try:
            self._authorize(api, route, region, stage_name, request, event)
        except auth.Denied as denied:
            return denied.response
        # API Gateway calls as arn:…:execute-api:region:account:api/stage/$default (the
        # $default route) or …/stage/METHOD/path
        where = (
            f"{stage_name}/$default"
            if route.route_key == "$default"
            else f"{stage_name}/{request.method}{decode_path(stage_path)}"
        )
        response = self._integrate(api, route, region, event, stage_vars, request, where)
        return apply_cors(cors, request, response) if cors else response

    def _route(self, api: Any, method: str, path: str) -> tuple[Any, dict[str, str]]:
        by_template: dict[str, dict[str, Any]] = {}
        default = None
        for route in list(api.routes.values()):
            if route.route_key == "$default":
                default = route
                continue
            verb, _, template = route.route_key.partition(" ")
            by_template.setdefault(template, {})[verb.upper()] = route
        candidates = [t for t, verbs in by_template.items() if method in verbs or "ANY" in verbs]
        match = best_match(candidates, path)
        if match is not None:
            verbs = by_template[match.template]
            return verbs.get(method) or verbs["ANY"], match.parameters
        return default, {}

    def _integrate(
        self,
        api: Any,
        route: Any,
        region: str,
        event: dict[str, Any],
        stage_vars: dict[str, str],
        request: Request,
        where: str,
    ) -> Response:
        integration_id = (route.target or "").rpartition("/")[2]
        integration = api.integrations.get(integration_id)
        if integration is None or (integration.integration_type or "").upper() != "AWS_PROXY":
            kind = getattr(integration, "integration_type", None) or "no"
            self.gateway.log(
                f"HTTP API {api.api_id}: route {route.route_key} has {kind} integration; only AWS_PROXY to Lambda is served locally"
            )
            return json_message(500, "Internal Server Error")
        function_arn = function_from_uri(integration.integration_uri or "", stage_vars)
        version = integration.payload_format_version or "2.0"
        if version == "1.0":
            event = v1_from_v2(event, request, self.gateway.port)
        timeout_ms = int(integration.timeout_in_millis or HTTP_TIMEOUT_MS)
        caller = self.gateway.api_caller(region, api.api_id, where, integration.credentials_arn)
        call = self.gateway.invoke(
            function_arn,
            region,
            event,
            min(timeout_ms, HTTP_TIMEOUT_MS) / 1000,
            caller,
            json_message(500, "Internal Server Error"),
        )
        if call.response is not None:
            return call.response
        assert call.outcome is not None
        if not call.outcome.ok:
            return json_message(500, "Internal Server Error")
        try:
            return (
                map_v1_lenient(call.outcome.payload)
                if version == "1.0"
                else map_v2(call.outcome.payload)
            )
        except Malformed as exc:
            self.gateway.log(f"HTTP API {api.api_id}: malformed Lambda response ({exc})")
            return json_message(500, "Internal Server Error")

    def _authorize(
        self, api: Any, route: Any, region: str, stage: str, request: Request, event: dict[str, Any]
    ) -> None:
        kind = (route.authorization_type or "NONE").upper()
        context = event["requestContext"]
        if kind == "AWS_IAM":
            context["authorizer"] = {"iam": auth.require_sigv4(request)}
            return
        if kind not in ("JWT", "CUSTOM"):
            return
        authorizer = api.authorizers.get(route.authorizer_id)
        if authorizer is None:
            raise auth.authorizer_error()
        sources = authorizer.identity_source or ["$request.header.Authorization"]
        if isinstance(sources, str):
            sources = [s for s in sources.split(",") if s.strip()]
        query = multi(query_pairs(request.query))
        values = [
            auth.identity_value(s, request, query, event.get("stageVariables") or {})
            for s in sources
        ]
        if any(not value for value in values):
            raise auth.unauthorized()
        if kind == "JWT":
            # the API stores the configuration as sent: camelCase over REST, either way here
            config = {str(k).lower(): v for k, v in (authorizer.jwt_config or {}).items()}
            claims = auth.jwt_claims(values[0] or "")
            auth.check_jwt(
                claims,
                config.get("issuer"),
                list(config.get("audience") or []),
                list(route.authorization_scopes or []),
            )
            scope = claims.get("scope")
            context["authorizer"] = {
                "jwt": {
                    "claims": {
                        k: v if isinstance(v, str) else json.dumps(v) for k, v in claims.items()
                    },
                    "scopes": scope.split() if isinstance(scope, str) else None,
                }
            }
            return
        route_arn = f"arn:aws:execute-api:{region}:{self.gateway.account_id}:{api.api_id}/{stage}/{request.method}{event['requestContext']['http']['path']}"
        context["authorizer"] = self._lambda(
            api, authorizer, region, route_arn, values, event, request
        )

    def _lambda(
        self,
        api: Any,
        authorizer: Any,
        region: str,
        route_arn: str,
        values: list[str | None],
        event: dict[str, Any],
        request: Request,
    ) -> dict[str, Any]:
        version = authorizer.auth_payload_format_version or "2.0"
        simple = bool(authorizer.enable_simple_response) and version == "2.0"
        key = (api.api_id, authorizer.id, tuple(values))
        result = self.cache.get(key)
        started = time.monotonic()
        if result is None:
            if version == "2.0":
                payload = {
                    **event,
                    "type": "REQUEST",
                    "routeArn": route_arn,
                    "identitySource": values,
                }
            else:
                payload = {
                    **v1_from_v2(event, request, self.gateway.port),
                    "type": "REQUEST",
                    "methodArn": route_arn,
                    "identitySource": ",".join(v or "" for v in values),
                }
            caller = self.gateway.api_caller(
                region, api.api_id, f"authorizers/{authorizer.id}", authorizer.auth_creds_arn
            )
            call = self.gateway.invoke(
                function_from_uri(authorizer.authorizer_uri or "", {}), region, payload, 10, caller
            )
            if call.outcome is None or not call.outcome.ok:
                raise auth.authorizer_error()
            try:
                result = json.loads(call.outcome.payload)
            except ValueError:
                raise auth.authorizer_error() from None
            if not isinstance(result, dict):
                raise auth.authorizer_error()
            self.cache.put(key, result, int(authorizer.auth_result_ttl or 0))
        if simple:
            if result.get("isAuthorized") is not True:
                raise auth.forbidden()
        elif not auth.policy_allows(result.get("policyDocument"), route_arn):
            raise auth.forbidden()
        answer: dict[str, Any] = {"lambda": auth.stringify_context(result.get("context"))}
        if result.get("principalId"):
            answer["principalId"] = result["principalId"]
        answer["integrationLatency"] = int((time.monotonic() - started) * 1000)
        return answer
