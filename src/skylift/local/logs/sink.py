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
            item = self._queue.get()
            batch: list[LogLine] = []
            markers: list[_Flush] = []
            stop = False
            while True:
                if item is None:
                    stop = True
                elif isinstance(item, _Flush):
                    markers.append(item)
                else:
                    batch.append(item)
                if len(batch) >= BATCH:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            self._write(batch)
            for marker in markers:
                marker.event.set()
            if stop:
                return

    def _write(self, batch: list[LogLine]) -> None:
        grouped: dict[tuple[str, str, str], list[dict[str, object]]] = {}
        for line in batch:
            grouped.setdefault((line.region, line.group, line.stream), []).append(
                {"timestamp": line.timestamp, "message": line.message}
            )
        for (region, group, stream), events in grouped.items():
            try:
                self._ensure(region, group, stream).put_log_events(stream, events)
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
