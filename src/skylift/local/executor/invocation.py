"""One invocation in flight, and what came of it."""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field

from skylift.local import ids


@dataclass
class Outcome:
    """What Invoke answers: the payload and, for a failed run, its error type."""

    payload: bytes
    function_error: str | None = None  # "Unhandled" when the function failed
    error_type: str | None = None
    executed_version: str = "$LATEST"
    log_tail: str = ""
    duration_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.function_error is None

    @classmethod
    def failure(
        cls, error_type: str, message: str, request_id: str, version: str = "$LATEST"
    ) -> Outcome:
        body = {"errorMessage": message, "errorType": error_type, "requestId": request_id}
        return cls(json.dumps(body).encode(), "Unhandled", error_type, version)


class Latch:
    """A one-shot event on a bare lock (threading.Event builds a Condition: dearer per request)."""

    __slots__ = ("_lock", "_set")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lock.acquire()
        self._set = False

    def set(self) -> None:
        if not self._set:
            self._set = True
            self._release()

    def _release(self) -> None:
        with contextlib.suppress(RuntimeError):  # two setters raced; the latch is open either way
            self._lock.release()

    def is_set(self) -> bool:
        return self._set

    def wait(self, timeout: float | None = None) -> bool:
        if self._set:
            return True
        if self._lock.acquire(timeout=-1 if timeout is None else max(0.0, timeout)):
            self._release()  # let any other waiter through too
            return True
        return self._set


@dataclass
class Invocation:
    payload: bytes
    request_id: str = field(default_factory=ids.request_id)
    client_context: str | None = None  # base64, as the X-Amz-Client-Context header carries it
    identity: str | None = None
    trace_id: str | None = None
    want_logs: bool = False
    deadline_ms: int = 0
    started_at: float = 0.0
    outcome: Outcome | None = None
    # set when the environment never picked it up (it died first): safe to run elsewhere
    undelivered: bool = False
    done: Latch = field(default_factory=Latch)
    logs_done: Latch = field(default_factory=Latch)
    log_lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.trace_id is None:
            self.trace_id = ids.trace_id()

    def finish(self, outcome: Outcome) -> None:
        if self.outcome is None:
            self.outcome = outcome
        self.done.set()
