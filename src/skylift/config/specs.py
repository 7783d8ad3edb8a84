"""The nested objects of a stage's settings (events, authorizer, cors, vpc_config, ...).

Keys and defaults are the ones Zappa 0.63 reads (zappa/cli.py, core.py and
utilities.py); AWS's own spellings (``SubnetIds``, ``allowedOrigins``) stay as
Zappa passes them through to boto3. Unknown nested keys are kept and reported
as warnings by the loader, like unknown top-level keys.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from skylift.config.types import (
    EventSourceArn,
    Expect,
    FunctionPath,
    MountPath,
    ScheduleExpression,
)


class Spec(BaseModel):
    """Nested settings objects: strict types, unknown keys kept for forward compatibility."""

    model_config = ConfigDict(extra="allow", strict=True, populate_by_name=True)


def _upper(value: Any) -> Any:
    # Zappa upper-cases the authorizer type before using it: "token" works there.
    return value.upper() if isinstance(value, str) else value


class EventSourceSpec(Spec):
    """``events[].event_source``: an AWS service that invokes the function."""

    arn: EventSourceArn = Field(description="The stream, bucket, topic, queue or rule.")
    events: list[str] | None = Field(
        default=None, description='S3/SNS event names, e.g. ["s3:ObjectCreated:*"].'
    )
    enabled: bool = Field(default=True, description="Create the trigger enabled.")
    batch_size: int | None = Field(
        default=None, ge=1, le=10000, description="Records per invocation (SQS, DynamoDB, Kinesis)."
    )
    batch_window: int | None = Field(
        default=None, ge=0, le=300, description="Seconds to gather a batch (SQS), Zappa's name."
    )
    maximum_batching_window_in_seconds: int | None = Field(
        default=None, ge=0, le=300, description="The same, by its AWS name."
    )
    starting_position: Literal["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"] | None = Field(
        default=None, description="Where a DynamoDB or Kinesis stream is read from."
    )
    prefix: str | None = Field(default=None, description="S3 key prefix filter.")
    suffix: str | None = Field(default=None, description="S3 key suffix filter.")
    filters: dict[str, Any] | list[dict[str, Any]] | None = Field(
        default=None,
        description="SNS filter policy (a mapping) or event source mapping filters (a list).",
    )
    key_filters: list[dict[str, str]] | None = Field(
        default=None, description="S3 key filter rules (Name/Value)."
    )
    function_response_types: list[str] | None = Field(
        default=None, description='E.g. ["ReportBatchItemFailures"].'
    )
    name: str | None = Field(default=None, description="EventBridge rule name.")
    rule_name: str | None = Field(default=None, description="EventBridge rule name.")
    description: str | None = Field(default=None, description="EventBridge rule description.")
    rule_description: str | None = Field(default=None, description="EventBridge rule description.")
    pattern: dict[str, Any] | str | None = Field(
        default=None, description="EventBridge event pattern."
    )
    event_pattern: dict[str, Any] | str | None = Field(
        default=None, description="EventBridge event pattern."
    )
    schedule: ScheduleExpression | None = Field(default=None, description="EventBridge schedule.")
    schedule_expression: ScheduleExpression | None = Field(
        default=None, description="EventBridge schedule."
    )


class EventSpec(Spec):
    """One entry of ``events``: a schedule (``expression``) or an AWS event source."""

    function: FunctionPath = Field(description="The function to call, 'module.function'.")
    name: str | None = Field(default=None, description="Rule name (default: from the function).")
    description: str | None = Field(default=None, description="Rule description.")
    expression: ScheduleExpression | None = Field(default=None, description="One schedule.")
    expressions: list[ScheduleExpression] | None = Field(
        default=None, description="Several schedules for the same function."
    )
    event_source: EventSourceSpec | None = Field(
        default=None, description="An AWS service that invokes the function."
    )
    kwargs: dict[str, Any] | None = Field(
        default=None, description="Keyword arguments passed to a scheduled function."
    )
    enabled: bool = Field(default=True, description="Create the rule enabled.")

    @model_validator(mode="after")
    def _has_a_trigger(self) -> EventSpec:
        if not (self.expression or self.expressions or self.event_source):
            raise ValueError("an event needs 'expression', 'expressions' or 'event_source'")
        return self


class BotEventSourceSpec(Spec):
    intent: str | None = None
    invocation_source: str | None = None


class BotEventSpec(Spec):
    """``bot_events[]``: a Lex intent routed to a function."""

    function: FunctionPath | None = None
    event_source: BotEventSourceSpec | None = None


class AuthorizerSpec(Spec):
    """``authorizer``: a Lambda (or Cognito) authorizer in front of API Gateway."""

    function: FunctionPath | None = Field(
        default=None, description="A function of this project that checks the token."
    )
    arn: str | None = Field(default=None, description="An existing authorizer function.")
    type: Annotated[Literal["TOKEN", "REQUEST", "COGNITO_USER_POOLS"], BeforeValidator(_upper)] = (
        Field(default="TOKEN", description="Authorizer type (any case, as in Zappa).")
    )
    name: str | None = Field(default=None, description="Authorizer name.")
    provider_arns: list[str] | None = Field(
        default=None, description="Cognito user pool ARNs (COGNITO_USER_POOLS)."
    )
    result_ttl: int = Field(default=300, ge=0, le=3600, description="Seconds results are cached.")
    token_header: str = Field(default="Authorization", description="Header holding the token.")
    validation_expression: str | None = Field(
        default=None, description="Regular expression the token must match."
    )


class CorsSpec(Spec):
    """``cors`` as a mapping. REST APIs (v1) read the singular ``allowed_origin``."""

    allowed_headers: list[str] | None = Field(default=None, description="Allowed headers.")
    allowed_methods: list[str] | None = Field(default=None, description="Allowed methods.")
    allowed_origin: str | None = Field(default=None, description="Allowed origin (v1).")
    allowed_origins: list[str] | None = Field(default=None, description="Allowed origins (v2).")
    allow_credentials: bool | None = Field(default=None, description="Allow credentials (v2).")
    expose_headers: list[str] | None = Field(default=None, description="Exposed headers (v2).")
    max_age: int | None = Field(default=None, ge=0, description="Preflight cache seconds (v2).")


class FunctionUrlCorsSpec(Spec):
    """``function_url_config.cors``: AWS's spellings; defaults are Zappa's (open)."""

    allowedOrigins: list[str] = Field(default_factory=lambda: ["*"], description="Origins.")
    allowedHeaders: list[str] = Field(default_factory=lambda: ["*"], description="Headers.")
    allowedMethods: list[str] = Field(default_factory=lambda: ["*"], description="Methods.")
    allowCredentials: bool = Field(default=False, description="Allow credentials.")
    exposedResponseHeaders: list[str] = Field(
        default_factory=lambda: ["*"], description="Headers exposed to the browser."
    )
    maxAge: int = Field(default=0, ge=0, le=86400, description="Preflight cache seconds.")


def _cors_true(value: Any) -> Any:
    # `true` asks for CORS with the defaults; Zappa itself would fail on it later.
    return {} if value is True else value


class FunctionUrlSpec(Spec):
    """``function_url_config``."""

    authorizer: Literal["NONE", "AWS_IAM"] = Field(
        default="NONE", description="NONE (public) or AWS_IAM (signed requests)."
    )
    cors: Annotated[
        Literal[False] | FunctionUrlCorsSpec,
        BeforeValidator(_cors_true),
        Expect("false, or a mapping of Function URL CORS settings"),
    ] = Field(default_factory=FunctionUrlCorsSpec, description="CORS, or false for none.")
    invoke_mode: Literal["BUFFERED", "RESPONSE_STREAM"] = Field(
        default="BUFFERED", description="BUFFERED or RESPONSE_STREAM (skylift)."
    )


class VpcSpec(Spec):
    """``vpc_config``: passed to Lambda as its VpcConfig."""

    SubnetIds: list[str] = Field(default_factory=list, description="Subnets.")
    SecurityGroupIds: list[str] = Field(default_factory=list, description="Security groups.")
    Ipv6AllowedForDualStack: bool | None = Field(default=None, description="IPv6 outbound.")


class AlbVpcSpec(Spec):
    """``alb_vpc_config``: where the Application Load Balancer goes."""

    CertificateArn: str | None = Field(default=None, description="ACM certificate for HTTPS.")
    SubnetIds: list[str] = Field(default_factory=list, description="Two or more subnets.")
    SecurityGroupIds: list[str] = Field(default_factory=list, description="Security groups.")
    Scheme: Literal["internet-facing", "internal"] = Field(
        default="internet-facing", description="internet-facing or internal."
    )


class EphemeralStorageSpec(Spec):
    """``ephemeral_storage``: the size of /tmp."""

    Size: int = Field(ge=512, le=10240, description="MB of /tmp, 512 to 10240.")


class EfsSpec(Spec):
    """One entry of ``efs_config``: an EFS access point mounted into the function."""

    Arn: str | None = Field(
        default=None, description="Access point ARN (none: Zappa creates a file system)."
    )
    LocalMountPath: MountPath = Field(default="/mnt/efs", description="Where it is mounted.")
    ThroughputMode: str | None = Field(default=None, description="For a created file system.")
    PerformanceMode: str | None = Field(default=None, description="For a created file system.")


class CallbacksSpec(Spec):
    """``callbacks``: functions called during packaging and deploy (run locally)."""

    settings: FunctionPath | None = Field(default=None, description="After the settings load.")
    zip: FunctionPath | None = Field(default=None, description="After the package is built.")
    post: FunctionPath | None = Field(default=None, description="After the command.")


class CognitoTriggerSpec(Spec):
    source: str = Field(description="The trigger source, e.g. 'PreSignUp_SignUp'.")
    function: FunctionPath = Field(description="The function to call.")


class CognitoSpec(Spec):
    """``cognito``: Cognito user pool triggers routed to functions."""

    user_pool: str = Field(description="The user pool id.")
    triggers: list[CognitoTriggerSpec] = Field(
        default_factory=list, description="Trigger source and function pairs."
    )


NESTED_SPECS: dict[str, type[Spec]] = {
    "events[]": EventSpec,
    "events[].event_source": EventSourceSpec,
    "authorizer": AuthorizerSpec,
    "cors": CorsSpec,
    "function_url_config": FunctionUrlSpec,
    "function_url_config.cors": FunctionUrlCorsSpec,
    "vpc_config": VpcSpec,
    "alb_vpc_config": AlbVpcSpec,
    "ephemeral_storage": EphemeralStorageSpec,
    "efs_config[]": EfsSpec,
    "callbacks": CallbacksSpec,
    "cognito": CognitoSpec,
    "cognito.triggers[]": CognitoTriggerSpec,
}
"""The nested objects, by where they sit in a stage (for the settings reference)."""
