"""REST APIs (API Gateway v1): stage in the path, resources and methods, proxy events v1.

Routing reads the API's current resources (moto does not snapshot them per
deployment, so a change is live without CreateDeployment; AWS would want one).
"""

from __future__ import annotations

import json
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from skylift.local.gateway import auth
from skylift.local.gateway.common import (
    best_match,
    client_headers,
    decode_path,
    encode_body,
    json_message,
    media_type_matches,
    multi,
    new_request_id,
    query_pairs,
    request_times,
    split_target,
)
from skylift.local.gateway.responses import Malformed, map_v1
from skylift.local.httpserver import Request, Response

if TYPE_CHECKING:
    from skylift.local.gateway.door import Gateway

REST_TIMEOUT_MS = 29_000
_FUNCTION_IN_URI = re.compile(r":lambda:path/[^/]+/functions/(?P<arn>.+?)/invocations")
_STAGE_VARIABLE = re.compile(r"\$\{stageVariables\.([A-Za-z0-9_]+)\}")


def function_from_uri(uri: str, stage_variables: dict[str, str]) -> str | None:
    """The function ARN (with its alias) an ``arn:aws:apigateway:…:lambda:path/…`` URI names."""
    uri = _STAGE_VARIABLE.sub(lambda m: stage_variables.get(m.group(1), ""), uri or "")
    match = _FUNCTION_IN_URI.search(uri)
    if match:
        return unquote(match["arn"])
    return uri if uri.startswith("arn:aws:lambda:") else None


class RestApis:
    def __init__(self, gateway: Gateway) -> None:
        self.gateway = gateway
        self.cache = auth.ResultCache()

    def serve(self, api: Any, backend: Any, region: str, target: str, request: Request) -> Response:
        raw_path, raw_query = split_target(target)
        stage_name, _, rest = raw_path.lstrip("/").partition("/")
        stage = api.stages.get(unquote(stage_name))
        if stage is None:
            return json_message(403, "Forbidden")
        path = decode_path("/" + rest)
        resources = {resource.get_path(): resource for resource in list(api.resources.values())}
        match = best_match(list(resources), path)
        if match is None:
            return auth.missing_token().response
        resource = resources[match.template]
        methods = resource.resource_methods
        method = methods.get(request.method) or methods.get("ANY")
        if method is None:
            return auth.missing_token().response
        stage_vars = dict(stage.variables or {})
        event = self._event(
            api, region, stage.name, path, resource, match.parameters, raw_query, request
        )
        event["stageVariables"] = stage_vars or None
        try:
            self._authorize(api, backend, region, stage.name, method, path, request, event)
        except auth.Denied as denied:
            return denied.response
        integration = method.method_integration
        if integration is None:
            return json_message(500, "Internal server error")
        kind = (integration.integration_type or "").upper()
        if kind == "MOCK":
            return mock_response(integration)
        if kind != "AWS_PROXY":
            self.gateway.log(
                f"REST API {api.id}: {kind} integrations are not served locally (only AWS_PROXY and MOCK)"
            )
            return json_message(500, "Internal server error")
        function_arn = function_from_uri(integration.uri, stage_vars)
        timeout_ms = int(integration.timeout_in_millis or REST_TIMEOUT_MS)
        # API Gateway calls as arn:…:execute-api:region:account:api/stage/METHOD/path
        caller = self.gateway.api_caller(
            region, api.id, f"{stage.name}/{request.method}{path}", integration.credentials
        )
        call = self.gateway.invoke(
            function_arn,
            region,
            event,
            min(timeout_ms, REST_TIMEOUT_MS) / 1000,
            caller,
            json_message(500, "Internal server error"),
        )
        if call.response is not None:
            return call.response
        assert call.outcome is not None
        if not call.outcome.ok:
            return json_message(502, "Internal server error")
        try:
            return map_v1(
                call.outcome.payload, list(api.binaryMediaTypes or []), request.header("accept")
            )
        except Malformed as exc:
            self.gateway.log(f"REST API {api.id}: malformed Lambda proxy response ({exc})")
            return json_message(502, "Internal server error")

    def _event(
        self,
        api: Any,
        region: str,
        stage: str,
        path: str,
        resource: Any,
        parameters: dict[str, str],
        raw_query: str,
        request: Request,
    ) -> dict[str, Any]:
        headers = client_headers(request, self.gateway.port)
        pairs = query_pairs(raw_query)
        binary = media_type_matches(
            request.header("content-type"), list(api.binaryMediaTypes or [])
        )
        body, encoded = encode_body(request.body, binary)
        stamp, epoch = request_times()
        resource_path = resource.get_path()
        return {
            "resource": resource_path,
            "path": path,
            "httpMethod": request.method,
            "headers": dict(headers) or None,
            "multiValueHeaders": multi(headers) or None,
            "queryStringParameters": dict(pairs) or None,
            "multiValueQueryStringParameters": multi(pairs) or None,
            "pathParameters": {k: decode_path(v) for k, v in parameters.items()} or None,
            "stageVariables": None,
            "requestContext": {
                "resourceId": resource.id,
                "resourcePath": resource_path,
                "httpMethod": request.method,
                "extendedRequestId": new_request_id(),
                "requestTime": stamp,
                "path": f"/{stage}{path}",
                "accountId": self.gateway.account_id,
                "protocol": request.version,
                "stage": stage,
                "domainPrefix": api.id,
                "requestTimeEpoch": epoch,
                "requestId": new_request_id(),
                "identity": _identity(request),
                "domainName": request.host or "127.0.0.1",
                "apiId": api.id,
            },
            "body": body,
            "isBase64Encoded": encoded,
        }

    def _authorize(
        self,
        api: Any,
        backend: Any,
        region: str,
        stage: str,
        method: Any,
        path: str,
        request: Request,
        event: dict[str, Any],
    ) -> None:
        context = event["requestContext"]
        kind = (method.authorization_type or "NONE").upper()
        if kind == "AWS_IAM":
            context["identity"].update(auth.require_sigv4(request))
        elif kind in ("CUSTOM", "COGNITO_USER_POOLS"):
            authorizer = api.authorizers.get(method.authorizer_id)
            if authorizer is None:
                raise auth.authorizer_error()
            method_arn = f"arn:aws:execute-api:{region}:{self.gateway.account_id}:{api.id}/{stage}/{request.method}{path}"
            if (authorizer.type or "").upper() == "COGNITO_USER_POOLS":
                context["authorizer"] = _cognito(authorizer, request)
            else:
                context["authorizer"] = self._lambda_authorizer(
                    api, authorizer, region, method_arn, request, event
                )
        if method.api_key_required:
            source = getattr(api, "api_key_source", "HEADER") or "HEADER"
            value = request.header("x-api-key")
            if source.upper() == "AUTHORIZER":
                value = (context.get("authorizer") or {}).get("usageIdentifierKey")
            context["identity"].update(auth.check_api_key(backend, api.id, stage, value))

    def _lambda_authorizer(
        self,
        api: Any,
        authorizer: Any,
        region: str,
        method_arn: str,
        request: Request,
        event: dict[str, Any],
    ) -> dict[str, Any]:
        token_kind = (authorizer.type or "TOKEN").upper() == "TOKEN"
        sources = [
            s
            for s in (authorizer.identity_source or "method.request.header.Authorization").split(
                ","
            )
            if s.strip()
        ]
        query = multi(query_pairs(request.query))
        values = [
            auth.identity_value(s, request, query, event.get("stageVariables") or {})
            for s in sources
        ]
        if any(value is None or value == "" for value in values):
            raise auth.unauthorized()
        expression = authorizer.identity_validation_expression
        if token_kind and expression and not re.fullmatch(expression, values[0] or ""):
            raise auth.unauthorized()
        ttl = (
            300
            if authorizer.authorizer_result_ttl is None
            else int(authorizer.authorizer_result_ttl)
        )
        key = (api.id, authorizer.id, tuple(values))
        result = self.cache.get(key)
        started = time.monotonic()
        if result is None:
            if token_kind:
                payload: dict[str, Any] = {
                    "type": "TOKEN",
                    "authorizationToken": values[0],
                    "methodArn": method_arn,
                }
            else:
                payload = {**event, "type": "REQUEST", "methodArn": method_arn}
            result = self._run_authorizer(api, authorizer, region, payload)
            self.cache.put(key, result, ttl)
        if not auth.policy_allows(result.get("policyDocument"), method_arn):
            raise auth.forbidden("User is not authorized to access this resource", "Message")
        return {
            **auth.stringify_context(result.get("context")),
            "principalId": result.get("principalId"),
            "integrationLatency": int((time.monotonic() - started) * 1000),
            **(
                {"usageIdentifierKey": result["usageIdentifierKey"]}
                if result.get("usageIdentifierKey")
                else {}
            ),
        }

    def _run_authorizer(
        self, api: Any, authorizer: Any, region: str, payload: dict[str, Any]
    ) -> dict[str, Any]:
        function_arn = function_from_uri(authorizer.authorizer_uri or "", {})
        caller = self.gateway.api_caller(
            region, api.id, f"authorizers/{authorizer.id}", authorizer.authorizer_credentials
        )
        call = self.gateway.invoke(function_arn, region, payload, REST_TIMEOUT_MS / 1000, caller)
        if call.outcome is None:
            raise auth.authorizer_error()
        if not call.outcome.ok:
            if b'"Unauthorized"' in call.outcome.payload:
                raise auth.unauthorized()
            raise auth.authorizer_error()
        try:
            result = json.loads(call.outcome.payload)
        except ValueError:
            raise auth.authorizer_error() from None
        if not isinstance(result, dict) or "policyDocument" not in result:
            raise auth.authorizer_error()
        return result


def _identity(request: Request) -> dict[str, Any]:
    return {
        "cognitoIdentityPoolId": None,
        "accountId": None,
        "cognitoIdentityId": None,
        "caller": None,
        "sourceIp": request.client[0],
        "principalOrgId": None,
        "accessKey": None,
        "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None,
        "userArn": None,
        "userAgent": request.header("user-agent"),
        "user": None,
    }


def _cognito(authorizer: Any, request: Request) -> dict[str, Any]:
    source = (authorizer.identity_source or "method.request.header.Authorization").split(",")[0]
    token = auth.identity_value(source, request, {}, {})
    if not token:
        raise auth.unauthorized()
    claims = auth.jwt_claims(token)
    return {"claims": {k: v if isinstance(v, str) else json.dumps(v) for k, v in claims.items()}}


def mock_response(integration: Any) -> Response:
    """A MOCK integration: the status its request template names, its integration response."""
    status = 200
    template = (integration.request_templates or {}).get("application/json")
    if template:
        try:
            status = int(json.loads(template).get("statusCode", 200))
        except (ValueError, AttributeError, TypeError):
            status = 200
    responses = integration.integration_responses or {}
    chosen = responses.get(str(status)) or next(
        (r for r in responses.values() if not r.selection_pattern), None
    )
    if chosen is None:
        return Response(status, [("Content-Type", "application/json")], b"")
    headers = []
    for name, value in (chosen.response_parameters or {}).items():
        if name.startswith("method.response.header."):
            headers.append((name[len("method.response.header.") :], str(value).strip("'")))
    body = ((chosen.response_templates or {}).get("application/json") or "").encode()
    headers.append(("Content-Type", "application/json"))
    return Response(int(chosen.status_code), headers, body)
