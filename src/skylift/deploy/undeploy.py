"""``undeploy STAGE``: remove everything skylift made for the stage, found by name and tag.

Idempotent: what is already gone is skipped, so running it again after a
failure finishes the job. The bucket goes only when skylift created it for
this stage and nothing else is left in it; the log group only with
``--remove-logs``; a role only when skylift created it (tagged).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skylift.aws import Aws
from skylift.config import Stage
from skylift.deploy.current import Current
from skylift.deploy.execute import Progress, execute
from skylift.deploy.names import ATTACHED_POLICY_NAME, POLICY_NAME
from skylift.deploy.observe import Lookup, observe
from skylift.deploy.plan import Plan
from skylift.deploy.steps import (
    DeleteBucket,
    DeleteFunction,
    DeleteHttpApi,
    DeleteLayerVersion,
    DeleteLogGroup,
    DeleteObjects,
    DeleteRestApi,
    DeleteRole,
    DeleteRolePolicy,
    DeleteRule,
    DetachRolePolicy,
    Step,
)


@dataclass(frozen=True)
class UndeployPrepared:
    stage: Stage
    aws: Aws
    plan: Plan


@dataclass(frozen=True)
class UndeployResult:
    stage: str
    removed: int
    plan: Plan

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "removed": [s.to_json() for s in self.plan.steps][: self.removed],
            "nothing_deployed": not self.plan.steps,
        }


def plan_undeploy(lookup: Lookup, current: Current, *, remove_logs: bool = False) -> Plan:
    """Pure: the deletions that leave nothing of the stage behind."""
    names = lookup.names
    steps: list[Step] = [
        DeleteRule(name=r.name, target_ids=tuple(t[0] for t in r.targets)) for r in current.rules
    ]
    steps += [DeleteRestApi(api_id=a.id, name=a.name) for a in current.rest_apis]
    steps += [DeleteHttpApi(api_id=a.id, name=a.name) for a in current.http_apis]
    notes = []
    f = current.function
    if f is not None and lookup.ours(f.tags):
        steps.append(DeleteFunction(name=f.name))
    elif f is not None:
        notes.append(f"The function {f.name} lacks skylift's tags for this stage: left alone.")
    for layer in current.layers:
        steps += [DeleteLayerVersion(name=layer.name, version=n) for n, _ in layer.versions]
    b = current.bucket
    if b.exists and b.objects:
        steps.append(DeleteObjects(bucket=b.name, keys=tuple(sorted(b.objects))))
    if b.exists and (lookup.ours(b.tags) or lookup.bucket_named_by_skylift):
        steps.append(DeleteBucket(bucket=b.name))
    r = current.role
    if r is not None and lookup.role_managed and lookup.ours(r.tags):
        steps += [DeleteRolePolicy(role=r.name, policy_name=p) for p in sorted(r.policies)]
        steps += [DetachRolePolicy(role=r.name, policy_arn=a) for a in r.managed_policies]
        steps.append(DeleteRole(name=r.name))
    elif r is not None and lookup.role_managed:
        # A role the user named (role_name) and skylift only filled: take back our policies.
        ours = [p for p in (POLICY_NAME, ATTACHED_POLICY_NAME) if p in r.policies]
        steps += [DeleteRolePolicy(role=r.name, policy_name=p) for p in ours]
    if remove_logs and current.log_group:
        steps.append(DeleteLogGroup(name=names.log_group))
    return Plan(stage=names.stage, verb="undeploy", steps=tuple(steps), notes=tuple(notes))


def prepare_undeploy(stage: Stage, aws: Aws, *, remove_logs: bool = False) -> UndeployPrepared:
    lookup = Lookup.for_stage(stage, aws.identity.account, aws.region)
    current = observe(aws, lookup)
    return UndeployPrepared(stage, aws, plan_undeploy(lookup, current, remove_logs=remove_logs))


def apply_undeploy(prepared: UndeployPrepared, progress: Progress | None = None) -> UndeployResult:
    run = execute(prepared.plan, prepared.aws, progress)
    return UndeployResult(prepared.stage.name, len(run.done), prepared.plan)


def undeploy_stage(
    stage: Stage, aws: Aws, *, remove_logs: bool = False, progress: Progress | None = None
) -> UndeployResult:
    return apply_undeploy(prepare_undeploy(stage, aws, remove_logs=remove_logs), progress)
