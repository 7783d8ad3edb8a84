"""The settings of one stage: every key Zappa reads, typed, with Zappa's defaults.

Key names are Zappa's, unchanged, so a ``zappa_settings.json`` stage validates
as is. Values keep the form they were written in (``""`` stays ``""``, a null
``profile_name`` stays ``None``); defaults apply only to keys left out.
Unknown keys are kept (``extra="allow"``) and reported as warnings by the
loader, naming the nearest known key.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from skylift.config.runtimes import default_runtime

FunctionPath = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")]
"""A dotted ``module.attribute`` path (Zappa's pattern for app_function and events)."""


class _Spec(BaseModel):
    """Nested settings objects: strict types, unknown keys kept for forward compatibility."""

    model_config = ConfigDict(extra="allow", strict=True, populate_by_name=True)


class EventSourceSpec(_Spec):
    arn: str
    events: list[str] | None = None
    batch_size: int | None = Field(default=None, ge=1, le=10000)
    starting_position: Literal["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"] | None = None
    enabled: bool = True
    filters: list[dict[str, Any]] | None = None
    key_filters: list[dict[str, str]] | None = None
    maximum_batching_window_in_seconds: int | None = Field(default=None, ge=0, le=300)
    function_response_types: list[str] | None = None


class EventSpec(_Spec):
    """One entry of ``events``: a schedule (``expression``) or an AWS event source."""

    function: FunctionPath
    name: str | None = None
    description: str | None = None
    expression: str | None = None
    expressions: list[str] | None = None
    event_source: EventSourceSpec | None = None
    kwargs: dict[str, Any] | None = None
    enabled: bool = True


class AuthorizerSpec(_Spec):
    function: FunctionPath | None = None
    arn: str | None = None
    type: Literal["TOKEN", "REQUEST", "COGNITO_USER_POOLS"] = "TOKEN"
    provider_arns: list[str] | None = None
    result_ttl: int = Field(default=300, ge=0, le=3600)
    token_header: str = "Authorization"
    validation_expression: str | None = None


class CorsSpec(_Spec):
    allowed_headers: list[str] | None = None
    allowed_methods: list[str] | None = None
    allowed_origin: str | None = None
    allow_credentials: bool | None = None
    max_age: int | None = None


class FunctionUrlCorsSpec(_Spec):
    allowedOrigins: list[str] = Field(default_factory=lambda: ["*"])
    allowedHeaders: list[str] = Field(default_factory=list)
    allowedMethods: list[str] = Field(default_factory=lambda: ["*"])
    allowCredentials: bool = False
    exposedResponseHeaders: list[str] = Field(default_factory=list)
    maxAge: int = Field(default=0, ge=0, le=86400)  # AWS spellings: camelCase


class FunctionUrlSpec(_Spec):
    authorizer: Literal["NONE", "AWS_IAM"] = "NONE"
    cors: Literal[False] | FunctionUrlCorsSpec = False
    invoke_mode: Literal["BUFFERED", "RESPONSE_STREAM"] = "BUFFERED"


class VpcSpec(_Spec):
    SubnetIds: list[str] = Field(default_factory=list)
    SecurityGroupIds: list[str] = Field(default_factory=list)
    Ipv6AllowedForDualStack: bool | None = None


class AlbVpcSpec(_Spec):
    CertificateArn: str | None = None
    SubnetIds: list[str] = Field(default_factory=list)
    SecurityGroupIds: list[str] = Field(default_factory=list)


class EphemeralStorageSpec(_Spec):
    Size: int = Field(default=512, ge=512, le=10240)


class EfsSpec(_Spec):
    Arn: str
    LocalMountPath: str = Field(pattern=r"^/mnt/[a-zA-Z0-9-_.]+$")


class CallbacksSpec(_Spec):
    settings: FunctionPath | None = None
    zip: FunctionPath | None = None
    post: FunctionPath | None = None


class CognitoTriggerSpec(_Spec):
    source: str
    function: FunctionPath


class CognitoSpec(_Spec):
    user_pool: str
    triggers: list[CognitoTriggerSpec] = Field(default_factory=list)


LogLevel = Literal["CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"]


class StageSettings(BaseModel):
    """Every setting of one stage. Field names are the keys of the settings file."""

    model_config = ConfigDict(extra="allow", strict=True, validate_default=False)

    # -- what runs ---------------------------------------------------------
    app_function: FunctionPath | None = None
    app_type: Literal["wsgi", "asgi"] | None = None
    lambda_handler: FunctionPath | None = None
    django_settings: str | None = None
    exception_handler: FunctionPath | None = None
    settings_file: str | None = None
    include: list[str] = Field(default_factory=list)
    websocket_handler_module: str | None = None
    log_level: LogLevel = "DEBUG"
    debug: bool = True
    raw_invoke_enabled: bool = False

    # -- where and as whom -------------------------------------------------
    project_name: str | None = None
    aws_region: str | None = None
    profile_name: str | None = "default"
    aws_endpoint_urls: dict[str, str] = Field(default_factory=dict)
    s3_bucket: str | None = None
    extends: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)

    # -- the function ------------------------------------------------------
    runtime: str = Field(default_factory=default_runtime)
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    memory_size: int = Field(default=512, ge=128, le=10240)
    timeout_seconds: int = Field(default=30, ge=1, le=900)
    ephemeral_storage: EphemeralStorageSpec | None = None
    lambda_description: str | None = None
    lambda_concurrency: int | None = Field(default=None, ge=0)
    layers: list[str] | Literal["auto"] | None = None
    vpc_config: VpcSpec | None = None
    efs_config: list[EfsSpec] | None = None
    dead_letter_arn: str | None = None
    xray_tracing: bool = False
    snap_start: Literal["PublishedVersions", "None"] = "None"
    aws_kms_key_arn: str | None = None
    environment_variables: dict[str, str] = Field(default_factory=dict)
    aws_environment_variables: dict[str, str] = Field(default_factory=dict)
    remote_env: str | None = None
    remote_env_bucket: str | None = None
    remote_env_file: str | None = None
    num_retained_versions: int | None = Field(default=None, ge=1)

    # -- IAM ---------------------------------------------------------------
    manage_roles: bool = True
    role_name: str | None = None
    role_arn: str | None = None
    assume_policy: str | None = None
    attach_policy: str | None = None
    extra_permissions: list[dict[str, Any]] = Field(default_factory=list)

    # -- the front door: API Gateway, Function URL, ALB --------------------
    apigateway_enabled: bool = True
    use_apigateway: bool | None = None  # Zappa's older name for apigateway_enabled
    apigateway_version: Literal["v1", "v2"] = "v1"
    apigateway_description: str | None = None
    apigateway_policy: str | None = None
    endpoint_configuration: list[Literal["EDGE", "REGIONAL", "PRIVATE"]] | None = None
    api_key_required: bool = False
    api_key: str | None = None
    iam_authorization: bool = False
    authorizer: AuthorizerSpec | None = None
    cors: bool | CorsSpec = False
    binary_support: bool = True
    additional_text_mimetypes: list[str] = Field(default_factory=list)
    context_header_mappings: dict[str, str] = Field(default_factory=dict)
    payload_compression: bool = True
    payload_minimum_compression_size: int = Field(default=0, ge=0, le=10485760)
    cache_cluster_enabled: bool = False
    cache_cluster_size: float = 0.5
    cache_cluster_ttl: int = Field(default=300, ge=0, le=3600)
    cache_cluster_encrypted: bool = False
    cloudwatch_log_level: Literal["OFF", "INFO", "ERROR"] = "OFF"
    cloudwatch_data_trace: bool = False
    cloudwatch_metrics_enabled: bool = False
    function_url_enabled: bool = False
    function_url_config: FunctionUrlSpec | None = None
    function_url_domains: list[str] | None = None
    function_url_cloudfront_config: dict[str, Any] | None = None
    alb_enabled: bool = False
    alb_vpc_config: AlbVpcSpec | None = None
    touch: bool = True
    touch_path: str = "/"

    # -- domains and certificates -----------------------------------------
    domain: str | None = None
    base_path: str | None = None
    certificate_arn: str | None = None
    certificate: str | None = None
    certificate_key: str | None = None
    certificate_chain: str | None = None
    route53_enabled: bool = True
    lets_encrypt_key: str | None = None

    # -- events, schedules, async tasks -----------------------------------
    events: list[EventSpec] = Field(default_factory=list)
    bot_events: list[dict[str, Any]] | None = None
    cognito: CognitoSpec | None = None
    keep_warm: bool = True
    keep_warm_expression: str = "rate(4 minutes)"
    async_source: Literal["lambda", "sns"] = "lambda"
    async_resources: bool = True
    async_response_table: str | None = None
    async_response_table_read_capacity: int = Field(default=1, ge=1)
    async_response_table_write_capacity: int = Field(default=1, ge=1)

    # -- packaging ---------------------------------------------------------
    requirements: list[str] | str | None = None
    exclude: list[str] = Field(default_factory=list)
    exclude_glob: list[str] = Field(default_factory=list)
    slim_handler: bool = False
    use_precompiled_packages: bool = True
    compression_level: int = Field(default=6, ge=0, le=9)
    callbacks: CallbacksSpec | None = None
    prebuild_script: FunctionPath | None = None
    delete_local_zip: bool = True
    delete_s3_zip: bool = True
    num_retained_artifacts: int = Field(default=5, ge=1)

    # -- keys Zappa once read and still tolerates --------------------------
    parameter_depth: int | None = None
    http_methods: list[str] | None = None
    integration_response_codes: list[int] | None = None
    method_response_codes: list[int] | None = None
    delete_zip: bool | None = None
    authorization_type: str | None = None


KNOWN_KEYS: frozenset[str] = frozenset(StageSettings.model_fields)
