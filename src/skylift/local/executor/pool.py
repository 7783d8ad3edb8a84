"""The warm environments of one function spec (one version's code and configuration)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from skylift.local.executor.environment import Environment, EnvironmentContext
from skylift.local.executor.spec import FunctionSpec


class Pool:
    """Hands out idle environments (most recently used first, as Lambda reuses warm ones).

    At most ``max_environments`` exist at once; beyond that an invocation waits
    for one to come free instead of starting another process on this machine.
    """

    def __init__(
        self,
        spec: FunctionSpec,
        context: EnvironmentContext,
        max_environments: int,
        on_exit: Callable[[Environment], None] | None = None,
    ) -> None:
        self.spec = spec
        self.context = context
        self.max_environments = max(1, max_environments)
        self.retired = False
        self._on_exit = on_exit
        self._idle: list[Environment] = []
        self._all: set[Environment] = set()
        self._cond = threading.Condition()

    def acquire(self, timeout: float) -> tuple[Environment, bool] | None:
        """(environment, cold) or None if none came free in ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                while self._idle:
                    env = self._idle.pop()
                    if env.alive:
                        return env, False
                if len(self._all) < self.max_environments:
                    env = Environment(self.spec, self.context, self._exited)
                    self._all.add(env)
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._cond.wait(remaining):
                    return None
        env.start()
        return env, True

    def release(self, env: Environment) -> None:
        with self._cond:
            if not env.alive or env not in self._all:
                return
            if self.retired:
                stale = True
            else:
                stale = False
                env.last_used = time.monotonic()
                self._idle.append(env)
                self._cond.notify()
        if stale:
            env.kill("retired")

    def _exited(self, env: Environment) -> None:
        with self._cond:
            self._all.discard(env)
            if env in self._idle:
                self._idle.remove(env)
            self._cond.notify()
        if self._on_exit is not None:
            self._on_exit(env)

    def reap(self, idle_seconds: float) -> None:
        """Stop environments idle for longer than ``idle_seconds`` (all idle ones if retired)."""
        now = time.monotonic()
        with self._cond:
            victims = [
                env for env in self._idle if self.retired or now - env.last_used >= idle_seconds
            ]
            for env in victims:
                self._idle.remove(env)
        for env in victims:
            env.kill("idle")

    def retire(self) -> None:
        """A newer spec replaced this one: idle environments go now, busy ones when done."""
        self.retired = True
        self.reap(0)

    def stop(self) -> None:
        self.retired = True
        with self._cond:
            everyone = list(self._all)
        for env in everyone:
            env.kill("stopped")

    @property
    def environments(self) -> list[Environment]:
        with self._cond:
            return list(self._all)

    @property
    def idle_count(self) -> int:
        with self._cond:
            return len(self._idle)

    @property
    def empty(self) -> bool:
        with self._cond:
            return not self._all
