"""The desired state of a stage: what should exist once deploy or update has run.

Built from the stage's settings and the packaged artifact (``desired.py``),
compared by ``plan`` with what ``observe`` found. Plain frozen dataclasses: no
AWS calls, no boto3.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

SECRET_FIELDS = frozenset({"environment"})


@dataclass(frozen=True)
class Later:
    """A value AWS only assigns when an earlier step runs (an API id, a version number).

    ``template`` wraps it (``"arn:…:{}/*"``): the executor fills it in, the plan
    display shows ``<key>`` in its place.
    """

    key: str
    template: str = "{}"

    def render(self) -> str:
        return self.template.format(f"<{self.key}>")

    def resolve(self, known: Mapping[str, str]) -> str:
        return self.template.format(known[self.key])


Value = str | Later


def show(value: Any) -> Any:
    """A value as the plan displays it."""
    if isinstance(value, Later):
        return value.render()
    if isinstance(value, tuple):
        return [show(v) for v in value]
    return value


@dataclass(frozen=True)
class Change:
    """One field that differs: what it is now and what it becomes."""

    field: str
    before: Any
    after: Any
    secret: bool = False

    def to_json(self) -> dict[str, Any]:
        if self.secret:
            return {"field": self.field, "before": "(hidden)", "after": "(hidden)"}
        return {"field": self.field, "before": show(self.before), "after": show(self.after)}


@dataclass(frozen=True)
class FunctionConfig:
    """The versioned configuration of a Lambda function, in comparable form."""

    runtime: str
    handler: str
    role: str
    memory_size: int
    timeout: int
    architecture: str
    description: str = ""
    environment: Mapping[str, str] = field(default_factory=dict)
    layers: tuple[Value, ...] = ()
    subnet_ids: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    tracing: str = "PassThrough"
    ephemeral_storage: int = 512
    dead_letter_arn: str | None = None
    kms_key_arn: str | None = None

    def diff(self, before: FunctionConfig | None) -> tuple[Change, ...]:
        """The fields that differ from ``before`` (all of them when there is none)."""
        changes = []
        for f in fields(self):
            new = getattr(self, f.name)
            old = getattr(before, f.name) if before else None
            if before is None or new != old:
                if f.name in SECRET_FIELDS:
                    changes.extend(_env_changes(old or {}, new, creating=before is None))
                else:
                    changes.append(Change(f.name, old, new))
        return tuple(changes)


def _env_changes(old: Mapping[str, str], new: Mapping[str, str], *, creating: bool) -> list[Change]:
    """Environment variables by name only: their values may be secrets."""
    out = []
    for name in sorted(set(old) | set(new)):
        if old.get(name) == new.get(name):
            continue
        before = "(set)" if name in old else None
        after = "(set)" if name in new else None
        if name in old and name in new:
            before, after = "(old value)", "(new value)"
        out.append(Change(f"environment.{name}", None if creating else before, after))
    return out


ObjectKind = Literal["code", "slim", "layer"]


@dataclass(frozen=True)
class ArtifactObject:
    """A local archive and the S3 key it lives under (named by its content hash)."""

    kind: ObjectKind
    path: Path
    key: str
    sha256: str
    size: int


@dataclass(frozen=True)
class BucketSpec:
    name: str
    region: str
    tags: Mapping[str, str]
    named_by_skylift: bool = True


@dataclass(frozen=True)
class RoleSpec:
    """The execution role. ``managed`` False: use it as it is (role_arn, manage_roles off)."""

    name: str
    arn: str
    managed: bool
    assume_policy: Mapping[str, Any]
    policy: Mapping[str, Any]
    attached_policy: Mapping[str, Any] | None
    tags: Mapping[str, str]
    named_by_skylift: bool = True


@dataclass(frozen=True)
class LayerSpec:
    """The dependency layer (``layers = "auto"``), published once per dependency hash."""

    name: str
    archive: ArtifactObject
    runtime: str
    architecture: str
    description: str


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    arn: str
    config: FunctionConfig
    code: ArtifactObject
    code_sha256: str
    tags: Mapping[str, str]
    concurrency: int | None
    version_description: str


@dataclass(frozen=True)
class RestApiSpec:
    """API Gateway v1: ``/`` and ``/{proxy+}`` ANY, Lambda proxy to the alias."""

    name: str
    description: str
    stage_name: str
    integration_uri: str
    authorization: str
    binary_media_types: tuple[str, ...]
    endpoint_types: tuple[str, ...]
    tags: Mapping[str, str]


@dataclass(frozen=True)
class HttpApiSpec:
    """API Gateway v2: ``$default`` route to the alias, auto-deployed ``$default`` stage."""

    name: str
    description: str
    integration_uri: str
    tags: Mapping[str, str]


@dataclass(frozen=True)
class FunctionUrlSpec:
    auth_type: str
    cors: Mapping[str, Any] | None
    invoke_mode: str


@dataclass(frozen=True)
class PermissionSpec:
    """A resource-based permission on the alias: who may invoke it, from where."""

    sid: str
    principal: str
    action: str
    source_arn: Value | None = None
    url_auth_type: str | None = None
    invoked_via_url: bool = False


@dataclass(frozen=True)
class LogGroupSpec:
    name: str
    tags: Mapping[str, str]


@dataclass(frozen=True)
class RuleSpec:
    """An EventBridge rule invoking the alias (schedules; filled in by events support)."""

    name: str
    expression: str
    description: str
    enabled: bool
    input: str
    tags: Mapping[str, str]


@dataclass(frozen=True)
class Desired:
    """Everything a deployed stage consists of."""

    stage: str
    project: str
    account: str
    region: str
    partition: str
    bucket: BucketSpec
    objects: tuple[ArtifactObject, ...]
    log_group: LogGroupSpec
    role: RoleSpec
    layer: LayerSpec | None
    function: FunctionSpec
    alias: str
    alias_arn: str
    rest_api: RestApiSpec | None
    http_api: HttpApiSpec | None
    function_url: FunctionUrlSpec | None
    rules: tuple[RuleSpec, ...]
    retain: int
    object_prefix: str
    layer_prefix: str
    rule_prefix: str
    warnings: tuple[str, ...] = ()

    def execute_api_arn(self, api_id: Value) -> Value:
        """The source ARN that scopes an API's invoke permission to that API."""
        prefix = f"arn:{self.partition}:execute-api:{self.region}:{self.account}:"
        if isinstance(api_id, Later):
            return Later(api_id.key, prefix + "{}/*")
        return f"{prefix}{api_id}/*"
