"""Progress for resolve, download and zip: rich bars on a terminal, nothing elsewhere."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID


class Reporter(Protocol):
    def step(self, label: str, total: float | None = None, unit: str = "bytes") -> None:
        """Start a new step (the previous one is finished); ``unit`` is "bytes" or "files"."""

    def advance(self, amount: float = 1) -> None: ...

    def close(self) -> None: ...


class NullReporter:
    def step(self, label: str, total: float | None = None, unit: str = "bytes") -> None:
        pass

    def advance(self, amount: float = 1) -> None:
        pass

    def close(self) -> None:
        pass


class RichReporter:
    """One transient bar per step on stderr; gone once packaging is done."""

    def __init__(self, console: Console) -> None:
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress: Progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[amount]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._task: TaskID | None = None
        self._unit = "bytes"
        self._done = 0.0
        self._total: float | None = None
        self._progress.start()

    def step(self, label: str, total: float | None = None, unit: str = "bytes") -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._unit, self._done, self._total = unit, 0.0, total
        self._task = self._progress.add_task(label, total=total, amount=self._amount())

    def advance(self, amount: float = 1) -> None:
        if self._task is not None:
            self._done += amount
            self._progress.update(self._task, advance=amount, amount=self._amount())

    def _amount(self) -> str:
        if self._total is None:
            return ""
        if self._unit == "files":
            return f"{self._done:.0f}/{self._total:.0f} files"
        from skylift.packaging.limits import human

        return f"{human(self._done)}/{human(self._total)}"

    def close(self) -> None:
        self._progress.stop()

    def __enter__(self) -> RichReporter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def terminal_reporter(console: Console | None = None) -> Reporter:
    """Rich progress when stderr is a terminal, else silence."""
    if console is None:
        if not sys.stderr.isatty():
            return NullReporter()
        from rich.console import Console

        console = Console(stderr=True)
    if not console.is_terminal:
        return NullReporter()
    return RichReporter(console)
