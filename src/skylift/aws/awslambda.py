"""Lambda: functions, versions, the alias, permissions, Function URLs, layers.

Reads return None (or empty) for what does not exist. Writes that leave the
function busy (create, code and configuration updates) wait until it is
ready again, so the next call never meets a ResourceConflictException.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from skylift.aws.errors import absent_ok, error_code, is_not_found

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_lambda.type_defs import (
        FunctionConfigurationTypeDef,
        GetFunctionResponseTypeDef,
        GetFunctionUrlConfigResponseTypeDef,
    )

READY_TIMEOUT = 300.0
ROLE_PROPAGATION_TIMEOUT = 90.0


def get_function(c: LambdaClient, name: str) -> GetFunctionResponseTypeDef | None:
    try:
        return c.get_function(FunctionName=name)
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return None
        raise


def list_versions(c: LambdaClient, name: str) -> list[FunctionConfigurationTypeDef]:
    """Published versions, oldest first ($LATEST left out)."""
    out: list[FunctionConfigurationTypeDef] = []
    try:
        for page in c.get_paginator("list_versions_by_function").paginate(FunctionName=name):
            out.extend(v for v in page.get("Versions", []) if v.get("Version") != "$LATEST")
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return []
        raise
    return sorted(out, key=lambda v: int(v.get("Version", "0")))


def get_alias_version(c: LambdaClient, name: str, alias: str) -> str | None:
    try:
        return c.get_alias(FunctionName=name, Name=alias).get("FunctionVersion")
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return None
        raise


def get_policy_statements(c: LambdaClient, name: str, qualifier: str) -> list[dict[str, Any]]:
    try:
        policy = c.get_policy(FunctionName=name, Qualifier=qualifier)["Policy"]
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return []
        raise
    statements = json.loads(policy).get("Statement", [])
    return [s for s in statements if isinstance(s, dict)]


def get_function_url(
    c: LambdaClient, name: str, qualifier: str
) -> GetFunctionUrlConfigResponseTypeDef | None:
    try:
        return c.get_function_url_config(FunctionName=name, Qualifier=qualifier)
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return None
        raise


def list_layer_names(c: LambdaClient, prefix: str) -> list[str]:
    names: list[str] = []
    for page in c.get_paginator("list_layers").paginate():
        names += [
            n
            for layer in page.get("Layers", [])
            if (n := layer.get("LayerName", "")).startswith(prefix)
        ]
    return names


def list_layer_versions(c: LambdaClient, name: str) -> list[tuple[int, str]]:
    """(version, arn) of a layer, oldest first."""
    out: list[tuple[int, str]] = []
    try:
        for page in c.get_paginator("list_layer_versions").paginate(LayerName=name):
            out += [
                (int(v.get("Version", 0)), v.get("LayerVersionArn", ""))
                for v in page.get("LayerVersions", [])
            ]
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return []
        raise
    return sorted(out)


# -- writes -----------------------------------------------------------------


def wait_ready(c: LambdaClient, name: str, response: Mapping[str, Any] | None = None) -> None:
    """Wait until the function is Active and its last update is done (real AWS takes seconds)."""
    state = response or {}
    deadline = time.monotonic() + READY_TIMEOUT
    delay = 0.25
    while (
        state.get("State", "Active") == "Pending" or state.get("LastUpdateStatus") == "InProgress"
    ):
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"Lambda function {name} did not become ready in {READY_TIMEOUT:.0f} s"
            )
        time.sleep(delay)
        delay = min(delay * 2, 2.0)
        state = c.get_function_configuration(FunctionName=name)
    if state.get("State") == "Failed" or state.get("LastUpdateStatus") == "Failed":
        reason = state.get("StateReason") or state.get("LastUpdateStatusReason") or "unknown reason"
        raise RuntimeError(f"Lambda function {name} failed to update: {reason}")


def _role_not_ready(exc: botocore.exceptions.ClientError) -> bool:
    """A role created seconds ago is not yet assumable (IAM is eventually consistent)."""
    message = str(exc.response.get("Error", {}).get("Message", ""))
    return error_code(exc) == "InvalidParameterValueException" and "role" in message.lower()


def create_function(c: LambdaClient, params: Mapping[str, Any]) -> str:
    """Create the function (retrying while a new role propagates); returns its ARN."""
    deadline = time.monotonic() + ROLE_PROPAGATION_TIMEOUT
    delay = 1.0
    while True:
        try:
            created = c.create_function(**params)
            break
        except botocore.exceptions.ClientError as exc:
            if not _role_not_ready(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 1.5, 8.0)
    wait_ready(c, params["FunctionName"], created)
    return created["FunctionArn"]


def update_code(c: LambdaClient, name: str, bucket: str, key: str, architecture: str) -> str:
    """Point $LATEST at new code (the architecture changes only with the code); returns its hash."""
    updated = c.update_function_code(
        FunctionName=name,
        S3Bucket=bucket,
        S3Key=key,
        Architectures=[architecture],  # type: ignore[list-item]
    )
    wait_ready(c, name, updated)
    return updated["CodeSha256"]


def update_configuration(c: LambdaClient, name: str, params: Mapping[str, Any]) -> None:
    deadline = time.monotonic() + ROLE_PROPAGATION_TIMEOUT
    while True:
        try:
            updated = c.update_function_configuration(FunctionName=name, **params)
            break
        except botocore.exceptions.ClientError as exc:
            if not _role_not_ready(exc) or time.monotonic() > deadline:
                raise
            time.sleep(2.0)
    wait_ready(c, name, updated)


def publish_version(c: LambdaClient, name: str, description: str, code_sha256: str) -> str:
    """Freeze $LATEST (code and configuration) as a version; returns its number."""
    published = c.publish_version(
        FunctionName=name, Description=description, CodeSha256=code_sha256
    )
    return published["Version"]


def point_alias(c: LambdaClient, name: str, alias: str, version: str, *, exists: bool) -> str:
    if exists:
        return c.update_alias(FunctionName=name, Name=alias, FunctionVersion=version)["AliasArn"]
    return c.create_alias(FunctionName=name, Name=alias, FunctionVersion=version)["AliasArn"]


def delete_version(c: LambdaClient, name: str, version: int) -> None:
    with absent_ok():
        c.delete_function(FunctionName=name, Qualifier=str(version))


def delete_function(c: LambdaClient, name: str) -> None:
    with absent_ok():
        c.delete_function(FunctionName=name)


def tag(c: LambdaClient, arn: str, tags: Mapping[str, str]) -> None:
    c.tag_resource(Resource=arn, Tags=dict(tags))


def untag(c: LambdaClient, arn: str, keys: Sequence[str]) -> None:
    c.untag_resource(Resource=arn, TagKeys=list(keys))


def set_concurrency(c: LambdaClient, name: str, value: int | None) -> None:
    if value is None:
        c.delete_function_concurrency(FunctionName=name)
    else:
        c.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=value)


def add_permission(c: LambdaClient, params: Mapping[str, Any]) -> None:
    try:
        c.add_permission(**params)
    except botocore.exceptions.ClientError as exc:
        # The same statement id already there means an earlier run got this far.
        if error_code(exc) != "ResourceConflictException":
            raise
        c.remove_permission(
            FunctionName=params["FunctionName"],
            StatementId=params["StatementId"],
            Qualifier=params["Qualifier"],
        )
        c.add_permission(**params)


def remove_permission(c: LambdaClient, name: str, qualifier: str, sid: str) -> None:
    with absent_ok():
        c.remove_permission(FunctionName=name, Qualifier=qualifier, StatementId=sid)


def put_function_url(
    c: LambdaClient, name: str, qualifier: str, params: Mapping[str, Any], *, exists: bool
) -> str:
    if exists:
        return c.update_function_url_config(FunctionName=name, Qualifier=qualifier, **params)[
            "FunctionUrl"
        ]
    return c.create_function_url_config(FunctionName=name, Qualifier=qualifier, **params)[
        "FunctionUrl"
    ]


def delete_function_url(c: LambdaClient, name: str, qualifier: str) -> None:
    with absent_ok():
        c.delete_function_url_config(FunctionName=name, Qualifier=qualifier)


def publish_layer(c: LambdaClient, params: Mapping[str, Any]) -> str:
    return c.publish_layer_version(**params)["LayerVersionArn"]


def delete_layer_version(c: LambdaClient, name: str, version: int) -> None:
    with absent_ok():
        c.delete_layer_version(LayerName=name, VersionNumber=version)
