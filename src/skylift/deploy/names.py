"""Every name skylift gives an AWS resource, derived from the stage in one place.

All resources are named ``{project}-{stage}…`` (``Stage.function_name`` is the
base) and tagged ``skylift:project`` and ``skylift:stage``. Names longer than
a service allows are cut and end in a short hash of the full name, so two
long names never collide.

The Lambda alias and the REST API stage are named after the stage itself:
characters outside ``[A-Za-z0-9_-]`` become ``-``, and a stage named only
with digits gets a ``stage-`` prefix (Lambda refuses all-digit alias names,
which would read as version numbers).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from skylift.config import Stage

TAG_PROJECT = "skylift:project"
TAG_STAGE = "skylift:stage"

POLICY_NAME = "skylift-permissions"
ATTACHED_POLICY_NAME = "skylift-attached-policy"

# Statement ids of the resource-based permissions on the alias.
SID_REST_API = "skylift-rest-api"
SID_HTTP_API = "skylift-http-api"
SID_URL = "skylift-function-url"
SID_URL_INVOKE = "skylift-function-url-invoke"
SID_PREFIX = "skylift-"

_ALIAS_BAD = re.compile(r"[^A-Za-z0-9_-]+")


def bounded(name: str, limit: int) -> str:
    """``name`` if it fits in ``limit`` characters, else a prefix plus an 8-char hash."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9].rstrip('-_')}-{digest}"


def stage_slug(stage: str) -> str:
    """The alias (and REST API stage) name for a stage: ``[A-Za-z0-9_-]``, never only digits."""
    slug = _ALIAS_BAD.sub("-", stage).strip("-") or "live"
    if slug.isdigit():
        slug = f"stage-{slug}"
    return bounded(slug, 128)


@dataclass(frozen=True)
class Names:
    """The names of one stage's resources."""

    project: str
    stage: str
    function: str

    @classmethod
    def for_stage(cls, stage: Stage) -> Names:
        return cls(project=stage.project_name, stage=stage.name, function=stage.function_name)

    @property
    def tags(self) -> dict[str, str]:
        return {TAG_PROJECT: self.project, TAG_STAGE: self.stage}

    @property
    def alias(self) -> str:
        return stage_slug(self.stage)

    @property
    def api_stage(self) -> str:
        return stage_slug(self.stage)

    @property
    def role(self) -> str:
        return bounded(f"{self.function}-role", 64)

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.function}"

    @property
    def api(self) -> str:
        return self.function

    @property
    def object_prefix(self) -> str:
        """Every S3 object of the stage lives under this prefix."""
        return f"{self.function}/"

    def code_key(self, content_hash: str) -> str:
        return f"{self.object_prefix}{content_hash}.zip"

    def slim_key(self, slim_hash: str) -> str:
        return f"{self.object_prefix}{slim_hash}.slim.zip"

    def layer_key(self, layer_hash: str) -> str:
        return f"{self.object_prefix}{layer_hash}.layer.zip"

    @property
    def layer_prefix(self) -> str:
        return f"{self.function}-deps-"

    def layer(self, layer_hash: str) -> str:
        """The dependency layer's name: one name per dependency set, so reuse is a lookup."""
        return f"{self.layer_prefix}{layer_hash[:16]}"

    @property
    def rule_prefix(self) -> str:
        return f"{self.function}-"

    def default_bucket(self, account: str, region: str) -> str:
        """A bucket name unique to the account and region (S3 names are global)."""
        suffix = hashlib.sha256(f"{account}:{region}".encode()).hexdigest()[:10]
        base = re.sub(r"[^a-z0-9-]", "-", self.function.lower())[: 63 - len(suffix) - 1]
        return f"{base.strip('-')}-{suffix}"
