"""One port, three planes: the gateway (by Host or path), skylift's own endpoints, then AWS APIs.

Order matters only where names overlap: ``/restapis/{id}/{stage}/_user_request_/…``
is a user request (the control plane's ``/restapis/…`` paths never have that
segment), and SigV4-signed calls go to the AWS APIs, where skylift answers
the few calls it owns (Lambda Invoke and friends, FilterLogEvents) and moto
everything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from skylift.local.awsapi import DEFAULT_REGION, signed_scope
from skylift.local.httpserver import Request, Response, call_wsgi

if TYPE_CHECKING:
    from skylift.local.cloud import CloudServer


class Router:
    def __init__(self, cloud: CloudServer) -> None:
        self.cloud = cloud

    def __call__(self, request: Request) -> Response:
        host = request.host
        if host.endswith(".localhost"):
            labels = host.split(".")
            if len(labels) >= 3 and labels[1] == "execute-api":
                return self.cloud.gateway.serve_api(labels[0], request.target, request)
            if len(labels) >= 4 and labels[1] == "lambda-url":
                return self.cloud.gateway.serve_url(labels[0], request.target, request)
        path = request.path
        if path.startswith("/restapis/"):
            parts = request.target.split("/", 5)
            if len(parts) >= 5 and parts[4] == "_user_request_":
                # /restapis/{id}/{stage}/_user_request_/{path}: the stage goes back in front
                rest = parts[5] if len(parts) > 5 else ""
                return self.cloud.gateway.serve_api(parts[2], f"/{parts[3]}/{rest}", request)
        elif path.startswith("/_lambda_url/"):
            parts = request.target.split("/", 3)
            rest = parts[3] if len(parts) > 3 else ""
            return self.cloud.gateway.serve_url(parts[2].partition("?")[0], "/" + rest, request)
        elif path.startswith("/_skylift/"):
            return self.cloud.admin.handle(request)
        return self.aws(request)

    def aws(self, request: Request) -> Response:
        scope = signed_scope(request)
        service, region = scope if scope else ("", DEFAULT_REGION)
        if service == "lambda":
            answer = self.cloud.lambda_api.handle(request, region)
            if answer is not None:
                return answer
            response = self.moto(request)
            self.cloud.lambda_api.after(request, region, response)
            return response
        if service == "logs":
            answer = self.cloud.logs_api.handle(request, region)
            if answer is not None:
                return answer
        if service == "apigateway":
            response = self.moto(self.cloud.apigateway_fixes.before(request))
            self.cloud.apigateway_fixes.after(request, region, response)
            return response
        if service == "monitoring":
            self.cloud.metrics.flush()  # CloudWatch reads see every invocation made so far
        if service in ("events", "eventbridge"):
            answer = self.cloud.scheduler.before_events_call(request)
            if answer is not None:
                return answer
        return self.moto(request)

    def moto(self, request: Request) -> Response:
        return call_wsgi(self.cloud.control.app, request, self.cloud.port)
