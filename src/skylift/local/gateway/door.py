"""The gateway's front door: find the API or Function URL a request is for, invoke, answer.

Failures between the gateway and the function are answered the way the
service in front would: a missing function or a crash is the service's own
error (502/500), a throttle 429, a request past the integration timeout 504.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from skylift.local.executor.executor import IntegrationTimeout, Throttled
from skylift.local.executor.invocation import Invocation, Outcome
from skylift.local.gateway import auth
from skylift.local.gateway.common import json_message, split_target
from skylift.local.gateway.cors import apply_cors, preflight
from skylift.local.gateway.http_api import HttpApis, v2_event
from skylift.local.gateway.responses import Malformed, map_v2
from skylift.local.gateway.rest import RestApis
from skylift.local.httpserver import Request, Response
from skylift.local.permissions import Caller, api_gateway, denial, public_url

if TYPE_CHECKING:
    from skylift.local.cloud import CloudServer


@dataclass
class Call:
    """What came of invoking a function for the gateway: an outcome, or a ready answer."""

    outcome: Outcome | None = None
    response: Response | None = None


class Gateway:
    def __init__(self, cloud: CloudServer) -> None:
        self.cloud = cloud
        self.rest = RestApis(self)
        self.http = HttpApis(self)
        self._where: dict[str, tuple[str, str]] = {}

    @property
    def port(self) -> int:
        return self.cloud.port

    @property
    def account_id(self) -> str:
        return self.cloud.control.account_id

    def log(self, message: str) -> None:
        self.cloud.log.info(message)

    # --- lookup ---------------------------------------------------------------------------

    def serve_api(self, api_id: str, target: str, request: Request) -> Response:
        started = time.perf_counter()
        response = self._serve_api(api_id, target, request)
        self._access(request, f"{api_id}.execute-api", target, response, started)
        return response

    def _serve_api(self, api_id: str, target: str, request: Request) -> Response:
        found = self._find_api(api_id)
        if found is None:
            return _not_deployed(f"No API with id {api_id} on this local cloud.")
        kind, region, api = found
        if kind == "rest":
            return self.rest.serve(
                api, self.cloud.control.apigateway(region), region, target, request
            )
        return self.http.serve(api, region, target, request)

    def _find_api(self, api_id: str) -> tuple[str, str, Any] | None:
        """(rest|http, region, api); where each id lives is remembered, its API looked up afresh."""
        control = self.cloud.control
        known = self._where.get(api_id)
        if known is not None:
            kind, region = known
            backend = control.apigateway(region) if kind == "rest" else control.apigatewayv2(region)
            api = backend.apis.get(api_id)
            if api is not None:
                return kind, region, api
        for region in control.regions_in_use("apigateway"):
            rest = control.apigateway(region).apis.get(api_id)
            if rest is not None:
                self._where[api_id] = ("rest", region)
                return "rest", region, rest
        for region in control.regions_in_use("apigatewayv2"):
            http = control.apigatewayv2(region).apis.get(api_id)
            if http is not None:
                self._where[api_id] = ("http", region)
                return "http", region, http
        return None

    def serve_url(self, url_id: str, target: str, request: Request) -> Response:
        started = time.perf_counter()
        response = self._serve_url(url_id, target, request)
        self._access(request, f"{url_id}.lambda-url", target, response, started)
        return response

    def _serve_url(self, url_id: str, target: str, request: Request) -> Response:
        config = self.cloud.urls.by_id(url_id)
        if config is None:
            return _not_deployed(f"No Function URL {url_id} on this local cloud.")
        if (
            config.cors
            and request.method == "OPTIONS"
            and request.header("access-control-request-method")
        ):
            return preflight(config.cors, request)
        raw_path, raw_query = split_target(target)
        event = v2_event(
            request, self.port, "anonymous", url_id, "$default", "$default", raw_path, raw_query, {}
        )
        if config.auth_type == "AWS_IAM":
            try:
                identity = auth.require_sigv4(request)
            except auth.Denied:
                return json_message(403, "Forbidden", "Message")
            event["requestContext"]["accountId"] = self.account_id
            event["requestContext"]["authorizer"] = {"iam": identity}
        # AWS_IAM URLs are for callers whose own IAM policies allow them (not evaluated here)
        caller = public_url() if config.auth_type == "NONE" else None
        forbidden = json_message(403, "Forbidden", "Message")
        call = self.invoke(config.qualified_arn, config.region, event, None, caller, forbidden)
        if call.response is not None:
            response = call.response
        elif call.outcome is not None and call.outcome.ok:
            try:
                response = map_v2(call.outcome.payload)
            except Malformed as exc:
                self.log(f"Function URL {url_id}: malformed response ({exc})")
                response = Response.text("Internal Server Error", 502)
        else:
            response = Response.text("Internal Server Error", 502)
        return apply_cors(config.cors, request, response) if config.cors else response

    # --- invoke -----------------------------------------------------------------------------

    def invoke(
        self,
        function_arn: str | None,
        region: str,
        event: dict[str, Any],
        wait_limit: float | None,
        caller: Caller | None = None,
        denied: Response | None = None,
    ) -> Call:
        """Invoke for the gateway; with a ``caller``, only if the function's resource policy allows it.

        A refusal is what the service answers (``denied``, else a 500) and, as AWS
        writes it to the API's execution log, a line in the local cloud's log.
        """
        if not function_arn:
            return Call(response=json_message(500, "Internal server error"))
        try:
            spec = self.cloud.executor_spec(function_arn, None, region)
        except Exception as exc:  # moto's not-found errors and the like
            self.log(f"gateway: cannot invoke {function_arn}: {getattr(exc, 'message', exc)}")
            return Call(response=json_message(500, "Internal server error"))
        if caller is not None and not self.cloud.permits(spec, caller):
            self.cloud.log.warn(
                "gateway: Execution failed due to configuration error: Invalid permissions on"
                f" Lambda function: {denial(spec.invoked_arn, caller)}"
            )
            return Call(response=denied or json_message(500, "Internal server error"))
        invocation = Invocation(json.dumps(event).encode())
        try:
            return Call(outcome=self.cloud.executor.invoke(spec, invocation, wait_limit))
        except Throttled:
            return Call(response=json_message(429, "Too Many Requests"))
        except IntegrationTimeout:
            return Call(response=json_message(504, "Endpoint request timed out"))

    def execute_api_arn(self, region: str, api_id: str, rest: str) -> str:
        """``arn:aws:execute-api:region:account:{api_id}/{rest}``: what API Gateway calls as."""
        return f"arn:aws:execute-api:{region}:{self.account_id}:{api_id}/{rest}"

    def api_caller(
        self, region: str, api_id: str, rest: str, credentials: str | None
    ) -> Caller | None:
        """API Gateway as a resource policy sees it; None when it calls with a role of its own."""
        if credentials:
            return None  # it assumes that role: IAM, not the resource policy, decides
        return api_gateway(self.execute_api_arn(region, api_id, rest), self.account_id)

    def _access(
        self, request: Request, where: str, target: str, response: Response, started: float
    ) -> None:
        elapsed = (time.perf_counter() - started) * 1000
        self.cloud.log.access(
            f"{request.method} {where} {target} {response.status} {elapsed:.1f}ms"
        )


def _not_deployed(message: str) -> Response:
    body = {
        "message": message,
        "hint": "Deploy with `skylift deploy STAGE --local`; deployments are lost when the local cloud stops.",
    }
    return Response.json(json.dumps(body), 404)
