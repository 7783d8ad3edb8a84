"""One handler per step type: the AWS call(s) a step stands for, through ``skylift.aws``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from skylift.aws import apigateway as rest
from skylift.aws import apigatewayv2 as http
from skylift.aws import awslambda as lam
from skylift.aws import events, iam, logs, s3
from skylift.deploy.model import FunctionConfig
from skylift.deploy.run import Run, run_step
from skylift.deploy.steps import (
    AddPermission,
    BlockPublicAccess,
    CreateBucket,
    CreateDeployment,
    CreateFunction,
    CreateHttpApi,
    CreateHttpStage,
    CreateIntegration,
    CreateLogGroup,
    CreateProxyResource,
    CreateRestApi,
    CreateRole,
    DeleteBucket,
    DeleteFunction,
    DeleteFunctionUrl,
    DeleteHttpApi,
    DeleteLayerVersion,
    DeleteLogGroup,
    DeleteObjects,
    DeleteRestApi,
    DeleteRole,
    DeleteRolePolicy,
    DeleteRule,
    DeleteVersion,
    DetachRolePolicy,
    EncryptBucket,
    PointAlias,
    PublishLayer,
    PublishVersion,
    PutFunctionUrl,
    PutIntegration,
    PutMethod,
    PutRolePolicy,
    PutRoute,
    PutRule,
    PutRuleTarget,
    RemovePermission,
    SetConcurrency,
    TagBucket,
    TagFunction,
    UpdateAssumePolicy,
    UpdateFunctionCode,
    UpdateFunctionConfiguration,
    UploadObject,
)


def config_params(
    config: FunctionConfig, run: Run, only: Iterable[str] | None = None
) -> dict[str, Any]:
    """Lambda API parameters for (some fields of) a configuration; empty values clear a field."""
    c = config
    params: dict[str, Any] = {
        "runtime": {"Runtime": c.runtime},
        "handler": {"Handler": c.handler},
        "role": {"Role": c.role},
        "memory_size": {"MemorySize": c.memory_size},
        "timeout": {"Timeout": c.timeout},
        "description": {"Description": c.description},
        "environment": {"Environment": {"Variables": dict(c.environment)}},
        "layers": {"Layers": [run.value(v) for v in c.layers]},
        "subnet_ids": {
            "VpcConfig": {
                "SubnetIds": list(c.subnet_ids),
                "SecurityGroupIds": list(c.security_group_ids),
            }
        },
        "tracing": {"TracingConfig": {"Mode": c.tracing}},
        "ephemeral_storage": {"EphemeralStorage": {"Size": c.ephemeral_storage}},
        "dead_letter_arn": {"DeadLetterConfig": {"TargetArn": c.dead_letter_arn or ""}},
        "kms_key_arn": {"KMSKeyArn": c.kms_key_arn or ""},
    }
    params["security_group_ids"] = params["subnet_ids"]
    wanted = set(only) if only is not None else set(params) - {"architecture"}
    out: dict[str, Any] = {}
    for name in sorted(wanted):
        out.update(params.get(name, {}))
    return out


# -- S3 and logs ---------------------------------------------------------------


@run_step.register
def _(step: CreateBucket, run: Run) -> None:
    s3.create_bucket(run.aws.s3(), step.bucket, step.region, step.tags)


@run_step.register
def _(step: TagBucket, run: Run) -> None:
    s3.tag_bucket(run.aws.s3(), step.bucket, step.tags)


@run_step.register
def _(step: BlockPublicAccess, run: Run) -> None:
    s3.block_public_access(run.aws.s3(), step.bucket)


@run_step.register
def _(step: EncryptBucket, run: Run) -> None:
    s3.encrypt(run.aws.s3(), step.bucket)


@run_step.register
def _(step: UploadObject, run: Run) -> None:
    s3.upload(run.aws.s3(), step.bucket, step.obj.key, step.obj.path, step.obj.sha256)


@run_step.register
def _(step: DeleteObjects, run: Run) -> None:
    s3.delete_objects(run.aws.s3(), step.bucket, step.keys)


@run_step.register
def _(step: DeleteBucket, run: Run) -> None:
    s3.delete_bucket(run.aws.s3(), step.bucket)


@run_step.register
def _(step: CreateLogGroup, run: Run) -> None:
    logs.create_log_group(run.aws.logs(), step.name, step.tags)


@run_step.register
def _(step: DeleteLogGroup, run: Run) -> None:
    logs.delete_log_group(run.aws.logs(), step.name)


# -- IAM -----------------------------------------------------------------------


@run_step.register
def _(step: CreateRole, run: Run) -> None:
    description = "Execution role of a skylift stage (least privilege, generated)."
    iam.create_role(run.aws.iam(), step.name, step.assume_policy, step.tags, description)


@run_step.register
def _(step: UpdateAssumePolicy, run: Run) -> None:
    iam.update_assume_policy(run.aws.iam(), step.name, step.document)


@run_step.register
def _(step: PutRolePolicy, run: Run) -> None:
    iam.put_policy(run.aws.iam(), step.role, step.policy_name, step.document)


@run_step.register
def _(step: DeleteRolePolicy, run: Run) -> None:
    iam.delete_policy(run.aws.iam(), step.role, step.policy_name)


@run_step.register
def _(step: DetachRolePolicy, run: Run) -> None:
    iam.detach_policy(run.aws.iam(), step.role, step.policy_arn)


@run_step.register
def _(step: DeleteRole, run: Run) -> None:
    iam.delete_role(run.aws.iam(), step.name)


# -- Lambda --------------------------------------------------------------------


@run_step.register
def _(step: PublishLayer, run: Run) -> None:
    spec = step.spec
    run.known["layer_arn"] = lam.publish_layer(
        run.aws.lambda_(),
        {
            "LayerName": spec.name,
            "Description": spec.description,
            "Content": {"S3Bucket": step.bucket, "S3Key": spec.archive.key},
            "CompatibleRuntimes": [spec.runtime],
            "CompatibleArchitectures": [spec.architecture],
        },
    )


@run_step.register
def _(step: DeleteLayerVersion, run: Run) -> None:
    lam.delete_layer_version(run.aws.lambda_(), step.name, step.version)


@run_step.register
def _(step: CreateFunction, run: Run) -> None:
    spec = step.spec
    params = config_params(spec.config, run)
    params.update(
        FunctionName=spec.name,
        Code={"S3Bucket": step.bucket, "S3Key": spec.code.key},
        Architectures=[spec.config.architecture],
        PackageType="Zip",
        Publish=False,
        Tags=dict(spec.tags),
    )
    if not spec.config.subnet_ids:
        params.pop("VpcConfig", None)
    if not spec.config.dead_letter_arn:
        params.pop("DeadLetterConfig", None)
    if not spec.config.kms_key_arn:
        params.pop("KMSKeyArn", None)
    lam.create_function(run.aws.lambda_(), params)


@run_step.register
def _(step: UpdateFunctionCode, run: Run) -> None:
    lam.update_code(run.aws.lambda_(), step.name, step.bucket, step.key, step.architecture)


@run_step.register
def _(step: UpdateFunctionConfiguration, run: Run) -> None:
    lam.update_configuration(
        run.aws.lambda_(), step.name, config_params(step.config, run, step.fields)
    )


@run_step.register
def _(step: TagFunction, run: Run) -> None:
    if step.tags:
        lam.tag(run.aws.lambda_(), step.arn, step.tags)
    if step.remove:
        lam.untag(run.aws.lambda_(), step.arn, step.remove)


@run_step.register
def _(step: SetConcurrency, run: Run) -> None:
    lam.set_concurrency(run.aws.lambda_(), step.name, step.value)


@run_step.register
def _(step: PublishVersion, run: Run) -> None:
    run.known["version"] = lam.publish_version(
        run.aws.lambda_(), step.name, step.description, step.code_sha256
    )


@run_step.register
def _(step: PointAlias, run: Run) -> None:
    lam.point_alias(
        run.aws.lambda_(),
        step.function,
        step.alias,
        run.value(step.version),
        exists=step.before is not None,
    )


@run_step.register
def _(step: DeleteVersion, run: Run) -> None:
    lam.delete_version(run.aws.lambda_(), step.function, step.version)


@run_step.register
def _(step: DeleteFunction, run: Run) -> None:
    lam.delete_function(run.aws.lambda_(), step.name)


@run_step.register
def _(step: AddPermission, run: Run) -> None:
    spec = step.spec
    params: dict[str, Any] = {
        "FunctionName": step.function,
        "Qualifier": step.qualifier,
        "StatementId": spec.sid,
        "Action": spec.action,
        "Principal": spec.principal,
    }
    if spec.source_arn is not None:
        params["SourceArn"] = run.value(spec.source_arn)
    if spec.url_auth_type:
        params["FunctionUrlAuthType"] = spec.url_auth_type
    if spec.invoked_via_url:
        params["InvokedViaFunctionUrl"] = True
    lam.add_permission(run.aws.lambda_(), params)


@run_step.register
def _(step: RemovePermission, run: Run) -> None:
    lam.remove_permission(run.aws.lambda_(), step.function, step.qualifier, step.sid)


@run_step.register
def _(step: PutFunctionUrl, run: Run) -> None:
    params: dict[str, Any] = {"AuthType": step.spec.auth_type, "InvokeMode": step.spec.invoke_mode}
    if step.spec.cors:
        params["Cors"] = dict(step.spec.cors)
    elif step.exists:
        params["Cors"] = {}
    run.known["function_url"] = lam.put_function_url(
        run.aws.lambda_(), step.function, step.alias, params, exists=step.exists
    )


@run_step.register
def _(step: DeleteFunctionUrl, run: Run) -> None:
    lam.delete_function_url(run.aws.lambda_(), step.function, step.alias)


# -- API Gateway ---------------------------------------------------------------


@run_step.register
def _(step: CreateRestApi, run: Run) -> None:
    spec = step.spec
    api_id, root = rest.create_api(
        run.aws.apigateway(),
        spec.name,
        spec.description,
        spec.binary_media_types,
        spec.endpoint_types,
        spec.tags,
    )
    run.known["rest_api_id"], run.known["root_id"] = api_id, root


@run_step.register
def _(step: CreateProxyResource, run: Run) -> None:
    run.known["proxy_id"] = rest.create_proxy_resource(
        run.aws.apigateway(), run.value(step.api_id), run.value(step.parent_id)
    )


@run_step.register
def _(step: PutMethod, run: Run) -> None:
    rest.put_method(
        run.aws.apigateway(),
        run.value(step.api_id),
        run.value(step.resource_id),
        step.authorization,
    )


@run_step.register
def _(step: PutIntegration, run: Run) -> None:
    rest.put_integration(
        run.aws.apigateway(), run.value(step.api_id), run.value(step.resource_id), step.uri
    )


@run_step.register
def _(step: CreateDeployment, run: Run) -> None:
    rest.deploy(run.aws.apigateway(), run.value(step.api_id), step.stage_name, "skylift")


@run_step.register
def _(step: DeleteRestApi, run: Run) -> None:
    rest.delete_api(run.aws.apigateway(), step.api_id)


@run_step.register
def _(step: CreateHttpApi, run: Run) -> None:
    spec = step.spec
    api_id, _endpoint = http.create_api(
        run.aws.apigatewayv2(), spec.name, spec.description, spec.tags
    )
    run.known["http_api_id"] = api_id


@run_step.register
def _(step: CreateIntegration, run: Run) -> None:
    run.known["integration_id"] = http.create_integration(
        run.aws.apigatewayv2(), run.value(step.api_id), step.uri
    )


@run_step.register
def _(step: PutRoute, run: Run) -> None:
    http.put_route(
        run.aws.apigatewayv2(),
        run.value(step.api_id),
        step.route_key,
        run.value(step.target_ref),
        step.route_id,
    )


@run_step.register
def _(step: CreateHttpStage, run: Run) -> None:
    http.create_stage(run.aws.apigatewayv2(), run.value(step.api_id), step.stage_name)


@run_step.register
def _(step: DeleteHttpApi, run: Run) -> None:
    http.delete_api(run.aws.apigatewayv2(), step.api_id)


# -- EventBridge ---------------------------------------------------------------


@run_step.register
def _(step: PutRule, run: Run) -> None:
    spec = step.spec
    events.put_rule(
        run.aws.events(), spec.name, spec.expression, spec.description, spec.enabled, spec.tags
    )


@run_step.register
def _(step: PutRuleTarget, run: Run) -> None:
    events.put_target(run.aws.events(), step.rule, step.arn, step.input)


@run_step.register
def _(step: DeleteRule, run: Run) -> None:
    events.delete_rule(run.aws.events(), step.name, step.target_ids)
