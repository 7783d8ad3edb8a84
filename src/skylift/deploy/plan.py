"""``plan``: a pure function of (desired, current) -> the ordered steps that converge them.

No AWS here: tests build both states by hand. Nothing changed means no steps.
``preflight`` refuses states no plan should touch (a name someone else holds,
a bucket in another account) before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from skylift.aws.errors import BucketNotOwnedError, NameTakenError
from skylift.deploy.current import Current
from skylift.deploy.model import Desired
from skylift.deploy.names import ATTACHED_POLICY_NAME, POLICY_NAME, TAG_PROJECT, TAG_STAGE
from skylift.deploy.plan_front import (
    desired_permissions,
    function_url_steps,
    http_api_steps,
    permission_steps,
    rest_api_steps,
    rule_steps,
)
from skylift.deploy.plan_function import (
    code_changes,
    desired_config,
    function_steps,
    prune_steps,
    release_steps,
)
from skylift.deploy.steps import (
    BlockPublicAccess,
    CreateBucket,
    CreateFunction,
    CreateLogGroup,
    CreateRole,
    DeleteRolePolicy,
    EncryptBucket,
    PublishLayer,
    PutRolePolicy,
    Step,
    TagBucket,
    UpdateAssumePolicy,
    UpdateFunctionCode,
    UpdateFunctionConfiguration,
    UploadObject,
)
from skylift.errors import DeployError

# Steps that change what a published version freezes (code and configuration).
VERSIONED = (CreateFunction, UpdateFunctionCode, UpdateFunctionConfiguration)


@dataclass(frozen=True)
class Plan:
    """What a verb will do to one stage, in order."""

    stage: str
    verb: str
    steps: tuple[Step, ...]
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.steps

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "verb": self.verb,
            "steps": [s.to_json() for s in self.steps],
            "warnings": list(self.warnings),
        }


def _ours(tags: Any, desired: Desired) -> bool:
    return bool(tags.get(TAG_PROJECT) == desired.project and tags.get(TAG_STAGE) == desired.stage)


def preflight(desired: Desired, current: Current) -> None:
    """Refuse to touch what skylift did not make (names taken, a foreign bucket)."""
    b = current.bucket
    if b.owned_by_other:
        raise BucketNotOwnedError(
            f"The S3 bucket '{b.name}' exists and belongs to another AWS account.",
            hint="Bucket names are global: set s3_bucket to a name of your own in the settings.",
        )
    if b.exists and b.region and b.region != desired.region:
        raise DeployError(
            f"The S3 bucket '{b.name}' is in {b.region}, but stage '{desired.stage}' deploys "
            f"to {desired.region}; Lambda reads code only from its own region.",
            hint="Set s3_bucket to a bucket in the stage's region (or remove it for a default).",
        )
    f = current.function
    if f is not None and not _ours(f.tags, desired):
        raise NameTakenError(
            f"A Lambda function named '{f.name}' already exists, and skylift did not create it "
            "for this stage (it lacks the skylift:project/skylift:stage tags).",
            hint="Remove it (e.g. `zappa undeploy` if Zappa made it), or pick another "
            "project_name so the stage gets another function name.",
        )
    r = current.role
    spec = desired.role
    if r is not None and spec.managed and spec.named_by_skylift and not _ours(r.tags, desired):
        raise NameTakenError(
            f"An IAM role named '{r.name}' already exists, and skylift did not create it.",
            hint="Set role_name to use it on purpose, or delete it, or pick another project_name.",
        )
    if not desired.role.managed and r is None and desired.role.arn.split(":")[4] == desired.account:
        raise DeployError(
            f"The IAM role '{desired.role.name}' does not exist, and skylift is told not to "
            "manage roles (manage_roles is false or role_arn is set).",
            hint="Create the role, fix role_name/role_arn, or set manage_roles to true.",
        )


def plan(desired: Desired, current: Current, *, verb: str = "deploy") -> Plan:
    """The steps that take ``current`` to ``desired``."""
    config, layer_steps = desired_config(desired, current)
    changed_code = code_changes(desired, current)
    fn_steps = function_steps(desired, current, config)
    versioned = any(isinstance(s, VERSIONED) for s in fn_steps)
    release = release_steps(desired, current, config, function_changed=versioned)
    rest_steps, rest_id = rest_api_steps(desired, current)
    http_steps, http_id = http_api_steps(desired, current)
    perms = desired_permissions(desired, rest_id, http_id)
    steps: list[Step] = []
    steps += bucket_steps(desired, current)
    steps += upload_steps(desired, current, changed_code, layer_steps)
    if not current.log_group:
        steps.append(CreateLogGroup(name=desired.log_group.name, tags=desired.log_group.tags))
    steps += role_steps(desired, current)
    steps += layer_steps
    steps += fn_steps
    steps += release.steps
    steps += rest_steps + http_steps
    steps += function_url_steps(desired, current)
    steps += permission_steps(desired, current, perms)
    steps += rule_steps(desired, current)
    if release.live is not None:
        steps += prune_steps(desired, current, release.live, config)
    return Plan(stage=desired.stage, verb=verb, steps=tuple(steps), warnings=desired.warnings)


def bucket_steps(desired: Desired, current: Current) -> list[Step]:
    b, name = current.bucket, desired.bucket.name
    steps: list[Step] = []
    if not b.exists:
        steps.append(CreateBucket(bucket=name, region=desired.region, tags=desired.bucket.tags))
    elif desired.bucket.named_by_skylift and not _ours(b.tags, desired):
        # Created, but the run stopped before tagging it: the name is ours by construction.
        steps.append(TagBucket(bucket=name, tags=desired.bucket.tags))
    if not b.public_access_blocked:
        steps.append(BlockPublicAccess(bucket=name))
    if not b.encrypted:
        steps.append(EncryptBucket(bucket=name))
    return steps


def upload_steps(
    desired: Desired, current: Current, changed_code: bool, layer_steps: list[Step]
) -> list[Step]:
    """Upload only what a later step reads and the bucket does not already hold."""
    publishing_layer = any(isinstance(s, PublishLayer) for s in layer_steps)
    needed = {
        "code": changed_code,
        "slim": True,  # read at every cold start
        "layer": publishing_layer,
    }
    return [
        UploadObject(bucket=desired.bucket.name, obj=o)
        for o in desired.objects
        if needed[o.kind] and o.key not in current.bucket.objects
    ]


def role_steps(desired: Desired, current: Current) -> list[Step]:
    spec, role = desired.role, current.role
    if not spec.managed:
        return []
    steps: list[Step] = []
    policies: dict[str, Any] = dict(role.policies) if role else {}
    if role is None:
        steps.append(CreateRole(name=spec.name, assume_policy=spec.assume_policy, tags=spec.tags))
    elif dict(role.assume_policy) != dict(spec.assume_policy):
        steps.append(
            UpdateAssumePolicy(
                name=spec.name, document=spec.assume_policy, before=role.assume_policy
            )
        )
    if policies.get(POLICY_NAME) != dict(spec.policy):
        steps.append(
            PutRolePolicy(
                role=spec.name,
                policy_name=POLICY_NAME,
                document=spec.policy,
                before=policies.get(POLICY_NAME),
            )
        )
    if spec.attached_policy is not None:
        if policies.get(ATTACHED_POLICY_NAME) != dict(spec.attached_policy):
            steps.append(
                PutRolePolicy(
                    role=spec.name,
                    policy_name=ATTACHED_POLICY_NAME,
                    document=spec.attached_policy,
                    before=policies.get(ATTACHED_POLICY_NAME),
                )
            )
    elif ATTACHED_POLICY_NAME in policies:
        steps.append(DeleteRolePolicy(role=spec.name, policy_name=ATTACHED_POLICY_NAME))
    return steps
