"""Where skylift talks to AWS: one session, one region, endpoints resolved in one place.

Every verb gets its ``Aws`` from ``Aws(AwsTarget)``; nothing else builds a
boto3 client. The endpoint of each service is, first found:

1. ``endpoint_url`` (``--endpoint-url``; the local cloud passes its own);
2. the stage's ``aws_endpoint_urls`` setting (Zappa's, keyed by boto3 service name);
3. ``AWS_ENDPOINT_URL_<SERVICE>`` and ``AWS_ENDPOINT_URL`` (botocore reads them);
4. AWS itself.

Throttling is retried by botocore's adaptive retry mode (exponential backoff
plus client-side rate limiting once the service starts throttling).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import boto3
import botocore.config
import botocore.exceptions

from skylift.aws.errors import CredentialsError, UnknownRegionError, translate
from skylift.aws.urls import is_aws
from skylift.config import Stage

if TYPE_CHECKING:
    from mypy_boto3_apigateway import APIGatewayClient
    from mypy_boto3_apigatewayv2 import ApiGatewayV2Client
    from mypy_boto3_cloudwatch import CloudWatchClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sts import STSClient

T = TypeVar("T")

RETRY_MODE: Literal["adaptive"] = "adaptive"
MAX_ATTEMPTS = 8
# Zappa writes profile_name = "default" into every stage; with no such profile
# on disk (credentials from the environment, CI, an instance role) it means "none".
DEFAULT_PROFILE = "default"


@dataclass(frozen=True)
class AwsTarget:
    """The account, region and endpoints one stage is deployed to."""

    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    endpoint_urls: Mapping[str, str] = field(default_factory=dict)

    def endpoint_for(self, service: str) -> str | None:
        """The explicit endpoint of ``service``; None leaves it to botocore (env, then AWS)."""
        return self.endpoint_url or self.endpoint_urls.get(service) or None


@dataclass(frozen=True)
class Identity:
    account: str
    arn: str
    partition: str


class Aws:
    """Lazily built, cached boto3 clients for one target (thread-safe)."""

    @classmethod
    def for_stage(
        cls,
        stage: Stage,
        *,
        endpoint_url: str | None = None,
        session: boto3.Session | None = None,
        credentials: tuple[str, str] | None = None,
        fallback_credentials: tuple[str, str] | None = None,
    ) -> Aws:
        """The AWS a stage deploys to: its profile, region and endpoints (see the module doc).

        ``credentials`` (key id, secret) replace the profile: the local cloud
        accepts placeholders, and a machine with no AWS account must deploy there.
        ``fallback_credentials`` are used only when none are configured (an
        endpoint that accepts any, reached without ``--local``).
        """
        s = stage.settings
        if fallback_credentials is not None and credentials is None and session is None:
            session = _configured_session(s.profile_name)
            if session is None:
                credentials = fallback_credentials
        if credentials is not None and session is None:
            session = boto3.Session(
                aws_access_key_id=credentials[0],
                aws_secret_access_key=credentials[1],
                region_name=s.aws_region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
            )
        session = session or make_session(s.profile_name)
        custom = bool(endpoint_url or s.aws_endpoint_urls or os.environ.get("AWS_ENDPOINT_URL"))
        region = resolve_region(session, s.aws_region, custom=custom)
        target = AwsTarget(
            region=region,
            profile=None if credentials else s.profile_name,
            endpoint_url=endpoint_url,
            endpoint_urls=dict(s.aws_endpoint_urls),
        )
        return cls(target, session=session)

    def __init__(self, target: AwsTarget, *, session: boto3.Session | None = None) -> None:
        self.target = target
        self._session = session
        self._clients: dict[str, object] = {}
        self._lock = threading.RLock()

    @property
    def region(self) -> str:
        return self.target.region

    @property
    def session(self) -> boto3.Session:
        with self._lock:
            if self._session is None:
                self._session = make_session(self.target.profile)
            return self._session

    def _cached(self, service: str, build: Callable[[], T]) -> T:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = build()
            return cast(T, self._clients[service])

    def _kwargs(self, service: str) -> dict[str, Any]:
        config = botocore.config.Config(
            retries={"mode": RETRY_MODE, "max_attempts": MAX_ATTEMPTS},
            connect_timeout=10,
            read_timeout=120,
        )
        endpoint = self.target.endpoint_for(service)
        kwargs: dict[str, Any] = {"region_name": self.target.region, "config": config}
        if endpoint:
            kwargs["endpoint_url"] = endpoint
        return kwargs

    def lambda_(self) -> LambdaClient:
        return self._cached(
            "lambda", lambda: self.session.client("lambda", **self._kwargs("lambda"))
        )

    def s3(self) -> S3Client:
        def build() -> S3Client:
            kwargs = self._kwargs("s3")
            endpoint = (
                kwargs.get("endpoint_url")
                or os.environ.get("AWS_ENDPOINT_URL_S3")
                or os.environ.get("AWS_ENDPOINT_URL")
            )
            if not is_aws(endpoint):
                # Off AWS (moto, the local cloud, MinIO…) there is no per-bucket DNS name.
                kwargs["config"] = kwargs["config"].merge(
                    botocore.config.Config(s3={"addressing_style": "path"})
                )
            return self.session.client("s3", **kwargs)

        return self._cached("s3", build)

    def iam(self) -> IAMClient:
        return self._cached("iam", lambda: self.session.client("iam", **self._kwargs("iam")))

    def sts(self) -> STSClient:
        return self._cached("sts", lambda: self.session.client("sts", **self._kwargs("sts")))

    def apigateway(self) -> APIGatewayClient:
        return self._cached(
            "apigateway", lambda: self.session.client("apigateway", **self._kwargs("apigateway"))
        )

    def apigatewayv2(self) -> ApiGatewayV2Client:
        return self._cached(
            "apigatewayv2",
            lambda: self.session.client("apigatewayv2", **self._kwargs("apigatewayv2")),
        )

    def logs(self) -> CloudWatchLogsClient:
        return self._cached("logs", lambda: self.session.client("logs", **self._kwargs("logs")))

    def events(self) -> EventBridgeClient:
        return self._cached(
            "events", lambda: self.session.client("events", **self._kwargs("events"))
        )

    def cloudwatch(self) -> CloudWatchClient:
        return self._cached(
            "cloudwatch", lambda: self.session.client("cloudwatch", **self._kwargs("cloudwatch"))
        )

    def endpoint(self, service: str) -> str:
        """The URL a service's calls actually go to (after env and settings)."""
        getter: dict[str, Callable[[], Any]] = {
            "lambda": self.lambda_,
            "apigateway": self.apigateway,
            "apigatewayv2": self.apigatewayv2,
            "s3": self.s3,
        }
        return str(getter[service]().meta.endpoint_url)

    @cached_property
    def identity(self) -> Identity:
        """Who we are: the first call of every verb, so bad credentials fail first."""
        try:
            found = self.sts().get_caller_identity()
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
            raise translate(exc, "checking the AWS credentials (sts:GetCallerIdentity)") from exc
        arn = found["Arn"]
        return Identity(account=found["Account"], arn=arn, partition=arn.split(":")[1])


def make_session(profile: str | None) -> boto3.Session:
    """A boto3 session for ``profile``; a missing profile is a clear error."""
    try:
        if profile == DEFAULT_PROFILE and profile not in boto3.Session().available_profiles:
            profile = None
        return boto3.Session(profile_name=profile)
    except botocore.exceptions.ProfileNotFound as exc:
        raise CredentialsError(
            f"The AWS profile '{profile}' is not in your AWS config or credentials files.",
            hint="Create it with `aws configure --profile NAME`, or fix profile_name "
            "in the settings (remove it to use AWS_ACCESS_KEY_ID/… from the environment).",
        ) from exc


# Asking the instance metadata service for a role costs a timeout off EC2; a machine
# that relies on it has "configured" nothing a local endpoint would care about.
_NETWORK_PROVIDERS = frozenset({"iam-role"})


def _configured_session(profile: str | None) -> boto3.Session | None:
    """A session for ``profile`` when it finds credentials without the network, else None.

    An unknown profile counts as none: there is nothing to use in its place.
    """
    try:
        session = make_session(profile)
    except CredentialsError:
        return None
    resolver = session._session.get_component("credential_provider")
    for provider in resolver.providers:
        if provider.METHOD in _NETWORK_PROVIDERS:
            continue
        try:
            if provider.load() is not None:
                return session
        except botocore.exceptions.BotoCoreError:
            return session  # configured, but broken: the real call reports it
    return None


def known_regions(session: boto3.Session) -> set[str]:
    """Every region botocore knows, from its partitions table (loaded anyway for endpoints)."""
    try:
        partitions = session._session.get_component("data_loader").load_data("partitions")
        regions = {r for p in partitions["partitions"] for r in p["regions"]}
    except (KeyError, TypeError, AttributeError, botocore.exceptions.DataNotFoundError):
        regions = set()
        for partition in session.get_available_partitions():
            regions.update(session.get_available_regions("lambda", partition_name=partition))
    return {r for r in regions if not r.endswith("-global")}


def resolve_region(session: boto3.Session, configured: str | None, *, custom: bool) -> str:
    """The stage's region, else the profile's or environment's; unknown ones are refused.

    Against a custom endpoint the region is only a label, but moto and the local
    cloud fail on regions AWS does not have, so the same check applies there.
    """
    region = configured or session.region_name
    if not region:
        raise UnknownRegionError(
            "No AWS region is set for this stage.",
            hint='Set aws_region in the stage\'s settings (e.g. aws_region = "us-east-1"), '
            "or AWS_DEFAULT_REGION in the environment.",
        )
    regions = known_regions(session)
    if region not in regions:
        import difflib

        close = difflib.get_close_matches(region, sorted(regions), n=3)
        suggestion = f" Did you mean {', '.join(close)}?" if close else ""
        where = " (the endpoint is custom, but it still needs a real region name)" if custom else ""
        raise UnknownRegionError(
            f"'{region}' is not an AWS region{where}.{suggestion}",
            hint="Fix aws_region in the stage's settings; `aws ec2 describe-regions` lists them.",
        )
    return region
