"""The library API of deploy and update: prepare (observe + plan), then apply.

    aws = Aws(target_for(stage))
    prepared = prepare(stage, artifact, aws, verb="deploy")   # read-only
    print(render_plan(prepared.plan))                         # what --dry-run shows
    result = apply(prepared)                                  # runs the same steps

``deploy_stage`` and ``update_stage`` do both in one call.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from skylift.aws import Aws
from skylift.config import Stage
from skylift.deploy.current import Current
from skylift.deploy.desired import desired_state
from skylift.deploy.endpoints import StageUrl, stage_urls
from skylift.deploy.execute import Progress, execute
from skylift.deploy.model import Desired
from skylift.deploy.names import Names
from skylift.deploy.observe import Lookup, observe
from skylift.deploy.package import build_artifact
from skylift.deploy.plan import Plan, plan, preflight
from skylift.deploy.plan_front import primary_http_api, primary_rest_api
from skylift.deploy.steps import PointAlias
from skylift.deploy.touch import Touch, touch_stage
from skylift.errors import AlreadyDeployedError, NotDeployedError
from skylift.packaging import Artifact
from skylift.packaging.progress import Reporter

Verb = Literal["deploy", "update", "plan"]


@dataclass(frozen=True)
class Prepared:
    """A stage observed and planned, ready to apply (or to show)."""

    stage: Stage
    aws: Aws
    desired: Desired
    current: Current
    plan: Plan
    artifact: Artifact
    started: float = field(default_factory=time.perf_counter)  # when observing began


@dataclass(frozen=True)
class DeployResult:
    stage: str
    function: str
    alias: str
    version: str | None
    urls: list[StageUrl]
    steps: int
    changed: bool
    seconds: float
    plan: Plan
    warnings: tuple[str, ...] = field(default=())
    touched: Touch | None = None  # the GET after a deploy (None: not made)

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "function": self.function,
            "alias": self.alias,
            "version": self.version,
            "urls": [u.to_json() for u in self.urls],
            "steps": self.steps,
            "changed": self.changed,
            "seconds": round(self.seconds, 3),
            "warnings": list(self.warnings),
            "touch": self.touched.to_json() if self.touched else None,
        }


def prepared_warnings(prepared: Prepared) -> tuple[str, ...]:
    """Settings deploy does not act on yet, then what packaging noticed."""
    report = prepared.artifact.report
    return (*prepared.plan.warnings, *(report.warnings if report else ()))


def observe_stage(stage: Stage, aws: Aws) -> Current:
    """What exists of the stage (read-only; the first call checks the credentials)."""
    me = aws.identity
    return observe(aws, Lookup.for_stage(stage, me.account, aws.region))


def refuse_wrong_verb(stage: Stage, aws: Aws, current: Current, verb: Verb) -> None:
    """Deploy refuses a deployed stage (use update); update refuses one with no function."""
    names = Names.for_stage(stage)
    if verb == "deploy" and current.function is not None and current.alias_version is not None:
        raise AlreadyDeployedError(
            f"Stage '{stage.name}' is already deployed (function {names.function}, "
            f"alias {names.alias} on version {current.alias_version}).",
            hint=f"Run `skylift update {stage.name}` to deploy new code or settings.",
        )
    if verb == "update" and current.function is None:
        raise NotDeployedError(
            f"Stage '{stage.name}' is not deployed (no function {names.function} in {aws.region}).",
            hint=f"Run `skylift deploy {stage.name}` first.",
        )


def prepare(
    stage: Stage, artifact: Artifact, aws: Aws, *, verb: Verb, current: Current | None = None
) -> Prepared:
    """Observe the stage (unless given what was observed) and plan ``verb``.

    Refuses deploy on a deployed stage and update on one that is not deployed.
    """
    started = time.perf_counter()
    me = aws.identity
    desired = desired_state(
        stage, artifact, account=me.account, region=aws.region, partition=me.partition
    )
    if current is None:
        current = observe_stage(stage, aws)
    preflight(desired, current)
    refuse_wrong_verb(stage, aws, current, verb)
    planned_verb = verb if verb != "plan" else "update" if current.function else "deploy"
    planned = plan(desired, current, verb=planned_verb)
    return Prepared(
        stage=stage,
        aws=aws,
        desired=desired,
        current=current,
        plan=planned,
        artifact=artifact,
        started=started,
    )


def apply(prepared: Prepared, progress: Progress | None = None) -> DeployResult:
    """Run the plan and report where the stage now answers."""
    run = execute(prepared.plan, prepared.aws, progress)
    d, c = prepared.desired, prepared.current
    rest = primary_rest_api(c.rest_apis) if d.rest_api else None
    http = primary_http_api(c.http_apis) if d.http_api else None
    url = run.known.get("function_url") or (c.function_url.url if c.function_url else None)
    urls = stage_urls(
        prepared.aws,
        api_stage=d.rest_api.stage_name if d.rest_api else "",
        rest_api_id=run.known.get("rest_api_id") or (rest.id if rest else None),
        http_api_id=run.known.get("http_api_id") or (http.id if http else None),
        function_url=url if d.function_url else None,
    )
    version = run.known.get("version") or _aliased(prepared.plan) or c.alias_version
    return DeployResult(
        stage=prepared.stage.name,
        function=d.function.name,
        alias=d.alias,
        version=version,
        urls=urls,
        steps=len(run.done),
        changed=bool(run.done),
        seconds=time.perf_counter() - prepared.started,
        plan=prepared.plan,
        warnings=prepared_warnings(prepared),
    )


def _aliased(plan: Plan) -> str | None:
    """The existing version the plan points the alias at (None: a new one, or no move)."""
    for step in plan.steps:
        if isinstance(step, PointAlias) and isinstance(step.version, str):
            return step.version
    return None


def run_stage(
    stage: Stage,
    aws: Aws,
    *,
    verb: Verb,
    artifact: Artifact | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    reporter: Reporter | None = None,
    packaging: Callable[[], None] | None = None,
    planned: Callable[[Prepared], None] | None = None,
    touch: bool = True,
) -> DeployResult | Prepared:
    """Check, package (unless given an artifact), plan, and apply unless ``dry_run`` or ``plan``.

    The credentials and whether ``verb`` fits the stage (deploy: not deployed yet;
    update: deployed) are checked first, with reads only, so a refusal never
    waits for packaging. ``packaging`` is called just before packaging starts,
    ``planned`` once the plan is made, before any step runs (to show warnings).
    After a change, the stage's URL is requested once (Zappa's ``touch``, unless
    the settings or ``touch=False`` turn it off): ``DeployResult.touched``.
    Returns the ``Prepared`` plan when nothing is applied, else the result.
    """
    current = observe_stage(stage, aws)
    refuse_wrong_verb(stage, aws, current, verb)
    if artifact is None:
        if packaging:
            packaging()
        artifact = build_artifact(stage, reporter)
    # What was observed is reused: packaging changes nothing in AWS.
    prepared = prepare(stage, artifact, aws, verb=verb, current=current)
    if planned:
        planned(prepared)
    if dry_run or verb == "plan":
        return prepared
    result = apply(prepared, progress)
    if touch and result.changed:
        touched = touch_stage(
            stage, result.urls, function=result.function, endpoint=aws.endpoint("lambda")
        )
        result = replace(result, touched=touched)
    return result


def deploy_stage(
    stage: Stage, artifact: Artifact, aws: Aws, *, progress: Progress | None = None
) -> DeployResult:
    """First deployment of a stage (refused when it is already deployed: use update)."""
    return apply(prepare(stage, artifact, aws, verb="deploy"), progress)


def update_stage(
    stage: Stage, artifact: Artifact, aws: Aws, *, progress: Progress | None = None
) -> DeployResult:
    """New code and settings for a deployed stage; nothing changed means no AWS writes."""
    return apply(prepare(stage, artifact, aws, verb="update"), progress)
