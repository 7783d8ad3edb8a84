"""Lambda Invoke, run for real: sync, ``Event`` (async, retried) and ``DryRun``.

Environments are pooled per spec and reused warm. Reserved concurrency is
enforced the way Lambda does it (a throttle, HTTP 429); the machine's own
limit (``max_environments`` per spec) makes extra invocations wait instead,
because a laptop's capacity is not part of the deployment.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from skylift.local import ids
from skylift.local.executor.environment import Environment, EnvironmentContext, utc_stamp
from skylift.local.executor.invocation import Invocation, Outcome
from skylift.local.executor.pool import Pool
from skylift.local.executor.spec import FunctionSpec

SLACK = 0.05  # seconds past the deadline before the executor steps in


class InvocationMetrics(Protocol):
    """Where each invocation's figures go (CloudWatch's Invocations, Errors, Duration, …)."""

    def invoked(
        self,
        spec: FunctionSpec,
        failed: bool,
        duration_ms: float,
        concurrency: tuple[int, int, int],
    ) -> None: ...

    def throttled(self, spec: FunctionSpec) -> None: ...


class _NoMetrics:
    def invoked(
        self,
        spec: FunctionSpec,
        failed: bool,
        duration_ms: float,
        concurrency: tuple[int, int, int],
    ) -> None:
        pass

    def throttled(self, spec: FunctionSpec) -> None:
        pass


class Throttled(Exception):
    """Reserved concurrency exhausted: Lambda answers 429 TooManyRequestsException."""

    reason = "ReservedFunctionConcurrentInvocationLimitExceeded"


class IntegrationTimeout(Exception):
    """The caller's own limit (API Gateway's 29/30 s) passed; the function still runs."""


def _float_list(value: str | None, default: tuple[float, ...]) -> tuple[float, ...]:
    if not value:
        return default
    return tuple(float(part) for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class ExecutorSettings:
    max_environments: int = 10  # per function version
    idle_seconds: float = 600.0  # warm environments are stopped after this long unused
    init_timeout: float = 10.0  # Lambda's limit on the init phase
    # Lambda waits about 1 and 2 minutes between the retries of an async invocation;
    # locally that would only slow feedback down, so the default is seconds.
    retry_delays: tuple[float, ...] = (1.0, 2.0)
    async_workers: int = 16

    @classmethod
    def from_environment(cls) -> ExecutorSettings:
        env = os.environ
        return cls(
            max_environments=int(env.get("SKYLIFT_LOCAL_MAX_ENVIRONMENTS", "10")),
            idle_seconds=float(env.get("SKYLIFT_LOCAL_IDLE_SECONDS", "600")),
            retry_delays=_float_list(env.get("SKYLIFT_LOCAL_RETRY_DELAYS"), (1.0, 2.0)),
        )


@dataclass
class FunctionActivity:
    """What ``status`` shows for one function version."""

    function_name: str
    version: str
    environments: int
    idle: int
    invocations: int
    pids: list[int] = field(default_factory=list)


class Executor:
    def __init__(
        self,
        context: EnvironmentContext,
        settings: ExecutorSettings | None = None,
        on_event: Callable[[str], None] | None = None,
        metrics: InvocationMetrics | None = None,
    ) -> None:
        self.context = context
        self.settings = settings or ExecutorSettings()
        self.on_event = on_event or (lambda _message: None)
        self.metrics: InvocationMetrics = metrics or _NoMetrics()
        self._pools: dict[tuple[Any, ...], Pool] = {}
        self._current: dict[tuple[str, str], tuple[Any, ...]] = {}
        self._inflight: dict[str, int] = {}  # per function, as reserved concurrency counts
        self._inflight_resource: dict[str, int] = {}  # per ARN invoked (alias, version)
        self._inflight_total = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._async = ThreadPoolExecutor(
            self.settings.async_workers, thread_name_prefix="event-invoke"
        )
        self._reaper = threading.Thread(target=self._reap_loop, name="reaper", daemon=True)
        self._reaper.start()

    # --- synchronous ---------------------------------------------------------------------

    def invoke(
        self, spec: FunctionSpec, invocation: Invocation, wait_limit: float | None = None
    ) -> Outcome:
        """Run one invocation and wait for it; raises Throttled or IntegrationTimeout."""
        try:
            concurrency = self._admit(spec)
        except Throttled:
            self.metrics.throttled(spec)
            raise
        handed_off = False
        try:
            pool = self._pool(spec)
            give_up = time.monotonic() + wait_limit if wait_limit is not None else None
            for _attempt in range(3):
                acquired = pool.acquire(spec.timeout + self.settings.init_timeout)
                if acquired is None:
                    self.metrics.throttled(spec)
                    raise Throttled()
                env, cold = acquired
                if not env.submit(invocation):
                    if (
                        env.init_error is not None
                    ):  # it could not even start (unsupported runtime, bad zip)
                        return self._done(spec, invocation, env.init_error, concurrency)
                    continue
                outcome, handed_off = self._await(
                    spec, pool, env, invocation, cold, give_up, concurrency
                )
                if outcome is None:
                    raise IntegrationTimeout()
                if not invocation.undelivered:
                    return self._done(spec, invocation, outcome, concurrency)
                invocation = _again(invocation)
            failure = Outcome.failure(
                "Runtime.ExitError",
                "The execution environment exited before it took the invocation (three times).",
                invocation.request_id,
                spec.version,
            )
            return self._done(spec, invocation, failure, concurrency)
        finally:
            if not handed_off:
                self._leave(spec)

    def _done(
        self,
        spec: FunctionSpec,
        invocation: Invocation,
        outcome: Outcome,
        concurrency: tuple[int, int, int],
    ) -> Outcome:
        """The invocation is over: count it (CloudWatch metrics) and hand the outcome back."""
        duration = outcome.duration_ms
        if not duration and invocation.started_at:
            duration = (time.monotonic() - invocation.started_at) * 1000  # timeouts, crashes
        self.metrics.invoked(spec, not outcome.ok, duration, concurrency)
        return outcome

    def _await(
        self,
        spec: FunctionSpec,
        pool: Pool,
        env: Environment,
        invocation: Invocation,
        cold: bool,
        give_up: float | None,
        concurrency: tuple[int, int, int],
    ) -> tuple[Outcome | None, bool]:
        """(outcome, handed off): None when the caller's limit passed first."""
        timeout = env.spec.timeout
        if cold:
            ready_by = time.monotonic() + self.settings.init_timeout + timeout
            env.ready.wait(_until(ready_by if give_up is None else min(ready_by, give_up)))
        deadline = time.monotonic() + timeout + SLACK
        if give_up is not None and give_up < deadline:
            if invocation.done.wait(_until(give_up)):
                return self._settle(pool, env, invocation), False
            threading.Thread(
                target=self._finish_late,
                args=(spec, pool, env, invocation, deadline, concurrency),
                daemon=True,
            ).start()
            return None, True
        if not invocation.done.wait(_until(deadline)):
            self._expire(env, invocation)
        return self._settle(pool, env, invocation), False

    def _finish_late(
        self,
        spec: FunctionSpec,
        pool: Pool,
        env: Environment,
        invocation: Invocation,
        deadline: float,
        concurrency: tuple[int, int, int],
    ) -> None:
        """The caller gave up (API Gateway's limit); the function runs on to its own timeout."""
        try:
            if not invocation.done.wait(_until(deadline)):
                self._expire(env, invocation)
            self._done(spec, invocation, self._settle(pool, env, invocation), concurrency)
        finally:
            self._leave(spec)

    def _expire(self, env: Environment, invocation: Invocation) -> None:
        spec = env.spec
        message = (
            f"{utc_stamp()} {invocation.request_id} Task timed out after {spec.timeout:.2f} seconds"
        )
        invocation.finish(
            Outcome.failure("Sandbox.Timedout", message, invocation.request_id, spec.version)
        )
        env.kill("timeout")
        self.on_event(
            f"{spec.function_name}:{spec.version} {invocation.request_id} timed out after {spec.timeout} s"
        )

    def _settle(self, pool: Pool, env: Environment, invocation: Invocation) -> Outcome:
        outcome = invocation.outcome or Outcome.failure(
            "Runtime.Unknown", "The invocation ended without a result.", invocation.request_id
        )
        if invocation.want_logs and not invocation.undelivered:
            invocation.logs_done.wait(2.0)
            outcome.log_tail = "".join(invocation.log_lines)[-4096:]
        if env.alive and env.init_error is None:
            pool.release(env)
        return outcome

    def _admit(self, spec: FunctionSpec) -> tuple[int, int, int]:
        """Count the invocation in; (account, function, resource) concurrency with it."""
        with self._lock:
            running = self._inflight.get(spec.function_arn, 0)
            if spec.reserved_concurrency is not None and running >= spec.reserved_concurrency:
                raise Throttled()
            self._inflight[spec.function_arn] = running + 1
            resource = self._inflight_resource.get(spec.invoked_arn, 0) + 1
            self._inflight_resource[spec.invoked_arn] = resource
            self._inflight_total += 1
            return self._inflight_total, running + 1, resource

    def _leave(self, spec: FunctionSpec) -> None:
        with self._lock:
            self._inflight[spec.function_arn] = max(0, self._inflight.get(spec.function_arn, 1) - 1)
            left = self._inflight_resource.get(spec.invoked_arn, 1) - 1
            if left > 0:
                self._inflight_resource[spec.invoked_arn] = left
            else:
                self._inflight_resource.pop(spec.invoked_arn, None)
            self._inflight_total = max(0, self._inflight_total - 1)

    def _pool(self, spec: FunctionSpec) -> Pool:
        key = spec.key
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = Pool(
                    spec, self.context, self.settings.max_environments, self._environment_exited
                )
                self._pools[key] = pool
            previous = self._current.get((spec.function_arn, spec.version))
            self._current[(spec.function_arn, spec.version)] = key
            old = self._pools.get(previous) if previous is not None and previous != key else None
        if old is not None:
            old.retire()
        return pool

    def _environment_exited(self, env: Environment) -> None:
        reason = env.death_reason or "crashed"
        if reason not in ("idle", "stopped", "retired"):
            self.on_event(
                f"{env.spec.function_name}:{env.spec.version} environment {env.id[:8]} ended ({reason})"
            )

    # --- asynchronous ----------------------------------------------------------------------

    def invoke_event(self, spec: FunctionSpec, payload: bytes) -> str:
        """Queue an ``Event`` invocation; failures are retried ``spec.max_retries`` times."""
        request_id = ids.request_id()
        self._async.submit(self._run_event, spec, payload, request_id)
        return request_id

    def _run_event(self, spec: FunctionSpec, payload: bytes, request_id: str) -> None:
        attempts = 1 + max(0, spec.max_retries)
        for attempt in range(attempts):
            if self._stopping.is_set():
                return
            try:
                outcome = self.invoke(spec, Invocation(payload, request_id=request_id))
                if outcome.ok:
                    return
                why = outcome.error_type or "error"
            except Throttled:
                why = "throttled"
            if attempt + 1 < attempts:
                delays = self.settings.retry_delays or (0.0,)
                delay = delays[min(attempt, len(delays) - 1)]
                self.on_event(
                    f"{spec.function_name} async {request_id} failed ({why}); retrying in {delay:g} s"
                )
                if self._stopping.wait(delay):
                    return
        self.on_event(f"{spec.function_name} async {request_id} failed after {attempts} attempts")

    # --- housekeeping ---------------------------------------------------------------------------

    def _reap_loop(self) -> None:
        interval = max(0.2, min(5.0, self.settings.idle_seconds / 4))
        while not self._stopping.wait(interval):
            self.reap()

    def reap(self) -> None:
        with self._lock:
            pools = list(self._pools.items())
        for key, pool in pools:
            pool.reap(self.settings.idle_seconds)
            if not pool.empty:
                continue
            with self._lock:
                current = self._current.get((pool.spec.function_arn, pool.spec.version))
                if self._pools.get(key) is pool and (pool.retired or current != key):
                    del self._pools[key]

    def retire_function(self, function_arn: str, version: str | None = None) -> None:
        """A deleted function (or version): its environments stop now, not when idle."""
        with self._lock:
            pools = [
                pool
                for pool in self._pools.values()
                if pool.spec.function_arn == function_arn and version in (None, pool.spec.version)
            ]
        for pool in pools:
            pool.retire()
        self.reap()

    def activity(self) -> list[FunctionActivity]:
        with self._lock:
            pools = list(self._pools.values())
        found = []
        for pool in pools:
            envs = pool.environments
            if not envs:
                continue
            found.append(
                FunctionActivity(
                    pool.spec.function_name,
                    pool.spec.version,
                    len(envs),
                    pool.idle_count,
                    sum(env.invocations for env in envs),
                    [env.pid for env in envs if env.pid is not None],
                )
            )
        return found

    def environments(self) -> list[Environment]:
        with self._lock:
            pools = list(self._pools.values())
        return [env for pool in pools for env in pool.environments]

    def shutdown(self) -> None:
        self._stopping.set()
        self._async.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            pools = list(self._pools.values())
        for pool in pools:
            pool.stop()
        deadline = time.monotonic() + 5
        for env in [env for pool in pools for env in pool.environments]:
            env.dead.wait(max(0.0, deadline - time.monotonic()))


def _until(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


def _again(invocation: Invocation) -> Invocation:
    """The same request, to run on another environment (the first died before taking it)."""
    return Invocation(
        invocation.payload,
        request_id=invocation.request_id,
        client_context=invocation.client_context,
        identity=invocation.identity,
        trace_id=invocation.trace_id,
        want_logs=invocation.want_logs,
    )
