"""Where the CLI writes: data on stdout (JSON with --json), everything else on stderr.

rich is imported only when something is printed, so ``skylift --help`` and
quiet runs do not pay for it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from skylift.cli.state import CliState, cli_state
from skylift.errors import SkyliftError

if TYPE_CHECKING:
    from rich.console import Console

_T = TypeVar("_T")

BUG_REPORT_URL = "https://github.com/skylift-dev/skylift/issues"


class Output:
    """The one object commands print through."""

    def __init__(self, state: CliState | None = None) -> None:
        self.state = state or cli_state()

    @cached_property
    def err(self) -> Console:
        from rich.console import Console

        return Console(stderr=True, highlight=False, soft_wrap=True)

    @cached_property
    def out(self) -> Console:
        from rich.console import Console

        return Console(highlight=False, soft_wrap=True)

    def info(self, message: str) -> None:
        """Progress and messages: stderr, hidden by -q."""
        if not self.state.quiet:
            self.err.print(message)

    def warn(self, message: str) -> None:
        """Warnings: stderr, shown even with -q."""
        self.err.print(f"[yellow]Warning:[/yellow] {_escape(message)}")

    def data(self, payload: Any, render: Callable[[], None] | None = None) -> None:
        """The command's result: JSON on stdout with --json, else ``render()`` or pretty JSON."""
        if self.state.json or render is None:
            sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False, default=str) + "\n")
            sys.stdout.flush()
        else:
            render()

    def error(self, exc: SkyliftError) -> None:
        self.err.print(f"[bold red]Error:[/bold red] {_escape(exc.message)}")
        if exc.hint:
            self.err.print(f"[dim]Hint:[/dim] {_escape(exc.hint)}")
        for warning in exc.warnings:
            self.warn(warning)

    def unexpected(self, exc: BaseException) -> None:
        self.err.print(
            f"[bold red]skylift failed unexpectedly:[/bold red] "
            f"{_escape(type(exc).__name__)}: {_escape(str(exc))}"
        )
        self.err.print(
            "[dim]Hint:[/dim] this is a bug in skylift. Run the same command with --debug "
            f"to see the traceback, and report it at {BUG_REPORT_URL}"
        )


def end_piped_answer(answer: _T) -> _T:
    """Show an answer read from a pipe, as a terminal would have echoed it.

    A terminal echoes what is typed, newline included; an answer read from a pipe
    is not echoed, so the next question or message would follow the prompt on its line.
    """
    if not sys.stdin.isatty():
        shown = ("y" if answer else "n") if isinstance(answer, bool) else str(answer)
        sys.stderr.write(shown + "\n")
        sys.stderr.flush()
    return answer


def end_piped_line() -> None:
    """End a prompt's line when a pipe closed before answering it (the error follows)."""
    if not sys.stdin.isatty():
        sys.stderr.write("\n")
        sys.stderr.flush()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
