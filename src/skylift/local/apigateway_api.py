"""API Gateway calls moto answers, with what it drops put back afterwards.

moto ignores ``binaryMediaTypes`` on CreateRestApi and mangles the
``/binaryMediaTypes/{type}`` patch operations AWS uses to add and remove one
(the type is in the path, ``~1`` for ``/``); the gateway needs them to
decide which bodies are binary.
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
        if parts[0] != "restapis":
            return
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return
        if request.method == "POST" and len(parts) == 1:
            self._created(region, body, response)
        elif request.method == "PATCH" and len(parts) == 2:
            self._patched(region, parts[1], body.get("patchOperations") or [])

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
