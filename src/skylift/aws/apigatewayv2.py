"""API Gateway v2 (HTTP APIs): the API, its Lambda integration, ``$default`` route and stage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import botocore.exceptions

from skylift.aws.errors import absent_ok, is_not_found

if TYPE_CHECKING:
    from mypy_boto3_apigatewayv2 import ApiGatewayV2Client
    from mypy_boto3_apigatewayv2.type_defs import ApiTypeDef


def list_apis(c: ApiGatewayV2Client, name: str) -> list[ApiTypeDef]:
    out: list[ApiTypeDef] = []
    for page in c.get_paginator("get_apis").paginate():
        out += [a for a in page.get("Items", []) if a.get("Name") == name]
    return out


def integrations(c: ApiGatewayV2Client, api_id: str) -> dict[str, str]:
    """integration id -> integration URI."""
    try:
        items = c.get_integrations(ApiId=api_id).get("Items", [])
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return {}
        raise
    return {i["IntegrationId"]: i.get("IntegrationUri", "") for i in items if "IntegrationId" in i}


def routes(c: ApiGatewayV2Client, api_id: str) -> dict[str, tuple[str, str]]:
    """route key -> (route id, target)."""
    try:
        items = c.get_routes(ApiId=api_id).get("Items", [])
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return {}
        raise
    return {r["RouteKey"]: (r.get("RouteId", ""), r.get("Target", "")) for r in items}


def stage_names(c: ApiGatewayV2Client, api_id: str) -> list[str]:
    try:
        items = c.get_stages(ApiId=api_id).get("Items", [])
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return []
        raise
    return [s["StageName"] for s in items]


# -- writes -----------------------------------------------------------------


def create_api(
    c: ApiGatewayV2Client, name: str, description: str, tags: Mapping[str, str]
) -> tuple[str, str]:
    """Create the API; returns (api id, its endpoint)."""
    api = c.create_api(Name=name, ProtocolType="HTTP", Description=description, Tags=dict(tags))
    return api["ApiId"], api.get("ApiEndpoint", "")


def create_integration(c: ApiGatewayV2Client, api_id: str, uri: str) -> str:
    return c.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=uri,
        PayloadFormatVersion="2.0",
    )["IntegrationId"]


def put_route(
    c: ApiGatewayV2Client, api_id: str, route_key: str, target: str, route_id: str | None
) -> None:
    if route_id:
        c.update_route(ApiId=api_id, RouteId=route_id, Target=target)
    else:
        c.create_route(ApiId=api_id, RouteKey=route_key, Target=target)


def create_stage(c: ApiGatewayV2Client, api_id: str, stage: str) -> None:
    c.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=True)


def delete_api(c: ApiGatewayV2Client, api_id: str) -> None:
    with absent_ok():
        c.delete_api(ApiId=api_id)
