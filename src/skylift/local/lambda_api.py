"""The Lambda API calls skylift answers itself instead of moto.

- Invoke (RequestResponse, Event, DryRun; ``X-Amz-Log-Type: Tail``) runs code.
- GetFunction / GetFunctionConfiguration: moto answers ``name:$LATEST`` with a
  404, reports a version's ARN when the caller named an alias, gives no
  RevisionId, and its ``Code.Location`` cannot be downloaded; here the
  location is a URL on the local cloud that serves the zip.
- Function URL configurations (create/get/update/delete with a qualifier, and
  ListFunctionUrlConfigs, which moto lacks) return the local URL.
- AddPermission, GetPolicy, RemovePermission keep one policy per version or
  alias (policy_api.py).
- After UpdateFunctionCode/Configuration (answered by moto), ``LastModified``
  moves as on AWS; after DeleteFunction its URLs and environments go too.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import zipfile
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

from skylift.local.awsapi import DEFAULT_REGION, moto_error, rest_error, signed_scope
from skylift.local.executor.executor import Throttled
from skylift.local.executor.invocation import Invocation, Outcome
from skylift.local.executor.spec import split_name
from skylift.local.function_urls import UrlConfig, new_url_id
from skylift.local.httpserver import Request, Response
from skylift.local.policy_api import PolicyApi

if TYPE_CHECKING:
    from skylift.local.cloud import CloudServer

_FUNCTION_PATH = re.compile(r"^/(?P<api>[0-9-]+)/functions/(?P<name>[^/]+)(?P<rest>/.*)?$")
MAX_SYNC_PAYLOAD = 6_291_456


class LambdaApi:
    def __init__(self, cloud: CloudServer) -> None:
        self.cloud = cloud
        self.policies = PolicyApi(cloud)

    def handle(self, request: Request, region: str) -> Response | None:
        """The answer, or None to let moto answer (and ``after`` see its response)."""
        if request.method == "POST" and request.path.rstrip("/").endswith("/functions"):
            return self._check_code(request, _json_body(request).get("Code") or {})
        match = _FUNCTION_PATH.match(request.path)
        if match is None:
            return None
        if request.method == "PUT" and (match["rest"] or "").rstrip("/") == "/code":
            return self._check_code(request, _json_body(request))
        name = unquote(match["name"])
        rest = (match["rest"] or "").rstrip("/")
        query = {key: values[0] for key, values in parse_qs(request.query).items()}
        qualifier = query.get("Qualifier")
        try:
            if rest in ("/invocations", "/invoke-async") and request.method == "POST":
                return self.invoke(request, name, qualifier, region, rest == "/invoke-async")
            if rest == "" and request.method == "GET":
                return self.get_function(name, qualifier, region, with_code=True)
            if rest == "/configuration" and request.method == "GET":
                return self.get_function(name, qualifier, region, with_code=False)
            if rest == "/url":
                return self.url_config(request, name, qualifier, region)
            if rest == "/urls" and request.method == "GET":
                return self.list_urls(name, region)
            if rest == "/policy" or rest.startswith("/policy/"):
                return self.policies.handle(request, name, rest, region)
        except Exception as exc:
            answer = moto_error(exc)
            if answer is None:
                raise
            return answer
        return None

    def after(self, request: Request, region: str, response: Response) -> None:
        """Side effects of calls moto answered."""
        match = _FUNCTION_PATH.match(request.path)
        if match is None or response.status >= 300:
            return
        name, _, _ = split_name(unquote(match["name"]), None)
        rest = (match["rest"] or "").rstrip("/")
        if request.method == "PUT" and rest in ("/code", "/configuration"):
            self._touch(name, region)
        elif request.method == "DELETE" and rest == "":
            qualifier = parse_qs(request.query).get("Qualifier", [None])[0]
            arn = f"arn:aws:lambda:{region}:{self.cloud.control.account_id}:function:{name}"
            if qualifier is None:
                self.cloud.urls.forget_function(region, name)
            self.cloud.executor.retire_function(arn, qualifier)

    def _check_code(self, request: Request, code: dict[str, Any]) -> Response | None:
        """Lambda refuses a package that is not a zip at upload; moto stores anything."""
        data: bytes | None = None
        if code.get("ZipFile"):
            try:
                data = base64.b64decode(code["ZipFile"])
            except (ValueError, TypeError):
                data = b""
        elif code.get("S3Bucket") and code.get("S3Key"):
            data = self._s3_object(code["S3Bucket"], code["S3Key"], code.get("S3ObjectVersion"))
        if data is None or zipfile.is_zipfile(io.BytesIO(data)):
            return None
        return rest_error(
            400,
            "InvalidParameterValueException",
            "Could not unzip uploaded file. Please check your file, then try to upload again.",
        )

    def _s3_object(self, bucket: str, key: str, version: str | None) -> bytes | None:
        from moto.s3.models import s3_backends

        try:
            found = s3_backends[self.cloud.control.account_id]["aws"].get_object(
                bucket, key, version_id=version
            )
        except Exception:  # moto answers a missing bucket or key itself, with AWS's error
            return None
        return bytes(found.value) if found is not None else None

    # --- Invoke -----------------------------------------------------------------------------

    def invoke(
        self, request: Request, name: str, qualifier: str | None, region: str, legacy_async: bool
    ) -> Response:
        spec = self.cloud.executor_spec(name, qualifier, region)
        kind = (
            "Event"
            if legacy_async
            else (request.header("x-amz-invocation-type") or "RequestResponse")
        )
        if kind == "DryRun":
            return Response(204, [("X-Amz-Executed-Version", spec.version)])
        if kind == "Event":
            if len(request.body) > 1_048_576:
                return _too_large(len(request.body), 1_048_576)
            request_id = self.cloud.executor.invoke_event(spec, request.body or b"{}")
            status = 202
            return Response(
                status, [("x-amzn-RequestId", request_id), ("Content-Type", "application/json")]
            )
        if kind != "RequestResponse":
            return rest_error(
                400, "InvalidParameterValueException", f"Unsupported InvocationType {kind}"
            )
        if len(request.body) > MAX_SYNC_PAYLOAD:
            return _too_large(len(request.body), MAX_SYNC_PAYLOAD)
        invocation = Invocation(
            request.body or b"{}",
            client_context=request.header("x-amz-client-context"),
            want_logs=(request.header("x-amz-log-type") or "").lower() == "tail",
        )
        try:
            outcome = self.cloud.executor.invoke(spec, invocation)
        except Throttled:
            return rest_error(
                429, "TooManyRequestsException", "Rate Exceeded.", Reason=Throttled.reason
            )
        return invoke_response(outcome, invocation.request_id)

    # --- GetFunction / GetFunctionConfiguration ----------------------------------------------

    def get_function(
        self, name_or_arn: str, qualifier: str | None, region: str, with_code: bool
    ) -> Response:
        name, qualifier, arn_region = split_name(name_or_arn, qualifier)
        region = arn_region or region
        backend = self.cloud.control.lambda_backend(region)
        with self.cloud.control.lock:
            latest = backend.get_function(name, None)
            fn = backend.get_function(name, qualifier)
            config = fn.get_configuration()
            config["FunctionArn"] = (
                f"{latest.function_arn}:{qualifier}" if qualifier else latest.function_arn
            )
            config["Version"] = str(fn.version)
            config["RevisionId"] = _revision(config)
            if not with_code:
                return Response.json(json.dumps(config))
            answer: dict[str, Any] = {
                "Configuration": config,
                "Code": {
                    "RepositoryType": "S3",
                    "Location": self._code_url(region, name, str(fn.version)),
                },
            }
            if latest.tags:
                answer["Tags"] = dict(latest.tags)
            if latest.reserved_concurrency not in (None, ""):
                answer["Concurrency"] = {
                    "ReservedConcurrentExecutions": int(latest.reserved_concurrency)
                }
        return Response.json(json.dumps(answer))

    def _code_url(self, region: str, name: str, version: str) -> str:
        return f"{self.cloud.endpoint_url}/_skylift/code/{region}/{name}/{version}"

    def code(self, region: str, name: str, version: str) -> Response:
        """The deployed zip itself, behind ``Code.Location``."""
        try:
            fn = self.cloud.control.lambda_backend(region).get_function(name, version)
        except Exception as exc:
            return moto_error(exc) or Response.text("no such function\n", 404)
        return Response(200, [("Content-Type", "application/zip")], bytes(fn.code_bytes or b""))

    def _touch(self, name: str, region: str) -> None:
        backend = self.cloud.control.lambda_backend(region)
        with self.cloud.control.lock:
            try:
                fn = backend.get_function(name, None)
            except Exception:
                return
            fn.last_modified = (
                datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"
            )

    # --- Function URLs --------------------------------------------------------------------------

    def url_config(
        self, request: Request, name_or_arn: str, qualifier: str | None, region: str
    ) -> Response:
        name, qualifier, arn_region = split_name(name_or_arn, qualifier)
        region = arn_region or region
        backend = self.cloud.control.lambda_backend(region)
        latest = backend.get_function(name, None)
        if qualifier is not None:
            if qualifier.isdigit():
                return rest_error(
                    400,
                    "InvalidParameterValueException",
                    "Function URLs can be attached to an alias or $LATEST, not to a version number.",
                )
            backend.get_function(name, qualifier)  # the alias must exist
        existing = self.cloud.urls.find(region, name, qualifier)
        port = self.cloud.port
        if request.method == "POST":
            if existing is not None:
                return rest_error(
                    409,
                    "ResourceConflictException",
                    f"Failed to create function url config for [functionArn = {latest.function_arn}]. Error message:  FunctionUrlConfig exists for this Lambda function",
                )
            body = _json_body(request)
            config = UrlConfig(
                new_url_id(),
                region,
                name,
                latest.function_arn,
                qualifier,
                auth_type=body.get("AuthType", "NONE"),
                cors=body.get("Cors"),
                invoke_mode=body.get("InvokeMode", "BUFFERED"),
            )
            self.cloud.urls.add(config)
            return Response.json(json.dumps(config.describe(port)), 201)
        if existing is None:
            return rest_error(
                404, "ResourceNotFoundException", "The resource you requested does not exist."
            )
        if request.method == "GET":
            return Response.json(json.dumps(existing.describe(port)))
        if request.method == "PUT":
            body = _json_body(request)
            existing.auth_type = body.get("AuthType", existing.auth_type)
            existing.cors = body.get("Cors", existing.cors)
            existing.invoke_mode = body.get("InvokeMode", existing.invoke_mode)
            existing.modified = (
                datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
            )
            return Response.json(json.dumps(existing.describe(port)))
        if request.method == "DELETE":
            self.cloud.urls.remove(existing)
            return Response(204)
        return rest_error(405, "MethodNotAllowed", f"{request.method} is not supported here")

    def list_urls(self, name_or_arn: str, region: str) -> Response:
        name, _, arn_region = split_name(name_or_arn, None)
        region = arn_region or region
        self.cloud.control.lambda_backend(region).get_function(name, None)
        configs = [
            config.describe(self.cloud.port) for config in self.cloud.urls.of_function(region, name)
        ]
        return Response.json(json.dumps({"FunctionUrlConfigs": configs}))


def region_of(request: Request) -> str:
    scope = signed_scope(request)
    return scope[1] if scope else DEFAULT_REGION


def invoke_response(outcome: Outcome, request_id: str) -> Response:
    headers = [
        ("Content-Type", "application/json"),
        ("X-Amz-Executed-Version", outcome.executed_version),
        ("x-amzn-RequestId", request_id),
    ]
    if outcome.function_error:
        headers.append(("X-Amz-Function-Error", outcome.function_error))
    if outcome.log_tail:
        headers.append(("X-Amz-Log-Result", base64.b64encode(outcome.log_tail.encode()).decode()))
    return Response(200, headers, outcome.payload)


def _too_large(size: int, limit: int) -> Response:
    return rest_error(
        413,
        "RequestEntityTooLargeException",
        f"{size} byte payload is too large for the Invoke operation (maximum {limit} bytes)",
    )


def _revision(config: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
