"""The state of one execution and the step dispatcher the handlers register with."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import singledispatch

from skylift.aws import Aws
from skylift.deploy.model import Value
from skylift.deploy.steps import Step


@dataclass
class Run:
    """The AWS target, and what earlier steps produced (ids AWS assigned on the way)."""

    aws: Aws
    known: dict[str, str] = field(default_factory=dict)
    done: list[Step] = field(default_factory=list)

    def value(self, v: Value) -> str:
        return v if isinstance(v, str) else v.resolve(self.known)


@singledispatch
def run_step(step: Step, run: Run) -> None:
    """Run one step (each step type registers its handler in ``handlers``)."""
    raise NotImplementedError(f"no handler for {type(step).__name__}")
