"""API Gateway v1 (REST APIs): the API, its two proxy resources, the stage.

moto answers GetTags with 404, so tags are read from GetRestApis, which
carries them on real AWS too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import botocore.exceptions

from skylift.aws.errors import absent_ok, error_code, is_not_found

if TYPE_CHECKING:
    from mypy_boto3_apigateway import APIGatewayClient
    from mypy_boto3_apigateway.type_defs import ResourceTypeDef, RestApiTypeDef


def list_apis(c: APIGatewayClient, name: str) -> list[RestApiTypeDef]:
    """The REST APIs called ``name`` (names are not unique; callers check the tags)."""
    out: list[RestApiTypeDef] = []
    for page in c.get_paginator("get_rest_apis").paginate(PaginationConfig={"PageSize": 500}):
        out += [a for a in page.get("items", []) if a.get("name") == name]
    return out


def resources(c: APIGatewayClient, api_id: str) -> list[ResourceTypeDef]:
    out: list[ResourceTypeDef] = []
    try:
        for page in c.get_paginator("get_resources").paginate(
            restApiId=api_id, embed=["methods"], PaginationConfig={"PageSize": 500}
        ):
            out += page.get("items", [])
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return []
        raise
    return out


def stage_names(c: APIGatewayClient, api_id: str) -> list[str]:
    try:
        stages = c.get_stages(restApiId=api_id).get("item", [])
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return []
        raise
    return [s["stageName"] for s in stages if "stageName" in s]


# -- writes -----------------------------------------------------------------


def create_api(
    c: APIGatewayClient,
    name: str,
    description: str,
    binary_media_types: Sequence[str],
    endpoint_types: Sequence[str],
    tags: Mapping[str, str],
) -> tuple[str, str]:
    """Create the API; returns (api id, root resource id)."""
    kwargs: dict[str, object] = {
        "name": name,
        "description": description,
        "tags": dict(tags),
        "binaryMediaTypes": list(binary_media_types),
    }
    if endpoint_types:
        kwargs["endpointConfiguration"] = {"types": list(endpoint_types)}
    api = c.create_rest_api(**kwargs)  # type: ignore[arg-type]
    root = next(r["id"] for r in resources(c, api["id"]) if r.get("path") == "/")
    return api["id"], root


def create_proxy_resource(c: APIGatewayClient, api_id: str, parent_id: str) -> str:
    return c.create_resource(restApiId=api_id, parentId=parent_id, pathPart="{proxy+}")["id"]


def put_method(c: APIGatewayClient, api_id: str, resource_id: str, authorization: str) -> None:
    """Put the ANY method; one already there (another authorization) is replaced."""
    try:
        c.put_method(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod="ANY",
            authorizationType=authorization,
        )
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) != "ConflictException":
            raise
        c.delete_method(restApiId=api_id, resourceId=resource_id, httpMethod="ANY")
        c.put_method(
            restApiId=api_id,
            resourceId=resource_id,
            httpMethod="ANY",
            authorizationType=authorization,
        )


def put_integration(c: APIGatewayClient, api_id: str, resource_id: str, uri: str) -> None:
    c.put_integration(
        restApiId=api_id,
        resourceId=resource_id,
        httpMethod="ANY",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=uri,
    )


def deploy(c: APIGatewayClient, api_id: str, stage: str, description: str) -> None:
    c.create_deployment(restApiId=api_id, stageName=stage, description=description)


def delete_api(c: APIGatewayClient, api_id: str) -> None:
    with absent_ok():
        c.delete_rest_api(restApiId=api_id)
