"""The observed state of a stage: what exists in AWS right now, as ``observe`` read it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from skylift.deploy.model import FunctionConfig


@dataclass(frozen=True)
class BucketState:
    name: str
    exists: bool = False
    owned_by_other: bool = False
    region: str | None = None
    public_access_blocked: bool = False
    encrypted: bool = False
    tags: Mapping[str, str] = field(default_factory=dict)
    # Objects under the stage's prefix: key -> last modified (ISO text).
    objects: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RoleState:
    name: str
    arn: str
    tags: Mapping[str, str]
    assume_policy: Mapping[str, Any]
    policies: Mapping[str, Mapping[str, Any]]
    managed_policies: tuple[str, ...] = ()


@dataclass(frozen=True)
class FunctionState:
    name: str
    arn: str
    config: FunctionConfig
    code_sha256: str
    tags: Mapping[str, str]
    concurrency: int | None = None
    last_modified: str = ""


@dataclass(frozen=True)
class VersionState:
    version: int
    config: FunctionConfig
    code_sha256: str
    description: str = ""
    last_modified: str = ""


@dataclass(frozen=True)
class StatementState:
    """One statement of the alias's resource policy, reduced to what skylift sets."""

    sid: str
    principal: str
    action: str
    source_arn: str | None = None
    url_auth_type: str | None = None
    invoked_via_url: bool = False


@dataclass(frozen=True)
class MethodState:
    authorization: str
    integration_uri: str | None


@dataclass(frozen=True)
class RestApiState:
    id: str
    name: str
    tags: Mapping[str, str]
    created: str = ""
    root_id: str | None = None
    proxy_id: str | None = None
    # path ("/" or "/{proxy+}") -> the ANY method there
    methods: Mapping[str, MethodState] = field(default_factory=dict)
    stages: frozenset[str] = frozenset()
    binary_media_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class HttpApiState:
    id: str
    name: str
    tags: Mapping[str, str]
    endpoint: str = ""
    created: str = ""
    integrations: Mapping[str, str] = field(default_factory=dict)  # id -> uri
    routes: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # key -> (id, target)
    stages: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FunctionUrlState:
    url: str
    auth_type: str
    cors: Mapping[str, Any] | None
    invoke_mode: str


@dataclass(frozen=True)
class LayerState:
    name: str
    versions: tuple[tuple[int, str], ...]  # (version, arn), oldest first


@dataclass(frozen=True)
class RuleState:
    name: str
    arn: str
    expression: str
    enabled: bool
    description: str
    tags: Mapping[str, str]
    targets: tuple[tuple[str, str, str], ...] = ()  # (id, arn, input)


@dataclass(frozen=True)
class Current:
    """What exists for the stage. Empty collections and None mean "not there"."""

    bucket: BucketState
    log_group: bool = False
    role: RoleState | None = None
    function: FunctionState | None = None
    versions: tuple[VersionState, ...] = ()
    alias_version: str | None = None
    permissions: Mapping[str, StatementState] = field(default_factory=dict)
    rest_apis: tuple[RestApiState, ...] = ()
    http_apis: tuple[HttpApiState, ...] = ()
    function_url: FunctionUrlState | None = None
    layers: tuple[LayerState, ...] = ()
    rules: tuple[RuleState, ...] = ()

    def version(self, number: str | int | None) -> VersionState | None:
        for v in self.versions:
            if str(v.version) == str(number):
                return v
        return None

    @property
    def live(self) -> VersionState | None:
        """The version the alias points at."""
        return self.version(self.alias_version)
