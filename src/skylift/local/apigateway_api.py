"""API Gateway calls moto answers, with what it drops put back afterwards.

- moto ignores ``binaryMediaTypes`` on CreateRestApi and mangles the
  ``/binaryMediaTypes/{type}`` patch operations AWS uses to add and remove one
  (the type is in the path, ``~1`` for ``/``); the gateway needs them to
  decide which bodies are binary.
- HTTP API quick create (CreateApi with ``Target``) makes the integration, the
  route (``$default`` or ``RouteKey``) and the auto-deployed ``$default`` stage
  on AWS; moto makes none of them.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from skylift.local.httpserver import Request, Response

if TYPE_CHECKING:
    from skylift.local.cloud import CloudServer

PREFIX = "/binaryMediaTypes/"


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


class ApiGatewayFixes:
    def __init__(self, cloud: CloudServer) -> None:
        self.cloud = cloud

    def before(self, request: Request) -> Request:
        """The request moto should see: binaryMediaTypes patch operations taken out."""
        parts = request.path.strip("/").split("/")
        if request.method != "PATCH" or len(parts) != 2 or parts[0] != "restapis":
            return request
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return request
        operations = body.get("patchOperations") or []
        kept = [op for op in operations if not str(op.get("path", "")).startswith(PREFIX)]
        if len(kept) == len(operations):
            return request
        body["patchOperations"] = kept
        return dataclasses.replace(request, body=json.dumps(body).encode())

    def after(self, request: Request, region: str, response: Response) -> None:
        if response.status >= 300:
            return
        parts = request.path.strip("/").split("/")
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return
        if parts == ["v2", "apis"] and request.method == "POST" and body.get("target"):
            self._quick_create(region, body, response)
            return
        if parts[0] != "restapis":
            return
        if request.method == "POST" and len(parts) == 1:
            self._created(region, body, response)
        elif request.method == "PATCH" and len(parts) == 2:
            self._patched(region, parts[1], body.get("patchOperations") or [])

    def _quick_create(self, region: str, body: dict[str, Any], response: Response) -> None:
        try:
            api_id = json.loads(response.body)["apiId"]
        except (ValueError, KeyError):
            return
        api = self.cloud.control.apigatewayv2(region).apis.get(api_id)
        if api is None:
            return
        target = str(body["target"])
        lambda_target = ":lambda:" in target
        with self.cloud.control.lock:
            integration = api.create_integration(
                connection_type="INTERNET",
                description="",
                integration_method="POST",
                integration_type="AWS_PROXY" if lambda_target else "HTTP_PROXY",
                integration_uri=target,
                payload_format_version="2.0" if lambda_target else "1.0",
            )
            api.create_route(
                api_key_required=False,
                authorization_scopes=[],
                route_key=body.get("routeKey") or "$default",
                target=f"integrations/{integration.id}",
                authorization_type="NONE",
            )
            api.create_stage({"stageName": "$default", "autoDeploy": True})

    def _api(self, region: str, api_id: str) -> Any:
        return self.cloud.control.apigateway(region).apis.get(api_id)

    def _created(self, region: str, body: dict[str, Any], response: Response) -> None:
        types = body.get("binaryMediaTypes")
        if not types:
            return
        try:
            api_id = json.loads(response.body)["id"]
        except (ValueError, KeyError):
            return
        api = self._api(region, api_id)
        if api is not None:
            api.binaryMediaTypes = list(types)

    def _patched(self, region: str, api_id: str, operations: list[dict[str, Any]]) -> None:
        api = self._api(region, api_id)
        if api is None:
            return
        with self.cloud.control.lock:
            current = [t for t in api.binaryMediaTypes if t]
            for operation in operations:
                path = str(operation.get("path", ""))
                if not path.startswith(PREFIX):
                    continue
                media = _unescape(path[len(PREFIX) :])
                if operation.get("op") == "add" and media not in current:
                    current.append(media)
                elif operation.get("op") == "remove" and media in current:
                    current.remove(media)
                elif operation.get("op") == "replace" and operation.get("value"):
                    current = [str(operation["value"]) if t == media else t for t in current]
            api.binaryMediaTypes = current
