"""From a stage's settings and its packaged artifact to the desired state (no AWS calls)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from skylift.config import Stage
from skylift.config.runtimes import SUPPORTED_RUNTIMES
from skylift.deploy.model import (
    ArtifactObject,
    BucketSpec,
    Desired,
    FunctionConfig,
    FunctionSpec,
    FunctionUrlSpec,
    HttpApiSpec,
    Later,
    LayerSpec,
    LogGroupSpec,
    RestApiSpec,
    RoleSpec,
    Value,
)
from skylift.deploy.names import Names
from skylift.deploy.policy import LAMBDA_TRUST_POLICY, PolicyContext, execution_policy
from skylift.errors import ConfigError, DeployError
from skylift.packaging import Artifact

SLIM_ENV = "SKYLIFT_SLIM_ARCHIVE"
LAYER_ARN = Later("layer_arn")

# Lambda sets these itself and refuses a configuration that names them.
RESERVED_ENV = frozenset(
    {
        "_HANDLER",
        "_X_AMZN_TRACE_ID",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_EXECUTION_ENV",
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_INITIALIZATION_TYPE",
        "AWS_LAMBDA_LOG_GROUP_NAME",
        "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_ACCESS_KEY",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_LAMBDA_RUNTIME_API",
        "LAMBDA_TASK_ROOT",
        "LAMBDA_RUNTIME_DIR",
    }
)

# Settings whose AWS side comes with events, domains and API protection (not deployed yet).
_NOT_YET = ("domain", "certificate_arn", "api_key_required", "authorizer", "cognito", "alb_enabled")


def desired_state(
    stage: Stage, artifact: Artifact, *, account: str, region: str, partition: str
) -> Desired:
    """What the stage should look like once deployed."""
    s = stage.settings
    names = Names.for_stage(stage)
    if artifact.runtime not in SUPPORTED_RUNTIMES:
        raise DeployError(
            f"Lambda no longer accepts the runtime '{artifact.runtime}' (stage '{stage.name}').",
            hint=f"Set runtime to one of {', '.join(SUPPORTED_RUNTIMES)} in {stage.source.name}.",
        )
    bucket = s.s3_bucket or names.default_bucket(account, region)
    tags = {**s.tags, **names.tags}
    fn_arn = f"arn:{partition}:lambda:{region}:{account}:function:{names.function}"
    alias_arn = f"{fn_arn}:{names.alias}"
    code = _object("code", artifact.path, names.code_key(artifact.content_hash), artifact)
    objects = [code]
    env = _environment(stage)
    if s.slim_handler and artifact.slim_archive and artifact.slim_hash:
        slim = _object("slim", artifact.slim_archive, names.slim_key(artifact.slim_hash), artifact)
        objects.append(slim)
        env[SLIM_ENV] = f"s3://{bucket}/{slim.key}"
    layer = _layer(stage, artifact, names)
    if layer:
        objects.append(layer.archive)
    role = _role(stage, names, account=account, region=region, partition=partition, bucket=bucket)
    uri = (
        f"arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/"
        f"{alias_arn}/invocations"
    )
    config = _config(stage, artifact, role.arn, env, layer)
    return Desired(
        stage=stage.name,
        project=names.project,
        account=account,
        region=region,
        partition=partition,
        bucket=BucketSpec(
            name=bucket, region=region, tags=names.tags, named_by_skylift=not s.s3_bucket
        ),
        objects=tuple(objects),
        log_group=LogGroupSpec(name=names.log_group, tags=tags),
        role=role,
        layer=layer,
        function=FunctionSpec(
            name=names.function,
            arn=fn_arn,
            config=config,
            code=code,
            code_sha256=artifact.code_sha256,
            tags=tags,
            concurrency=s.lambda_concurrency,
            version_description=f"skylift {stage.name} {artifact.content_hash[:12]}",
        ),
        alias=names.alias,
        alias_arn=alias_arn,
        rest_api=_rest_api(stage, names, uri, tags),
        http_api=_http_api(stage, names, alias_arn, tags),
        function_url=_function_url(stage),
        rules=(),
        retain=s.num_retained_versions or s.num_retained_artifacts,
        object_prefix=names.object_prefix,
        layer_prefix=names.layer_prefix,
        rule_prefix=names.rule_prefix,
        warnings=tuple(unsupported_warnings(stage)),
    )


def _object(kind: Any, path: Path, key: str, artifact: Artifact) -> ArtifactObject:
    if kind == "code":
        return ArtifactObject(kind, path, key, artifact.content_hash, artifact.size)
    digest = artifact.slim_hash if kind == "slim" else artifact.layer_hash
    size = path.stat().st_size if path.exists() else 0
    return ArtifactObject(kind, path, key, digest or "", size)


def _environment(stage: Stage) -> dict[str, str]:
    env = {**stage.settings.environment_variables, **stage.settings.aws_environment_variables}
    reserved = sorted(k for k in env if k in RESERVED_ENV or k.startswith("AWS_LAMBDA_"))
    if reserved:
        raise ConfigError(
            f"Stage '{stage.name}' sets environment variables Lambda reserves: "
            f"{', '.join(reserved)} (in {stage.source.name}).",
            hint="Lambda sets these itself; rename them.",
        )
    bad = sorted(k for k in env if not isinstance(env[k], str))
    if bad:
        raise ConfigError(
            f"Environment variables must be strings: {', '.join(bad)} (stage '{stage.name}').",
            hint='Quote the values, e.g. DEBUG = "1".',
        )
    return dict(env)


def _layer(stage: Stage, artifact: Artifact, names: Names) -> LayerSpec | None:
    if stage.settings.layers != "auto" or not artifact.layer_archive or not artifact.layer_hash:
        return None
    archive = _object(
        "layer", artifact.layer_archive, names.layer_key(artifact.layer_hash), artifact
    )
    return LayerSpec(
        name=names.layer(artifact.layer_hash),
        archive=archive,
        runtime=artifact.runtime,
        architecture=artifact.architecture,
        description=f"skylift dependencies of {names.function} sha256:{artifact.layer_hash}",
    )


def _config(
    stage: Stage, artifact: Artifact, role_arn: str, env: dict[str, str], layer: LayerSpec | None
) -> FunctionConfig:
    s = stage.settings
    layers: list[Value] = list(s.layers) if isinstance(s.layers, list) else []
    if layer:
        layers.append(LAYER_ARN)
    vpc = s.vpc_config
    return FunctionConfig(
        runtime=artifact.runtime,
        handler=artifact.handler,
        role=role_arn,
        memory_size=s.memory_size,
        timeout=s.timeout_seconds,
        architecture=artifact.architecture,
        description=s.lambda_description or f"{stage.project_name} {stage.name} (skylift)",
        environment=env,
        layers=tuple(layers),
        subnet_ids=tuple(sorted(vpc.SubnetIds)) if vpc else (),
        security_group_ids=tuple(sorted(vpc.SecurityGroupIds)) if vpc else (),
        tracing="Active" if s.xray_tracing else "PassThrough",
        ephemeral_storage=s.ephemeral_storage.Size if s.ephemeral_storage else 512,
        dead_letter_arn=s.dead_letter_arn or None,
        kms_key_arn=s.aws_kms_key_arn or None,
    )


def _role(
    stage: Stage, names: Names, *, account: str, region: str, partition: str, bucket: str
) -> RoleSpec:
    s = stage.settings
    name = s.role_name or names.role
    arn = s.role_arn or f"arn:{partition}:iam::{account}:role/{name}"
    if s.role_arn:
        name = s.role_arn.rsplit("/", 1)[-1]
    ctx = PolicyContext(
        partition=partition,
        region=region,
        account=account,
        function=names.function,
        function_arn=f"arn:{partition}:lambda:{region}:{account}:function:{names.function}",
        log_group=names.log_group,
        bucket=bucket,
        object_prefix=names.object_prefix,
    )
    assume = _policy_file(stage, s.assume_policy) if s.assume_policy else LAMBDA_TRUST_POLICY
    return RoleSpec(
        name=name,
        arn=arn,
        managed=s.manage_roles and not s.role_arn,
        assume_policy=assume,
        policy=execution_policy(s, ctx),
        attached_policy=_policy_file(stage, s.attach_policy) if s.attach_policy else None,
        tags={**s.tags, **names.tags},
        named_by_skylift=not (s.role_name or s.role_arn),
    )


def _policy_file(stage: Stage, path_text: str) -> dict[str, Any]:
    """A policy document named by a settings key (Zappa: a path to a JSON file)."""
    path = Path(path_text)
    if not path.is_absolute():
        path = stage.project_dir / path
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"Cannot read the policy file {path} (stage '{stage.name}'): {exc.strerror}.",
            hint="attach_policy and assume_policy name a JSON policy file, relative to the project.",
        ) from exc
    except ValueError as exc:
        raise ConfigError(
            f"The policy file {path} is not valid JSON: {exc}.",
            hint='It must be an IAM policy document: {"Version": …, "Statement": […]}.',
        ) from exc
    if not isinstance(data, dict) or "Statement" not in data:
        raise ConfigError(
            f"The policy file {path} is not an IAM policy document (no Statement).",
            hint='It must be an IAM policy document: {"Version": …, "Statement": […]}.',
        )
    return data


def apigateway_enabled(stage: Stage) -> bool:
    s = stage.settings
    return s.apigateway_enabled if s.use_apigateway is None else s.use_apigateway


def _rest_api(stage: Stage, names: Names, uri: str, tags: dict[str, str]) -> RestApiSpec | None:
    s = stage.settings
    if not apigateway_enabled(stage) or s.apigateway_version != "v1":
        return None
    return RestApiSpec(
        name=names.api,
        description=s.apigateway_description or f"{names.project} {names.stage} (skylift)",
        stage_name=names.api_stage,
        integration_uri=uri,
        authorization="AWS_IAM" if s.iam_authorization else "NONE",
        binary_media_types=("*/*",) if s.binary_support else (),
        endpoint_types=tuple(s.endpoint_configuration or ()),
        tags=tags,
    )


def _http_api(
    stage: Stage, names: Names, alias_arn: str, tags: dict[str, str]
) -> HttpApiSpec | None:
    s = stage.settings
    if not apigateway_enabled(stage) or s.apigateway_version != "v2":
        return None
    return HttpApiSpec(
        name=names.api,
        description=s.apigateway_description or f"{names.project} {names.stage} (skylift)",
        integration_uri=alias_arn,
        tags=tags,
    )


def _function_url(stage: Stage) -> FunctionUrlSpec | None:
    s = stage.settings
    if not s.function_url_enabled:
        return None
    spec = s.function_url_config
    cors: dict[str, Any] | None = None
    if spec and spec.cors:
        c = spec.cors
        cors = {
            "AllowCredentials": c.allowCredentials,
            "AllowHeaders": sorted(c.allowedHeaders),
            "AllowMethods": sorted(c.allowedMethods),
            "AllowOrigins": sorted(c.allowedOrigins),
            "ExposeHeaders": sorted(c.exposedResponseHeaders),
            "MaxAge": c.maxAge,
        }
    return FunctionUrlSpec(
        auth_type=spec.authorizer if spec else "NONE",
        cors=cors,
        invoke_mode=spec.invoke_mode if spec else "BUFFERED",
    )


def unsupported_warnings(stage: Stage) -> list[str]:
    """What the stage asks for that deploy does not create yet (from its settings alone)."""
    s = stage.settings
    out = [
        f"'{key}' is set, but deploy does not act on it yet (it comes with events, domains "
        "and API protection); the stage is deployed without it."
        for key in _NOT_YET
        if key in stage.raw and stage.raw[key] not in (None, False, "", [], {})
    ]
    if any(e.expression or e.expressions or e.event_source for e in s.events):
        out.append(
            "'events' are not deployed yet (schedules and event sources come with events "
            "support); the role already has the permissions their sources need."
        )
    if _expects_keep_warm(stage):
        out.append(
            f"keep_warm is on, but its schedule ({s.keep_warm_expression}) is not created yet "
            "(it comes with events support): the function is not kept warm. "
            "Set keep_warm = false to say you do not need it."
        )
    if s.cors is not False and s.apigateway_version == "v1" and "cors" in stage.raw:
        out.append("'cors' on a REST API is not deployed yet; the app may answer CORS itself.")
    return out


def _expects_keep_warm(stage: Stage) -> bool:
    """keep_warm set to true, or left at Zappa's default in a Zappa file (Zappa makes the rule).

    A skylift file that never mentions keep_warm gets no warning: its user did
    not ask for the schedule, and a warning on every deploy would be noise.
    """
    if not stage.settings.keep_warm:
        return False
    return "keep_warm" in stage.raw or stage.source.name.startswith("zappa_settings")
