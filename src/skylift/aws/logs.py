"""CloudWatch Logs: the function's log group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import botocore.exceptions

from skylift.aws.errors import absent_ok, error_code

if TYPE_CHECKING:
    from mypy_boto3_logs import CloudWatchLogsClient


def log_group_exists(c: CloudWatchLogsClient, name: str) -> bool:
    found = c.describe_log_groups(logGroupNamePrefix=name, limit=50).get("logGroups", [])
    return any(g.get("logGroupName") == name for g in found)


def create_log_group(c: CloudWatchLogsClient, name: str, tags: Mapping[str, str]) -> None:
    try:
        c.create_log_group(logGroupName=name, tags=dict(tags))
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) != "ResourceAlreadyExistsException":
            raise


def delete_log_group(c: CloudWatchLogsClient, name: str) -> None:
    with absent_ok():
        c.delete_log_group(logGroupName=name)
