"""Read what exists for a stage (read-only calls only, run in parallel)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import botocore.exceptions

from skylift.aws import Aws, events, iam, logs, s3
from skylift.aws import apigateway as rest
from skylift.aws import apigatewayv2 as http
from skylift.aws import awslambda as lam
from skylift.aws.errors import translate
from skylift.config import Stage
from skylift.deploy.current import (
    BucketState,
    Current,
    FunctionState,
    FunctionUrlState,
    HttpApiState,
    LayerState,
    MethodState,
    RestApiState,
    RoleState,
    RuleState,
    StatementState,
    VersionState,
)
from skylift.deploy.model import FunctionConfig
from skylift.deploy.names import SID_PREFIX, TAG_PROJECT, TAG_STAGE, Names

T = TypeVar("T")
PROXY_PATH = "/{proxy+}"


@dataclass(frozen=True)
class Lookup:
    """Where a stage's resources are, from its settings alone (no artifact needed)."""

    names: Names
    account: str
    bucket: str
    role: str
    role_managed: bool
    bucket_named_by_skylift: bool = True

    @classmethod
    def for_stage(cls, stage: Stage, account: str, region: str) -> Lookup:
        names = Names.for_stage(stage)
        s = stage.settings
        role = s.role_arn.rsplit("/", 1)[-1] if s.role_arn else (s.role_name or names.role)
        return cls(
            names=names,
            account=account,
            bucket=s.s3_bucket or names.default_bucket(account, region),
            role=role,
            role_managed=s.manage_roles and not s.role_arn,
            bucket_named_by_skylift=not s.s3_bucket,
        )

    def ours(self, tags: Mapping[str, str]) -> bool:
        return (
            tags.get(TAG_PROJECT) == self.names.project and tags.get(TAG_STAGE) == self.names.stage
        )


FUNCTION_PARTS = frozenset({"function", "versions", "alias"})


def observe(aws: Aws, lookup: Lookup, only: frozenset[str] | None = None) -> Current:
    """The stage's current state (``only`` some parts: the others read as absent).

    AWS errors become skylift errors naming what was being read.
    """
    tasks: dict[str, Callable[[], Any]] = {
        "bucket": lambda: _bucket(aws, lookup),
        "log_group": lambda: logs.log_group_exists(aws.logs(), lookup.names.log_group),
        "role": lambda: _role(aws, lookup.role),
        "function": lambda: _function(aws, lookup.names.function),
        "versions": lambda: _versions(aws, lookup.names.function),
        "alias": lambda: lam.get_alias_version(
            aws.lambda_(), lookup.names.function, lookup.names.alias
        ),
        "permissions": lambda: _permissions(aws, lookup),
        "rest_apis": lambda: _rest_apis(aws, lookup),
        "http_apis": lambda: _http_apis(aws, lookup),
        "url": lambda: _function_url(aws, lookup),
        "layers": lambda: _layers(aws, lookup.names.layer_prefix),
        "rules": lambda: _rules(aws, lookup),
    }
    # Build the clients first: creating them is not thread-safe, calling them is.
    for client in (
        aws.s3,
        aws.logs,
        aws.iam,
        aws.lambda_,
        aws.apigateway,
        aws.apigatewayv2,
        aws.events,
    ):
        client()
    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = {key: pool.submit(_read, key, fn) for key, fn in tasks.items()}
        got = {key: f.result() for key, f in futures.items()}
    return Current(
        bucket=got["bucket"],
        log_group=got["log_group"],
        role=got["role"],
        function=got["function"],
        versions=got["versions"],
        alias_version=got["alias"],
        permissions=got["permissions"],
        rest_apis=got["rest_apis"],
        http_apis=got["http_apis"],
        function_url=got["url"],
        layers=got["layers"],
        rules=got["rules"],
    )


def _read(what: str, fn: Callable[[], T]) -> T:
    try:
        return fn()
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        raise translate(exc, f"reading the stage's {what.replace('_', ' ')}") from exc


def _bucket(aws: Aws, lookup: Lookup) -> BucketState:
    c = aws.s3()
    name = lookup.bucket
    owned, region = s3.bucket_in_account(c, name, lookup.account)
    if not owned:
        return BucketState(name=name, exists=False, owned_by_other=s3.bucket_exists(c, name))
    return BucketState(
        name=name,
        exists=True,
        region=region,
        public_access_blocked=s3.public_access_blocked(c, name),
        encrypted=s3.encrypted(c, name),
        tags=s3.bucket_tags(c, name),
        objects=s3.list_objects(c, name, lookup.names.object_prefix),
    )


def _role(aws: Aws, name: str) -> RoleState | None:
    c = aws.iam()
    role = iam.get_role(c, name)
    if role is None:
        return None
    return RoleState(
        name=name,
        arn=role["Arn"],
        tags=iam.role_tags(c, name),
        assume_policy=iam.assume_policy(role),
        policies=iam.inline_policies(c, name),
        managed_policies=tuple(iam.attached_policies(c, name)),
    )


def config_from(fc: Mapping[str, Any]) -> FunctionConfig:
    """A function configuration as Lambda reports it, in comparable form."""
    vpc = fc.get("VpcConfig") or {}
    return FunctionConfig(
        runtime=fc.get("Runtime", ""),
        handler=fc.get("Handler", ""),
        role=fc.get("Role", ""),
        memory_size=int(fc.get("MemorySize", 128)),
        timeout=int(fc.get("Timeout", 3)),
        architecture=(fc.get("Architectures") or ["x86_64"])[0],
        description=fc.get("Description", ""),
        environment=dict((fc.get("Environment") or {}).get("Variables") or {}),
        layers=tuple(layer["Arn"] for layer in fc.get("Layers") or []),
        subnet_ids=tuple(sorted(vpc.get("SubnetIds") or [])),
        security_group_ids=tuple(sorted(vpc.get("SecurityGroupIds") or [])),
        tracing=(fc.get("TracingConfig") or {}).get("Mode", "PassThrough"),
        ephemeral_storage=int((fc.get("EphemeralStorage") or {}).get("Size", 512)),
        dead_letter_arn=(fc.get("DeadLetterConfig") or {}).get("TargetArn") or None,
        kms_key_arn=fc.get("KMSKeyArn") or None,
    )


def _function(aws: Aws, name: str) -> FunctionState | None:
    found = lam.get_function(aws.lambda_(), name)
    if found is None:
        return None
    fc = found["Configuration"]
    return FunctionState(
        name=name,
        arn=fc.get("FunctionArn", ""),
        config=config_from(fc),
        code_sha256=fc.get("CodeSha256", ""),
        tags=dict(found.get("Tags") or {}),
        concurrency=(found.get("Concurrency") or {}).get("ReservedConcurrentExecutions"),
        last_modified=fc.get("LastModified", ""),
    )


def _versions(aws: Aws, name: str) -> tuple[VersionState, ...]:
    return tuple(
        VersionState(
            version=int(v.get("Version", "0")),
            config=config_from(v),
            code_sha256=v.get("CodeSha256", ""),
            description=v.get("Description", ""),
            last_modified=v.get("LastModified", ""),
        )
        for v in lam.list_versions(aws.lambda_(), name)
    )


def _permissions(aws: Aws, lookup: Lookup) -> dict[str, StatementState]:
    out = {}
    for st in lam.get_policy_statements(aws.lambda_(), lookup.names.function, lookup.names.alias):
        sid = str(st.get("Sid", ""))
        if not sid.startswith(SID_PREFIX):
            continue
        principal = st.get("Principal", "")
        if isinstance(principal, dict):
            principal = principal.get("Service") or principal.get("AWS") or ""
        condition = st.get("Condition") or {}
        source = (condition.get("ArnLike") or {}).get("AWS:SourceArn")
        url_auth = st.get("FunctionUrlAuthType") or (condition.get("StringEquals") or {}).get(
            "lambda:FunctionUrlAuthType"
        )
        via_url = st.get("InvokedViaFunctionUrl") or (condition.get("Bool") or {}).get(
            "lambda:InvokedViaFunctionUrl"
        )
        out[sid] = StatementState(
            sid=sid,
            principal=str(principal),
            action=str(st.get("Action", "")),
            source_arn=source,
            url_auth_type=url_auth,
            invoked_via_url=str(via_url).lower() == "true",
        )
    return out


def _rest_apis(aws: Aws, lookup: Lookup) -> tuple[RestApiState, ...]:
    c = aws.apigateway()
    out = []
    for api in rest.list_apis(c, lookup.names.api):
        tags = dict(api.get("tags") or {})
        if not lookup.ours(tags):
            continue
        api_id = api["id"]
        root_id = proxy_id = None
        methods = {}
        for res in rest.resources(c, api_id):
            path = res.get("path", "")
            if path == "/":
                root_id = res.get("id")
            elif path == PROXY_PATH:
                proxy_id = res.get("id")
            else:
                continue
            method = (res.get("resourceMethods") or {}).get("ANY")
            if method is not None:
                integration = method.get("methodIntegration") or {}
                methods[path] = MethodState(
                    authorization=method.get("authorizationType", "NONE"),
                    integration_uri=integration.get("uri"),
                )
        out.append(
            RestApiState(
                id=api_id,
                name=api.get("name", ""),
                tags=tags,
                created=str(api.get("createdDate", "")),
                root_id=root_id,
                proxy_id=proxy_id,
                methods=methods,
                stages=frozenset(rest.stage_names(c, api_id)),
                binary_media_types=tuple(api.get("binaryMediaTypes") or ()),
            )
        )
    return tuple(out)


def _http_apis(aws: Aws, lookup: Lookup) -> tuple[HttpApiState, ...]:
    c = aws.apigatewayv2()
    out = []
    for api in http.list_apis(c, lookup.names.api):
        tags = dict(api.get("Tags") or {})
        if not lookup.ours(tags):
            continue
        api_id = api["ApiId"]
        out.append(
            HttpApiState(
                id=api_id,
                name=api.get("Name", ""),
                tags=tags,
                endpoint=api.get("ApiEndpoint", ""),
                created=str(api.get("CreatedDate", "")),
                integrations=http.integrations(c, api_id),
                routes=http.routes(c, api_id),
                stages=frozenset(http.stage_names(c, api_id)),
            )
        )
    return tuple(out)


def _function_url(aws: Aws, lookup: Lookup) -> FunctionUrlState | None:
    found = lam.get_function_url(aws.lambda_(), lookup.names.function, lookup.names.alias)
    if found is None:
        return None
    cors = found.get("Cors") or None
    if cors:
        cors = {
            "AllowCredentials": bool(cors.get("AllowCredentials", False)),
            "AllowHeaders": sorted(cors.get("AllowHeaders") or []),
            "AllowMethods": sorted(cors.get("AllowMethods") or []),
            "AllowOrigins": sorted(cors.get("AllowOrigins") or []),
            "ExposeHeaders": sorted(cors.get("ExposeHeaders") or []),
            "MaxAge": int(cors.get("MaxAge") or 0),
        }
    return FunctionUrlState(
        url=found["FunctionUrl"],
        auth_type=found.get("AuthType", "NONE"),
        cors=cors,
        invoke_mode=str(found.get("InvokeMode", "BUFFERED")),
    )


def _layers(aws: Aws, prefix: str) -> tuple[LayerState, ...]:
    """The stage's dependency layers: the prefix plus a 16-hex-digit hash, nothing else
    (layers carry no tags, and another stage's name may extend this one's prefix)."""
    c = aws.lambda_()
    ours = re.compile(re.escape(prefix) + "[0-9a-f]{16}")
    return tuple(
        LayerState(name=name, versions=tuple(lam.list_layer_versions(c, name)))
        for name in lam.list_layer_names(c, prefix)
        if ours.fullmatch(name)
    )


def _rules(aws: Aws, lookup: Lookup) -> tuple[RuleState, ...]:
    c = aws.events()
    out = []
    for rule in events.list_rules(c, lookup.names.rule_prefix):
        tags = events.rule_tags(c, rule["Arn"])
        if not lookup.ours(tags):
            continue
        out.append(
            RuleState(
                name=rule["Name"],
                arn=rule["Arn"],
                expression=rule.get("ScheduleExpression", ""),
                enabled=rule.get("State") == "ENABLED",
                description=rule.get("Description", ""),
                tags=tags,
                targets=tuple(events.rule_targets(c, rule["Name"])),
            )
        )
    return tuple(out)
