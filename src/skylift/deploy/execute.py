"""Run a plan's steps in order; on failure, say what was done and what was not.

Each step type has one handler (``run_step``, dispatched on the type). Values
AWS assigns on the way (API ids, the new version) are recorded in
``Run.known`` for the later steps that refer to them. Every step is safe to
repeat, so after a failure, running the verb again converges.
"""

from __future__ import annotations

from collections.abc import Callable

import botocore.exceptions

from skylift.aws import Aws
from skylift.aws.errors import translate
from skylift.deploy import handlers
from skylift.deploy.plan import Plan
from skylift.deploy.run import Run, run_step
from skylift.deploy.steps import PointAlias, Step
from skylift.errors import DeployError, SkyliftError

__all__ = ["Progress", "Run", "StepFailed", "execute", "handlers"]

Progress = Callable[[int, int, Step], None]


class StepFailed(DeployError):
    """A step failed midway; ``done`` ran, ``failed`` did not finish, ``pending`` never started."""

    def __init__(
        self,
        verb: str,
        stage: str,
        failed: Step,
        done: list[Step],
        pending: list[Step],
        cause: SkyliftError,
    ) -> None:
        self.done, self.failed, self.pending, self.cause = done, failed, pending, cause
        lines = [
            f"{verb.capitalize()} of stage '{stage}' stopped at step {len(done) + 1} of "
            f"{len(done) + 1 + len(pending)}: {failed.describe()}.",
            f"Cause: {cause.message}",
        ]
        lines.append("Done:" if done else "Done: nothing.")
        lines += [f"  ✓ {s.describe()}" for s in done]
        lines.append(f"Not done:\n  ✗ {failed.describe()}")
        lines += [f"  · {s.describe()}" for s in pending]
        again = _again(verb, done)
        hint = cause.hint + " " if cause.hint else ""
        super().__init__(
            "\n".join(lines),
            hint=f"{hint}Fix the cause and run `skylift {again} {stage}`: it picks up from here"
            + (
                f"; `skylift undeploy {stage}` removes what was made."
                if verb != "undeploy"
                else "."
            ),
        )


def _again(verb: str, done: list[Step]) -> str:
    """The verb that finishes the job: deploy refuses a stage whose alias exists."""
    if verb == "deploy":
        return "update" if any(isinstance(s, PointAlias) for s in done) else "deploy"
    return verb


def execute(plan: Plan, aws: Aws, progress: Progress | None = None) -> Run:
    """Run every step of ``plan``; raise ``StepFailed`` at the first failure."""
    run = Run(aws)
    steps = list(plan.steps)
    for index, step in enumerate(steps):
        if progress:
            progress(index, len(steps), step)
        try:
            run_step(step, run)
        except (
            botocore.exceptions.BotoCoreError,
            botocore.exceptions.ClientError,
            SkyliftError,
            TimeoutError,
            RuntimeError,
            KeyboardInterrupt,
        ) as exc:
            pending = steps[index + 1 :]
            raise StepFailed(
                plan.verb, plan.stage, step, run.done, pending, _cause(exc, step)
            ) from exc
        run.done.append(step)
    return run


def _cause(exc: BaseException, step: Step) -> SkyliftError:
    if isinstance(exc, SkyliftError):
        return exc
    if isinstance(exc, KeyboardInterrupt):
        # Stopped by the user: reported like any failure, so they know where it stopped.
        return DeployError("Interrupted (Ctrl-C); the step may or may not have completed.")
    if isinstance(exc, TimeoutError | RuntimeError):
        return DeployError(str(exc))
    return translate(exc, step.describe())
