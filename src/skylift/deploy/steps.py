"""The typed steps a plan is made of: one step, one mutating AWS call (rarely two).

A step says what it does (``verb``), to what (``kind`` and ``target``) and,
for updates, which fields change (``details``). ``execute`` runs them,
``display`` prints them; a step never runs anything itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any, ClassVar

from skylift.deploy.model import (
    ArtifactObject,
    Change,
    FunctionConfig,
    FunctionSpec,
    FunctionUrlSpec,
    HttpApiSpec,
    LayerSpec,
    PermissionSpec,
    RestApiSpec,
    RuleSpec,
    Value,
    show,
)


@dataclass(frozen=True, kw_only=True)
class Step:
    verb: ClassVar[str] = "change"
    kind: ClassVar[str] = "resource"
    # Most steps are named by one of their fields ("name", "spec.name"): they say which
    # here; the others override ``target``.
    target_field: ClassVar[str] = ""

    @property
    def target(self) -> str:
        if not self.target_field:
            raise NotImplementedError(f"{type(self).__name__} names no target")
        return str(attrgetter(self.target_field)(self))

    def details(self) -> tuple[Change, ...]:
        return ()

    def describe(self) -> str:
        return f"{self.verb} {self.kind} {self.target}"

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.verb,
            "kind": self.kind,
            "target": self.target,
            "changes": [c.to_json() for c in self.details()],
        }


def _all(pairs: Mapping[str, Any]) -> tuple[Change, ...]:
    return tuple(Change(k, None, v) for k, v in pairs.items())


# -- S3 ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateBucket(Step):
    verb: ClassVar[str] = "create"
    kind: ClassVar[str] = "s3 bucket"
    target_field: ClassVar[str] = "bucket"
    bucket: str
    region: str
    tags: Mapping[str, str]

    def details(self) -> tuple[Change, ...]:
        return _all({"region": self.region, "tags": dict(self.tags)})


@dataclass(frozen=True, kw_only=True)
class TagBucket(Step):
    verb: ClassVar[str] = "tag"
    kind: ClassVar[str] = "s3 bucket"
    target_field: ClassVar[str] = "bucket"
    bucket: str
    tags: Mapping[str, str]

    def details(self) -> tuple[Change, ...]:
        return tuple(Change(f"tag {k}", None, v) for k, v in self.tags.items())


@dataclass(frozen=True, kw_only=True)
class BlockPublicAccess(Step):
    verb: ClassVar[str] = "block public access on"
    kind: ClassVar[str] = "s3 bucket"
    target_field: ClassVar[str] = "bucket"
    bucket: str


@dataclass(frozen=True, kw_only=True)
class EncryptBucket(Step):
    verb: ClassVar[str] = "turn on default encryption (SSE-S3) of"
    kind: ClassVar[str] = "s3 bucket"
    target_field: ClassVar[str] = "bucket"
    bucket: str


@dataclass(frozen=True, kw_only=True)
class UploadObject(Step):
    verb: ClassVar[str] = "upload"
    kind: ClassVar[str] = "artifact"
    bucket: str
    obj: ArtifactObject

    @property
    def target(self) -> str:
        return f"s3://{self.bucket}/{self.obj.key}"

    def details(self) -> tuple[Change, ...]:
        return _all({"kind": self.obj.kind, "size": self.obj.size, "sha256": self.obj.sha256})


@dataclass(frozen=True, kw_only=True)
class DeleteObjects(Step):
    verb: ClassVar[str] = "delete"
    kind: ClassVar[str] = "artifacts"
    bucket: str
    keys: tuple[str, ...]

    @property
    def target(self) -> str:
        n = len(self.keys)
        return f"s3://{self.bucket}/ ({n} object{'' if n == 1 else 's'})"

    def details(self) -> tuple[Change, ...]:
        return tuple(Change("key", k, None) for k in self.keys)


@dataclass(frozen=True, kw_only=True)
class DeleteBucket(Step):
    verb: ClassVar[str] = "delete (when empty)"
    kind: ClassVar[str] = "s3 bucket"
    target_field: ClassVar[str] = "bucket"
    bucket: str


# -- CloudWatch Logs ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateLogGroup(Step):
    verb: ClassVar[str] = "create"
    kind: ClassVar[str] = "log group"
    target_field: ClassVar[str] = "name"
    name: str
    tags: Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class DeleteLogGroup(Step):
    verb: ClassVar[str] = "delete"
    kind: ClassVar[str] = "log group"
    target_field: ClassVar[str] = "name"
    name: str


# -- IAM ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateRole(Step):
    verb: ClassVar[str] = "create"
    kind: ClassVar[str] = "iam role"
    target_field: ClassVar[str] = "name"
    name: str
    assume_policy: Mapping[str, Any]
    tags: Mapping[str, str]


@dataclass(frozen=True, kw_only=True)
class UpdateAssumePolicy(Step):
    verb: ClassVar[str] = "update trust policy of"
    kind: ClassVar[str] = "iam role"
    target_field: ClassVar[str] = "name"
    name: str
    document: Mapping[str, Any]
    before: Mapping[str, Any]

    def details(self) -> tuple[Change, ...]:
        return (Change("assume_role_policy", dict(self.before), dict(self.document)),)


@dataclass(frozen=True, kw_only=True)
class PutRolePolicy(Step):
    verb: ClassVar[str] = "put"
    kind: ClassVar[str] = "role policy"
    role: str
    policy_name: str
    document: Mapping[str, Any]
    before: Mapping[str, Any] | None = None

    @property
    def target(self) -> str:
        return f"{self.role}/{self.policy_name}"

    def details(self) -> tuple[Change, ...]:
        old = _statements(self.before)
        new = _statements(self.document)
        return tuple(
            [Change("statement", s, None) for s in old if s not in new]
            + [Change("statement", None, s) for s in new if s not in old]
        )


def _statements(doc: Mapping[str, Any] | None) -> list[str]:
    """Policy statements as one line each: ``Allow logs:PutLogEvents on arn…``."""
    out = []
    for st in (doc or {}).get("Statement", []):
        actions = st.get("Action", [])
        resources = st.get("Resource", [])
        actions = [actions] if isinstance(actions, str) else actions
        resources = [resources] if isinstance(resources, str) else resources
        out.append(f"{st.get('Effect', 'Allow')} {', '.join(actions)} on {', '.join(resources)}")
    return out


@dataclass(frozen=True, kw_only=True)
class DeleteRolePolicy(Step):
    verb: ClassVar[str] = "delete"
    kind: ClassVar[str] = "role policy"
    role: str
    policy_name: str

    @property
    def target(self) -> str:
        return f"{self.role}/{self.policy_name}"


@dataclass(frozen=True, kw_only=True)
class DetachRolePolicy(Step):
    verb: ClassVar[str] = "detach"
    kind: ClassVar[str] = "managed policy"
    role: str
    policy_arn: str

    @property
    def target(self) -> str:
        return f"{self.role} {self.policy_arn}"


@dataclass(frozen=True, kw_only=True)
class DeleteRole(Step):
    verb: ClassVar[str] = "delete"
    kind: ClassVar[str] = "iam role"
    target_field: ClassVar[str] = "name"
    name: str


# -- Lambda: layer, function, versions, alias --------------------------------


@dataclass(frozen=True, kw_only=True)
class PublishLayer(Step):
    verb: ClassVar[str] = "publish"
    kind: ClassVar[str] = "lambda layer"
    target_field: ClassVar[str] = "spec.name"
    spec: LayerSpec
    bucket: str


@dataclass(frozen=True, kw_only=True)
class DeleteLayerVersion(Step):
    verb: ClassVar[str] = "delete"
    kind: ClassVar[str] = "layer version"
    name: str
    version: int

    @property
    def target(self) -> str:
        return f"{self.name}:{self.version}"


@dataclass(frozen=True, kw_only=True)
class CreateFunction(Step):
    verb: ClassVar[str] = "create"
    kind: ClassVar[str] = "lambda function"
    target_field: ClassVar[str] = "spec.name"
    spec: FunctionSpec
    bucket: str

    def details(self) -> tuple[Change, ...]:
        extra = (Change("code", None, f"s3://{self.bucket}/{self.spec.code.key}"),)
        return self.spec.config.diff(None) + extra


@dataclass(frozen=True, kw_only=True)
class UpdateFunctionCode(Step):
    verb: ClassVar[str] = "update code of"
    kind: ClassVar[str] = "lambda function"
    target_field: ClassVar[str] = "name"
    name: str
    bucket: str
    key: str
    code_sha256: str
    before_sha256: str
    architecture: str
    before_architecture: str

    def details(self) -> tuple[Change, ...]:
        changes = [Change("code_sha256", self.before_sha256, self.code_sha256)]
        if self.architecture != self.before_architecture:
            changes.append(Change("architecture", self.before_architecture, self.architecture))
        return tuple(changes)


@dataclass(frozen=True, kw_only=True)
class UpdateFunctionConfiguration(Step):
    verb: ClassVar[str] = "update configuration of"
    kind: ClassVar[str] = "lambda function"
    target_field: ClassVar[str] = "name"
    name: str
    config: FunctionConfig
    changes: tuple[Change, ...]
    fields: tuple[str, ...]

    def details(self) -> tuple[Change, ...]:
        return self.changes


@dataclass(frozen=True, kw_only=True)
class TagFunction(Step):
    verb: ClassVar[str] = "tag"
    kind: ClassVar[str] = "lambda function"
    arn: str
    tags: Mapping[str, str] = field(default_factory=dict)
    remove: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        return self.arn.rsplit(":", 1)[-1]

    def details(self) -> tuple[Change, ...]:
        return tuple(Change(f"tag {k}", None, v) for k, v in self.tags.items()) + tuple(
            Change(f"tag {k}", "(set)", None) for k in self.remove
        )


@dataclass(frozen=True, kw_only=True)
class SetConcurrency(Step):
    verb: ClassVar[str] = "set reserved concurrency of"
    kind: ClassVar[str] = "lambda function"
    target_field: ClassVar[str] = "name"
    name: str
    value: int | None
    before: int | None

    def details(self) -> tuple[Change, ...]:
        return (Change("reserved_concurrency", self.before, self.value),)


@dataclass(frozen=True, kw_only=True)
class PublishVersion(Step):
    verb: ClassVar[str] = "publish"
    kind: ClassVar[str] = "lambda version"
    name: str
    description: str
    code_sha256: str

    @property
    def target(self) -> str:
        return f"{self.name} (new version)"


@dataclass(frozen=True, kw_only=True)
class PointAlias(Step):
    """Create the alias, or move it to another version (deploy, update, rollback)."""

    verb: ClassVar[str] = "point"
    kind: ClassVar[str] = "lambda alias"
    function: str
    alias: str
    version: Value
    before: str | None

    @property
    def target(self) -> str:
        return f"{self.function}:{self.alias}"

    def details(self) -> tuple[Change, ...]:
        return (Change("version", self.before, show(self.version)),)


@dataclass(frozen=True, kw_only=True)
class DeleteVersion(Step):
    verb: ClassVar[str] = "delete old"
    kind: ClassVar[str] = "lambda version"
    function: str
    version: int

    @property
    def target(self) -> str:
        return f"{self.function}:{self.version}"


@dataclass(frozen=True, kw_only=True)
class DeleteFunction(Step):
    verb: ClassVar[str] = "delete"
    kind: ClassVar[str] = "lambda function"
    name: str

    @property
    def target(self) -> str:
        return f"{self.name} (with its versions, alias, URL and permissions)"


@dataclass(frozen=True, kw_only=True)
class AddPermission(Step):
    verb: ClassVar[str] = "allow"
    kind: ClassVar[str] = "invoke permission"
    function: str
    qualifier: str
    spec: PermissionSpec

    @property
    def target(self) -> str:
        return f"{self.function}:{self.qualifier} {self.spec.sid}"

    def details(self) -> tuple[Change, ...]:
        pairs: dict[str, Any] = {"principal": self.spec.principal, "action": self.spec.action}
        if self.spec.source_arn is not None:
            pairs["source_arn"] = show(self.spec.source_arn)
        return _all(pairs)


@dataclass(frozen=True, kw_only=True)
class RemovePermission(Step):
    verb: ClassVar[str] = "remove"
    kind: ClassVar[str] = "invoke permission"
    function: str
    qualifier: str
    sid: str

    @property
    def target(self) -> str:
        return f"{self.function}:{self.qualifier} {self.sid}"


# -- API Gateway v1 (REST) ----------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateRestApi(Step):
    verb: ClassVar[str] = "create"
    kind: ClassVar[str] = "rest api"
    target_field: ClassVar[str] = "spec.name"
    spec: RestApiSpec


@dataclass(frozen=True, kw_only=True)
class CreateProxyResource(Step):
    verb: ClassVar[str] = "create"
    kind: ClassVar[str] = "api resource"
    api_id: Value
    parent_id: Value

    @property
    def target(self) -> str:
        return f"{show(self.api_id)} /{{proxy+}}"


@dataclass(frozen=True, kw_only=True)
class PutMethod(Step):
    verb: ClassVar[str] = "put"
    kind: ClassVar[str] = "api method"
    api_id: Value
    resource_id: Value
    path: str
    authorization: str

    @property
    def target(self) -> str:
        return f"{show(self.api_id)} ANY {self.path}"

    def details(self) -> tuple[Change, ...]:
        return (Change("authorization", None, self.authorization),)


@dataclass(frozen=True, kw_only=True)
class PutIntegration(Step):
    verb: ClassVar[str] = "put"
    kind: ClassVar[str] = "api integration"
    api_id: Value
    resource_id: Value
    path: str
    uri: str
    before: str | None = None

    @property
    def target(self) -> str:
        return f"{show(self.api_id)} ANY {self.path}"

    def details(self) -> tuple[Change, ...]:
        return (Change("uri", self.before, self.uri),)


@dataclass(frozen=True, kw_only=True)
class CreateDeployment(Step):
    verb: ClassVar[str] = "deploy"
    kind: ClassVar[str] = "rest api stage"
    api_id: Value
    stage_name: str

    @property
    def target(self) -> str:
        return f"{show(self.api_id)}/{self.stage_name}"


@dataclass(frozen=True, kw_only=True)
class DeleteRestApi(Step):
    verb: ClassVar[str] = "delete"
    kind: ClassVar[str] = "rest api"
    api_id: str
    name: str

    @property
    def target(self) -> str:
        return f"{self.name} ({self.api_id})"


# -- API Gateway v2 (HTTP) ----------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateHttpApi(Step):
    verb: ClassVar[str] = "create"
    kind: ClassVar[str] = "http api"
    target_field: ClassVar[str] = "spec.name"
    spec: HttpApiSpec


@dataclass(frozen=True, kw_only=True)
class CreateIntegration(Step):
    verb: ClassVar[str] = "create"
    kind: ClassVar[str] = "http api integration"
    api_id: Value
    uri: str

    @property
    def target(self) -> str:
        return f"{show(self.api_id)} -> {self.uri.rsplit(':', 1)[-1]}"

    def details(self) -> tuple[Change, ...]:
        return (Change("uri", None, self.uri),)


@dataclass(frozen=True, kw_only=True)
class PutRoute(Step):
    verb: ClassVar[str] = "put"
    kind: ClassVar[str] = "http api route"
    api_id: Value
    route_key: str
    route_id: str | None
    target_ref: Value
    before: str | None = None

    @property
    def target(self) -> str:
        return f"{show(self.api_id)} {self.route_key}"

    def details(self) -> tuple[Change, ...]:
        return (Change("target", self.before, show(self.target_ref)),)


@dataclass(frozen=True, kw_only=True)
class CreateHttpStage(Step):
    verb: ClassVar[str] = "create"
    kind: ClassVar[str] = "http api stage"
    api_id: Value
    stage_name: str

    @property
    def target(self) -> str:
        return f"{show(self.api_id)}/{self.stage_name} (auto-deploy)"


@dataclass(frozen=True, kw_only=True)
class DeleteHttpApi(Step):
    verb: ClassVar[str] = "delete"
    kind: ClassVar[str] = "http api"
    api_id: str
    name: str

    @property
    def target(self) -> str:
        return f"{self.name} ({self.api_id})"


# -- Function URL -------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PutFunctionUrl(Step):
    verb: ClassVar[str] = "put"
    kind: ClassVar[str] = "function url"
    function: str
    alias: str
    spec: FunctionUrlSpec
    exists: bool
    changes: tuple[Change, ...] = ()

    @property
    def target(self) -> str:
        return f"{self.function}:{self.alias}"

    def details(self) -> tuple[Change, ...]:
        if self.exists:
            return self.changes
        return _all(
            {"auth_type": self.spec.auth_type, "invoke_mode": self.spec.invoke_mode}
            | ({"cors": dict(self.spec.cors)} if self.spec.cors else {})
        )


@dataclass(frozen=True, kw_only=True)
class DeleteFunctionUrl(Step):
    verb: ClassVar[str] = "delete"
    kind: ClassVar[str] = "function url"
    function: str
    alias: str

    @property
    def target(self) -> str:
        return f"{self.function}:{self.alias}"


# -- EventBridge rules ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class PutRule(Step):
    verb: ClassVar[str] = "put"
    kind: ClassVar[str] = "schedule rule"
    target_field: ClassVar[str] = "spec.name"
    spec: RuleSpec
    changes: tuple[Change, ...] = ()

    def details(self) -> tuple[Change, ...]:
        return self.changes


@dataclass(frozen=True, kw_only=True)
class PutRuleTarget(Step):
    verb: ClassVar[str] = "point"
    kind: ClassVar[str] = "rule target"
    rule: str
    arn: str
    input: str

    @property
    def target(self) -> str:
        return f"{self.rule} -> {self.arn.rsplit(':', 2)[-2]}:{self.arn.rsplit(':', 1)[-1]}"


@dataclass(frozen=True, kw_only=True)
class DeleteRule(Step):
    verb: ClassVar[str] = "delete"
    kind: ClassVar[str] = "schedule rule"
    target_field: ClassVar[str] = "name"
    name: str
    target_ids: tuple[str, ...]
