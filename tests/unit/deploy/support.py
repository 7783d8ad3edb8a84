"""Builders for the deploy tests: stages, artifacts and hand-made current states."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from skylift.config import Stage, StageSettings
from skylift.deploy.current import (
    BucketState,
    Current,
    FunctionState,
    MethodState,
    RestApiState,
    RoleState,
    StatementState,
    VersionState,
)
from skylift.deploy.desired import desired_state
from skylift.deploy.model import Desired
from skylift.deploy.names import POLICY_NAME, SID_REST_API
from skylift.deploy.plan_front import APIGATEWAY, PROXY_PATH
from skylift.packaging import Artifact

ACCOUNT = "123456789012"
REGION = "us-east-1"
HANDLER = "skylift.runtime.handler.lambda_handler"


def make_stage(project_dir: Path, name: str = "dev", **settings: Any) -> Stage:
    values = {"app_function": "app.app", "aws_region": REGION, "project_name": "hello"}
    values.update(settings)
    return Stage(
        name=name,
        settings=StageSettings.model_validate(values),
        project_dir=project_dir,
        source=project_dir / "skylift.toml",
        raw=dict(values),
    )


def make_zip(path: Path, files: dict[str, str]) -> tuple[bytes, str]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, text in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            zf.writestr(info, text)
    data = buf.getvalue()
    path.write_bytes(data)
    return data, hashlib.sha256(data).hexdigest()


def make_artifact(
    directory: Path,
    code: str = "v1",
    *,
    runtime: str = "python3.12",
    slim: str | None = None,
    layer: str | None = None,
) -> Artifact:
    directory.mkdir(parents=True, exist_ok=True)
    data, digest = make_zip(directory / f"code-{code}.zip", {"app.py": f"# {code}\n"})
    extra: dict[str, Any] = {}
    if slim is not None:
        _, slim_hash = make_zip(directory / f"slim-{slim}.zip", {"dep.py": slim})
        extra.update(slim_archive=directory / f"slim-{slim}.zip", slim_hash=slim_hash)
    if layer is not None:
        _, layer_hash = make_zip(directory / f"layer-{layer}.zip", {"python/dep.py": layer})
        extra.update(layer_archive=directory / f"layer-{layer}.zip", layer_hash=layer_hash)
    return Artifact(
        path=directory / f"code-{code}.zip",
        content_hash=digest,
        size=len(data),
        handler=HANDLER,
        runtime=runtime,
        architecture="x86_64",
        **extra,
    )


def make_desired(tmp_path: Path, code: str = "v1", **settings: Any) -> Desired:
    stage = make_stage(tmp_path, **settings)
    return desired_state(
        stage,
        make_artifact(tmp_path / "art", code),
        account=ACCOUNT,
        region=REGION,
        partition="aws",
    )


def nothing(desired: Desired) -> Current:
    return Current(bucket=BucketState(name=desired.bucket.name))


def deployed(desired: Desired, *, versions: int = 1, api_id: str = "api123") -> Current:
    """The current state of a stage that ``desired`` describes exactly (REST API front door)."""
    fn = desired.function
    config = desired.function.config
    version_list = tuple(
        VersionState(
            version=n,
            config=replace(config, description=fn.version_description),
            code_sha256=fn.code_sha256,
        )
        for n in range(1, versions + 1)
    )
    rest = desired.rest_api
    assert rest is not None
    method = MethodState(authorization=rest.authorization, integration_uri=rest.integration_uri)
    return Current(
        bucket=BucketState(
            name=desired.bucket.name,
            exists=True,
            region=REGION,
            public_access_blocked=True,
            encrypted=True,
            tags=desired.bucket.tags,
            objects={o.key: "2026-01-01" for o in desired.objects},
        ),
        log_group=True,
        role=RoleState(
            name=desired.role.name,
            arn=desired.role.arn,
            tags=desired.role.tags,
            assume_policy=desired.role.assume_policy,
            policies={POLICY_NAME: dict(desired.role.policy)},
        ),
        function=FunctionState(
            name=fn.name,
            arn=fn.arn,
            config=config,
            code_sha256=fn.code_sha256,
            tags=dict(fn.tags),
            concurrency=fn.concurrency,
        ),
        versions=version_list,
        alias_version=str(versions),
        permissions={
            SID_REST_API: StatementState(
                sid=SID_REST_API,
                principal=APIGATEWAY,
                action="lambda:InvokeFunction",
                source_arn=str(desired.execute_api_arn(api_id)),
            )
        },
        rest_apis=(
            RestApiState(
                id=api_id,
                name=rest.name,
                tags=rest.tags,
                root_id="root",
                proxy_id="proxy",
                methods={"/": method, PROXY_PATH: method},
                stages=frozenset({rest.stage_name}),
            ),
        ),
    )
