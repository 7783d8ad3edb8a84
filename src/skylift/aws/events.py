"""EventBridge: the stage's rules (schedules) and their targets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import botocore.exceptions

from skylift.aws.errors import absent_ok, is_not_found

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import RuleTypeDef


def list_rules(c: EventBridgeClient, prefix: str) -> list[RuleTypeDef]:
    rules: list[RuleTypeDef] = []
    for page in c.get_paginator("list_rules").paginate(NamePrefix=prefix):
        rules += page.get("Rules", [])
    return rules


def rule_tags(c: EventBridgeClient, arn: str) -> dict[str, str]:
    try:
        tags = c.list_tags_for_resource(ResourceARN=arn).get("Tags", [])
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return {}
        raise
    return {t["Key"]: t["Value"] for t in tags}


def rule_targets(c: EventBridgeClient, rule: str) -> list[tuple[str, str, str]]:
    """(id, arn, input) of each target of ``rule``."""
    out: list[tuple[str, str, str]] = []
    try:
        for page in c.get_paginator("list_targets_by_rule").paginate(Rule=rule):
            out += [(t["Id"], t["Arn"], t.get("Input", "")) for t in page.get("Targets", [])]
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return []
        raise
    return out


def put_rule(
    c: EventBridgeClient,
    name: str,
    expression: str,
    description: str,
    enabled: bool,
    tags: Mapping[str, str],
) -> str:
    return c.put_rule(
        Name=name,
        ScheduleExpression=expression,
        Description=description,
        State="ENABLED" if enabled else "DISABLED",
        Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
    )["RuleArn"]


def put_target(c: EventBridgeClient, rule: str, arn: str, payload: str) -> None:
    c.put_targets(Rule=rule, Targets=[{"Id": "1", "Arn": arn, "Input": payload}])


def delete_rule(c: EventBridgeClient, name: str, target_ids: Sequence[str]) -> None:
    with absent_ok():
        if target_ids:
            c.remove_targets(Rule=name, Ids=list(target_ids), Force=True)
        c.delete_rule(Name=name, Force=True)
