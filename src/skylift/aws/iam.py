"""IAM: the function's execution role and its inline policies."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import botocore.exceptions

from skylift.aws.errors import absent_ok, error_code, is_not_found

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_iam.type_defs import RoleTypeDef


def _document(doc: Any) -> dict[str, Any]:
    """Policy documents come back decoded by boto3, or URL-encoded JSON from some servers."""
    if isinstance(doc, str):
        loaded = json.loads(unquote(doc))
        return loaded if isinstance(loaded, dict) else {}
    return dict(doc) if isinstance(doc, Mapping) else {}


def get_role(c: IAMClient, name: str) -> RoleTypeDef | None:
    try:
        return c.get_role(RoleName=name)["Role"]
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return None
        raise


def assume_policy(role: RoleTypeDef) -> dict[str, Any]:
    return _document(role.get("AssumeRolePolicyDocument", {}))


def role_tags(c: IAMClient, name: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for page in c.get_paginator("list_role_tags").paginate(RoleName=name):
        tags.update({t["Key"]: t["Value"] for t in page.get("Tags", [])})
    return tags


def inline_policies(c: IAMClient, name: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for page in c.get_paginator("list_role_policies").paginate(RoleName=name):
        for policy in page.get("PolicyNames", []):
            try:
                doc = c.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
            except botocore.exceptions.ClientError as exc:
                if is_not_found(exc):
                    continue
                raise
            out[policy] = _document(doc)
    return out


def attached_policies(c: IAMClient, name: str) -> list[str]:
    arns: list[str] = []
    for page in c.get_paginator("list_attached_role_policies").paginate(RoleName=name):
        arns += [p["PolicyArn"] for p in page.get("AttachedPolicies", []) if "PolicyArn" in p]
    return arns


# -- writes -----------------------------------------------------------------


def create_role(
    c: IAMClient, name: str, trust: Mapping[str, Any], tags: Mapping[str, str], description: str
) -> None:
    try:
        c.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=json.dumps(trust),
            Description=description,
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) != "EntityAlreadyExists":
            raise


def update_assume_policy(c: IAMClient, name: str, trust: Mapping[str, Any]) -> None:
    c.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))


def put_policy(c: IAMClient, role: str, policy: str, document: Mapping[str, Any]) -> None:
    c.put_role_policy(RoleName=role, PolicyName=policy, PolicyDocument=json.dumps(document))


def delete_policy(c: IAMClient, role: str, policy: str) -> None:
    with absent_ok():
        c.delete_role_policy(RoleName=role, PolicyName=policy)


def detach_policy(c: IAMClient, role: str, arn: str) -> None:
    with absent_ok():
        c.detach_role_policy(RoleName=role, PolicyArn=arn)


def delete_role(c: IAMClient, name: str) -> None:
    with absent_ok():
        c.delete_role(RoleName=name)
