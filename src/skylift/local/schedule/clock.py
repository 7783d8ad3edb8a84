"""The scheduler's notion of now: the real clock, or a test clock that only moves when told."""

from __future__ import annotations

import threading
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class ManualClock:
    """Starts at ``start`` (default: the real time) and moves only by ``advance``/``set``."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("a test clock only moves forward")
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, moment: float) -> float:
        with self._lock:
            if moment < self._now:
                raise ValueError("a test clock only moves forward")
            self._now = moment
            return self._now
