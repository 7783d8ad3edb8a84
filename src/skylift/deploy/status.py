"""``status STAGE``: what is deployed, where it answers, and how it did in the last 24 h."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import botocore.exceptions

from skylift.aws import Aws
from skylift.aws.cloudwatch import Series, lambda_metrics
from skylift.aws.errors import translate
from skylift.config import Stage
from skylift.deploy.current import Current
from skylift.deploy.endpoints import StageUrl, stage_urls
from skylift.deploy.observe import Lookup, observe
from skylift.deploy.plan_front import primary_http_api, primary_rest_api


@dataclass(frozen=True)
class VersionInfo:
    version: int
    deployed: str
    description: str
    code_sha256: str
    live: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "deployed": self.deployed,
            "description": self.description,
            "code_sha256": self.code_sha256,
            "live": self.live,
        }


@dataclass(frozen=True)
class StatusReport:
    stage: str
    function: str
    region: str
    deployed: bool
    alias: str
    live_version: str | None = None
    last_deploy: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    versions: list[VersionInfo] = field(default_factory=list)
    urls: list[StageUrl] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[Series] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "function": self.function,
            "region": self.region,
            "deployed": self.deployed,
            "alias": self.alias,
            "live_version": self.live_version,
            "last_deploy": self.last_deploy,
            "config": self.config,
            "versions": [v.to_json() for v in self.versions],
            "urls": [u.to_json() for u in self.urls],
            "schedules": self.schedules,
            "metrics": [
                {
                    "metric": s.metric,
                    "stat": s.stat,
                    "total": s.total if s.stat == "Sum" else None,
                    "hourly": [[t.isoformat(), v] for t, v in s.points],
                }
                for s in self.metrics
            ],
            "notes": self.notes,
        }


def _config(current: Current) -> dict[str, Any]:
    f = current.function
    if f is None:
        return {}
    live = current.live
    c = live.config if live else f.config
    return {
        "runtime": c.runtime,
        "handler": c.handler,
        "architecture": c.architecture,
        "memory_size": c.memory_size,
        "timeout": c.timeout,
        "role": c.role,
        "layers": list(map(str, c.layers)),
        "environment": sorted(c.environment),  # names only: values may be secrets
        "reserved_concurrency": f.concurrency,
        "code_sha256": live.code_sha256 if live else f.code_sha256,
    }


def stage_status(
    stage: Stage, aws: Aws, *, hours: int = 24, now: datetime | None = None
) -> StatusReport:
    lookup = Lookup.for_stage(stage, aws.identity.account, aws.region)
    names = lookup.names
    current = observe(aws, lookup)
    f = current.function
    if f is None or not lookup.ours(f.tags):
        return StatusReport(
            stage=stage.name,
            function=names.function,
            region=aws.region,
            deployed=False,
            alias=names.alias,
            notes=[f"Stage '{stage.name}' is not deployed in {aws.region}."],
        )
    live = current.live
    rest, http = primary_rest_api(current.rest_apis), primary_http_api(current.http_apis)
    urls = stage_urls(
        aws,
        api_stage=names.api_stage,
        rest_api_id=rest.id if rest else None,
        http_api_id=http.id if http else None,
        function_url=current.function_url.url if current.function_url else None,
    )
    notes = []
    metrics: list[Series] = []
    try:
        metrics = lambda_metrics(aws.cloudwatch(), names.function, hours=hours, now=now)
    except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as exc:
        notes.append(f"Metrics unavailable: {translate(exc, 'reading CloudWatch metrics').message}")
    return StatusReport(
        stage=stage.name,
        function=names.function,
        region=aws.region,
        deployed=True,
        alias=names.alias,
        live_version=current.alias_version,
        last_deploy=live.last_modified if live else f.last_modified,
        config=_config(current),
        versions=[
            VersionInfo(
                version=v.version,
                deployed=v.last_modified,
                description=v.description,
                code_sha256=v.code_sha256,
                live=str(v.version) == current.alias_version,
            )
            for v in current.versions
        ],
        urls=urls,
        schedules=[
            {"name": r.name, "expression": r.expression, "enabled": r.enabled}
            for r in current.rules
        ],
        metrics=metrics,
        notes=notes,
    )
