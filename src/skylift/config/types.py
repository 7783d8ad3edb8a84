"""Value types shared by the settings schema, each with the words a user reads in errors and docs.

A type's ``Expect`` marker is what an error message says is allowed ("a dotted
path such as 'app.app'") instead of a regular expression or pydantic's internal
type names; ``skylift.config.describe`` reads it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from skylift.config.runtimes import RETIRED_RUNTIMES, SUPPORTED_RUNTIMES


@dataclass(frozen=True)
class Expect:
    """What a value must be, in the words of the settings reference."""

    text: str


# The shapes of values, shared with ``init``'s answer checks (use ``fullmatch``).
DOTTED_PATH = re.compile(r"[^\W\d][\w-]*(\.[\w-]+)*\.[^\W\d]\w*")
MODULE_PATH = re.compile(r"[^\W\d][\w-]*(\.[^\W\d][\w-]*)*")
REGION_NAME = re.compile(r"[a-z]{2}(-[a-z]+)+-\d+")
BUCKET_NAME = re.compile(r"(?!\d+\.\d+\.\d+\.\d+$)(?!.*\.\.)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
API_STAGE_NAME = re.compile(r"[A-Za-z0-9_]+")
"""API Gateway's stage names: letters, digits and '_' (Zappa checks the same)."""


def _pattern(compiled: re.Pattern[str], expect: str) -> AfterValidator:
    def check(value: str) -> str:
        # "" is how Zappa files say "not set": keep it as written.
        if value and not compiled.fullmatch(value):
            raise PydanticCustomError("skylift_format", "expected {expect}", {"expect": expect})
        return value

    return AfterValidator(check)


def _runtime(value: str) -> str:
    if value not in SUPPORTED_RUNTIMES and value not in RETIRED_RUNTIMES:
        raise PydanticCustomError("skylift_format", "expected a Lambda Python runtime")
    return value


Runtime = Annotated[
    str,
    AfterValidator(_runtime),
    Expect("one of " + ", ".join(f'"{r}"' for r in SUPPORTED_RUNTIMES)),
]
"""A Lambda Python runtime; a retired one loads (the loader warns) so Zappa files still load."""

FunctionPath = Annotated[
    str,
    _pattern(DOTTED_PATH, "a dotted path such as 'app.app'"),
    Expect("a dotted path such as 'app.app' (module, then attribute)"),
]
"""``module.attribute``: what Zappa imports for app_function, events, callbacks."""

ModulePath = Annotated[
    str,
    _pattern(MODULE_PATH, "a dotted module path"),
    Expect("a dotted module path such as 'mysite.settings'"),
]

ProjectName = Annotated[
    str,
    _pattern(re.compile(r"[A-Za-z0-9_-]{1,80}"), "letters, digits, '-' and '_'"),
    Expect("up to 80 letters, digits, '-' or '_'"),
]
"""Zappa's ``validate_name``: the characters a Lambda function name allows."""

Region = Annotated[
    str,
    _pattern(REGION_NAME, "an AWS region name"),
    Expect("an AWS region name such as 'us-east-1'"),
]

BucketName = Annotated[
    str,
    _pattern(BUCKET_NAME, "an S3 bucket name"),
    Expect("an S3 bucket name: 3-63 lowercase letters, digits, '.' or '-'"),
]

_RATE = r"rate\(\d+ (minute|minutes|hour|hours|day|days)\)"
_CRON = r"cron\(\S+( \S+){5}\)"
ScheduleExpression = Annotated[
    str,
    _pattern(re.compile(f"{_RATE}|{_CRON}"), "rate(...) or cron(...)"),
    Expect("a schedule such as 'rate(4 minutes)' or 'cron(0 12 * * ? *)'"),
]

EVENT_SOURCE_SERVICES: tuple[str, ...] = ("dynamodb", "kinesis", "s3", "sns", "sqs", "events")
"""The AWS services an ``events[].event_source`` can come from (Zappa's list)."""

EventSourceArn = Annotated[
    str,
    _pattern(
        re.compile(rf"arn:[a-z-]+:({'|'.join(EVENT_SOURCE_SERVICES)}):\S*"),
        "an ARN of " + ", ".join(EVENT_SOURCE_SERVICES),
    ),
    Expect("the ARN of a DynamoDB or Kinesis stream, S3 bucket, SNS topic, SQS queue or rule"),
]

MountPath = Annotated[
    str,
    _pattern(re.compile(r"/mnt/[A-Za-z0-9_.-]+"), "a path under /mnt/"),
    Expect("a path under /mnt/, such as '/mnt/efs'"),
]

# API Gateway's cache sizes, in GB (CacheClusterSize is a string in its API).
CACHE_CLUSTER_SIZES: tuple[float, ...] = (0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118.0, 237.0)


def _cache_size(value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return value
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and not any(math.isclose(value, size) for size in CACHE_CLUSTER_SIZES)
    ):
        raise PydanticCustomError("skylift_format", "expected an API Gateway cache size")
    return value


CacheClusterSize = Annotated[
    float,
    BeforeValidator(_cache_size),
    Expect("one of " + ", ".join(f"{s:g}" for s in CACHE_CLUSTER_SIZES) + " (GB)"),
]


def _null_as_empty(value: Any) -> Any:
    return [] if value is None else value


NullAsEmptyList = BeforeValidator(_null_as_empty)
"""Zappa reads a null exclude/exclude_glob as an empty list; so does skylift."""
