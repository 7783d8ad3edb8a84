"""The execution role's policy: least privilege, generated from the settings.

The function may write its own log group, and gets exactly what the
configured features need, on their ARNs: async tasks (invoke itself, or
publish to its SNS topic, ``{function}-skylift-async``), the async response table, event sources (SQS,
DynamoDB streams, Kinesis), the dead-letter target, the KMS key, the slim
handler's archive, the remote environment file and EFS. VPC networking and
X-Ray take ``*`` because AWS offers no narrower resource for those actions.
``extra_permissions`` statements are appended unchanged, as Zappa does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skylift.config import StageSettings

POLICY_VERSION = "2012-10-17"

LAMBDA_TRUST_POLICY: dict[str, Any] = {
    "Version": POLICY_VERSION,
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}

_STREAM_READ = {
    "sqs": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
    "dynamodb": [
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:DescribeStream",
        "dynamodb:ListStreams",
    ],
    "kinesis": [
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:ListShards",
        "kinesis:ListStreams",
    ],
}
_VPC_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]
_XRAY_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]


@dataclass(frozen=True)
class PolicyContext:
    """Where the function lives: what its ARNs are built from."""

    partition: str
    region: str
    account: str
    function: str
    function_arn: str
    log_group: str
    bucket: str
    object_prefix: str


def _allow(actions: list[str], resources: list[str]) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Action": actions if len(actions) > 1 else actions[0],
        "Resource": resources if len(resources) > 1 else resources[0],
    }


def execution_policy(settings: StageSettings, ctx: PolicyContext) -> dict[str, Any]:
    """The inline policy of the function's execution role."""
    p = ctx.partition
    log_group_arn = f"arn:{p}:logs:{ctx.region}:{ctx.account}:log-group:{ctx.log_group}"
    statements = [
        _allow(["logs:CreateLogGroup"], [log_group_arn]),
        _allow(["logs:CreateLogStream", "logs:PutLogEvents"], [f"{log_group_arn}:*"]),
    ]
    statements += _async_statements(settings, ctx)
    statements += _event_source_statements(settings)
    statements += _resource_statements(settings, ctx)
    if settings.vpc_config and settings.vpc_config.SubnetIds:
        statements.append(_allow(_VPC_ACTIONS, ["*"]))
    if settings.xray_tracing:
        statements.append(_allow(_XRAY_ACTIONS, ["*"]))
    statements += [dict(s) for s in settings.extra_permissions]
    return {"Version": POLICY_VERSION, "Statement": statements}


def _async_statements(settings: StageSettings, ctx: PolicyContext) -> list[dict[str, Any]]:
    out = []
    if settings.async_resources:
        if settings.async_source == "sns":
            topic = (
                f"arn:{ctx.partition}:sns:{ctx.region}:{ctx.account}:{ctx.function}-skylift-async"
            )
            out.append(_allow(["sns:Publish"], [topic]))
        else:
            # @task runs the function again, asynchronously: it may invoke itself only.
            out.append(
                _allow(["lambda:InvokeFunction"], [ctx.function_arn, f"{ctx.function_arn}:*"])
            )
    if settings.async_response_table:
        table = (
            f"arn:{ctx.partition}:dynamodb:{ctx.region}:{ctx.account}:table/"
            f"{settings.async_response_table}"
        )
        out.append(_allow(["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], [table]))
    return out


def _event_source_statements(settings: StageSettings) -> list[dict[str, Any]]:
    by_service: dict[str, list[str]] = {}
    for event in settings.events:
        if event.event_source is None:
            continue
        arn = event.event_source.arn
        service = arn.split(":")[2] if arn.count(":") >= 5 else ""
        if service in _STREAM_READ:
            by_service.setdefault(service, []).append(arn)
    return [
        _allow(_STREAM_READ[svc], sorted(set(arns))) for svc, arns in sorted(by_service.items())
    ]


def _resource_statements(settings: StageSettings, ctx: PolicyContext) -> list[dict[str, Any]]:
    out = []
    if settings.dead_letter_arn:
        service = settings.dead_letter_arn.split(":")[2]
        action = "sns:Publish" if service == "sns" else "sqs:SendMessage"
        out.append(_allow([action], [settings.dead_letter_arn]))
    if settings.aws_kms_key_arn:
        out.append(_allow(["kms:Decrypt"], [settings.aws_kms_key_arn]))
    if settings.slim_handler:
        out.append(
            _allow(
                ["s3:GetObject"], [f"arn:{ctx.partition}:s3:::{ctx.bucket}/{ctx.object_prefix}*"]
            )
        )
    remote = _remote_env_object(settings)
    if remote:
        out.append(_allow(["s3:GetObject"], [f"arn:{ctx.partition}:s3:::{remote}"]))
    for efs in settings.efs_config or []:
        if not efs.Arn:
            continue  # a file system for skylift to create: not supported yet (warned)
        out.append(
            _allow(["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"], [efs.Arn])
        )
    return out


def _remote_env_object(settings: StageSettings) -> str | None:
    """``bucket/key`` of the remote environment file (``remote_env = "s3://b/k"``)."""
    if settings.remote_env and settings.remote_env.startswith("s3://"):
        return settings.remote_env.removeprefix("s3://")
    if settings.remote_env_bucket and settings.remote_env_file:
        return f"{settings.remote_env_bucket}/{settings.remote_env_file}"
    return None
