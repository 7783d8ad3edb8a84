"""One invocation in flight, and what came of it."""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field


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


@dataclass
class Invocation:
    payload: bytes
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    client_context: str | None = None  # base64, as the X-Amz-Client-Context header carries it
    identity: str | None = None
    trace_id: str | None = None
    want_logs: bool = False
    deadline_ms: int = 0
    started_at: float = 0.0
    outcome: Outcome | None = None
    # set when the environment never picked it up (it died first): safe to run elsewhere
    undelivered: bool = False
    done: threading.Event = field(default_factory=threading.Event)
    logs_done: threading.Event = field(default_factory=threading.Event)
    log_lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.trace_id is None:
            epoch = format(int(time.time()), "x")
            self.trace_id = (
                f"Root=1-{epoch}-{uuid.uuid4().hex[:24]};Parent={uuid.uuid4().hex[:16]};Sampled=0"
            )

    def finish(self, outcome: Outcome) -> None:
        if self.outcome is None:
            self.outcome = outcome
        self.done.set()
