"""Function output into CloudWatch Logs (moto's backend), off the request path.

Environments and the executor ``emit`` lines; one writer thread batches them
into ``/aws/lambda/{function}`` streams, creating groups and streams the way
Lambda does. ``flush`` lets readers (FilterLogEvents, tests) see every line
emitted before the call.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skylift.local.control import ControlPlane

BATCH = 500
GATHER_SECONDS = 0.05
# Memory, and the garbage collector's pauses, grow with every event kept; a busy local
# function writes ~5 a request. The oldest events of a stream beyond this are dropped.
MAX_EVENTS_PER_STREAM = 10_000


@dataclass(frozen=True)
class LogLine:
    region: str
    group: str
    stream: str
    timestamp: int
    message: str


class _Flush:
    def __init__(self) -> None:
        self.event = threading.Event()


class LogSink:
    def __init__(self, control: ControlPlane) -> None:
        self.control = control
        self._queue: queue.SimpleQueue[LogLine | _Flush | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self._thread.start()

    def emit(
        self, region: str, group: str, stream: str, message: str, timestamp: int | None = None
    ) -> None:
        stamp = timestamp if timestamp is not None else int(time.time() * 1000)
        self._queue.put(LogLine(region, group, stream, stamp, message))

    def flush(self, timeout: float = 5.0) -> bool:
        marker = _Flush()
        self._queue.put(marker)
        return marker.event.wait(timeout)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if isinstance(first, LogLine):
                # Gather for a moment: one wakeup per interval instead of one per line keeps
                # this thread from taking the GIL off the request path at every print.
                time.sleep(GATHER_SECONDS)
            items = [first]
            while True:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            batch = [item for item in items if isinstance(item, LogLine)]
            for start in range(0, len(batch), BATCH):
                self._write(batch[start : start + BATCH])
            for item in items:
                if isinstance(item, _Flush):
                    item.event.set()
            if any(item is None for item in items):
                return

    def _write(self, batch: list[LogLine]) -> None:
        self._write_batch(batch)
        # moto's models keep a list of every instance they ever made (for its dashboard):
        # log events would pile up there for good, long after they left their stream.
        from moto.logs.models import LogEvent

        LogEvent.instances_tracked.clear()  # type: ignore[attr-defined]

    def _write_batch(self, batch: list[LogLine]) -> None:
        grouped: dict[tuple[str, str, str], list[dict[str, object]]] = {}
        for line in batch:
            grouped.setdefault((line.region, line.group, line.stream), []).append(
                {"timestamp": line.timestamp, "message": line.message}
            )
        for (region, group, stream), events in grouped.items():
            try:
                log_group = self._ensure(region, group, stream)
                log_group.put_log_events(stream, events)
                kept = log_group.streams[stream].events
                if len(kept) > MAX_EVENTS_PER_STREAM:
                    del kept[: len(kept) - MAX_EVENTS_PER_STREAM]
            except Exception as exc:  # a log group deleted under us must not stop the writer
                print(f"skylift local: could not write logs to {group}: {exc!r}", flush=True)

    def _ensure(self, region: str, group: str, stream: str) -> Any:
        """The log group, with the stream in it (Lambda creates both on first output)."""
        logs = self.control.logs(region)
        with self.control.lock:
            logs.ensure_log_group(group)
            log_group = logs.groups[group]
            if stream not in log_group.streams:
                log_group.create_log_stream(stream)
        return log_group
