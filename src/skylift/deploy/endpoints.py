"""The URLs a deployed stage answers on, from the ids of its front doors."""

from __future__ import annotations

from dataclasses import dataclass

from skylift.aws import Aws
from skylift.aws.urls import function_url_urls, http_api_urls, rest_api_urls


@dataclass(frozen=True)
class StageUrl:
    kind: str  # "rest-api" | "http-api" | "function-url"
    url: str

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "url": self.url}


def stage_urls(
    aws: Aws,
    *,
    api_stage: str,
    rest_api_id: str | None = None,
    http_api_id: str | None = None,
    function_url: str | None = None,
) -> list[StageUrl]:
    """Every URL of the stage; off AWS, the endpoint's own forms come first (see aws.urls)."""
    out: list[StageUrl] = []
    if rest_api_id:
        endpoint = aws.endpoint("apigateway")
        out += [
            StageUrl("rest-api", u)
            for u in rest_api_urls(rest_api_id, aws.region, api_stage, endpoint)
        ]
    if http_api_id:
        endpoint = aws.endpoint("apigatewayv2")
        out += [StageUrl("http-api", u) for u in http_api_urls(http_api_id, aws.region, endpoint)]
    if function_url:
        endpoint = aws.endpoint("lambda")
        out += [StageUrl("function-url", u) for u in function_url_urls(function_url, endpoint)]
    return out
