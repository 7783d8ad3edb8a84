"""``rollback STAGE -n N``: point the alias N versions back. No upload, one call.

``rollback --all`` plans every stage first (``prepare_rollback``), so a stage
that cannot go back stops the command before any alias moves.

Every front door and trigger points at the alias, so moving it is the whole
rollback. Only the versions still kept can be rolled back to (``retain``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from skylift.aws import Aws
from skylift.config import Stage
from skylift.deploy.current import Current
from skylift.deploy.execute import Progress, execute
from skylift.deploy.names import Names
from skylift.deploy.observe import FUNCTION_PARTS, Lookup, observe
from skylift.deploy.plan import Plan
from skylift.deploy.steps import PointAlias
from skylift.errors import DeployError, NotDeployedError, UsageError


@dataclass(frozen=True)
class RollbackResult:
    stage: str
    function: str
    before: str
    after: str
    plan: Plan

    def to_json(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "function": self.function,
            "from_version": self.before,
            "to_version": self.after,
            "applied": bool(self.plan.steps),
        }


def plan_rollback(names: Names, current: Current, steps_back: int) -> tuple[Plan, str, str]:
    """The one step moving the alias ``steps_back`` versions back: (plan, from, to)."""
    if steps_back < 1:
        raise UsageError(
            f"-n must be 1 or more (got {steps_back}).", hint="`skylift rollback dev -n 1`"
        )
    if current.function is None or current.alias_version is None:
        raise NotDeployedError(
            f"Stage '{names.stage}' is not deployed (no function {names.function} with alias "
            f"{names.alias}).",
            hint=f"Run `skylift deploy {names.stage}` first.",
        )
    numbers = [v.version for v in current.versions]
    live = current.alias_version
    if not live.isdigit() or int(live) not in numbers:
        raise DeployError(
            f"The alias {names.alias} points at version {live}, not a published one.",
            hint=f"Run `skylift update {names.stage}` to publish and point it at a version.",
        )
    index = numbers.index(int(live))
    if steps_back > index:
        kept = ", ".join(str(n) for n in numbers)
        raise DeployError(
            f"Cannot roll back {steps_back} version(s) from version {live}: only {index} older "
            f"version(s) are kept (kept: {kept}; the oldest is {numbers[0]}).",
            hint=(f"Use -n {index} or less." if index else "There is no older version yet.")
            + " num_retained_versions sets how many versions are kept.",
        )
    target = str(numbers[index - steps_back])
    step = PointAlias(function=names.function, alias=names.alias, version=target, before=live)
    return Plan(stage=names.stage, verb="rollback", steps=(step,)), live, target


@dataclass(frozen=True)
class PreparedRollback:
    """A stage observed and its rollback planned (nothing changed yet)."""

    stage: str
    function: str
    aws: Aws
    plan: Plan
    before: str
    after: str


def prepare_rollback(stage: Stage, aws: Aws, *, steps_back: int = 1) -> PreparedRollback:
    """Read the stage's versions and plan the alias move; refuses what cannot be done."""
    lookup = Lookup.for_stage(stage, aws.identity.account, aws.region)
    current = observe(aws, lookup, only=FUNCTION_PARTS)
    if current.function is not None and not lookup.ours(current.function.tags):
        raise NotDeployedError(
            f"The function {lookup.names.function} was not deployed by skylift for stage "
            f"'{stage.name}' (it lacks skylift's tags); not touching it.",
            hint="Check project_name and the stage name.",
        )
    planned, before, after = plan_rollback(lookup.names, current, steps_back)
    return PreparedRollback(stage.name, lookup.names.function, aws, planned, before, after)


def apply_rollback(
    prepared: PreparedRollback, progress: Progress | None = None, *, dry_run: bool = False
) -> RollbackResult:
    if not dry_run:
        execute(prepared.plan, prepared.aws, progress)
    p = prepared
    return RollbackResult(p.stage, p.function, p.before, p.after, p.plan)


def rollback_stage(
    stage: Stage,
    aws: Aws,
    *,
    steps_back: int = 1,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RollbackResult:
    """Point the stage's alias ``steps_back`` versions back (one UpdateAlias call)."""
    prepared = prepare_rollback(stage, aws, steps_back=steps_back)
    return apply_rollback(prepared, progress, dry_run=dry_run)
