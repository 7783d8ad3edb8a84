"""Flags shared by every verb (-q, --debug, --json), wherever they appear on the line.

Options go after the verb (``skylift deploy dev -q``) but are also accepted
before it (``skylift -q deploy dev``); both spellings land in one ``CliState``
kept on the root click context.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import click


@dataclass
class CliState:
    quiet: bool = False
    debug: bool = False
    json: bool = False


def _env_debug() -> bool:
    return os.environ.get("SKYLIFT_DEBUG", "").lower() in {"1", "true", "yes"}


def cli_state(ctx: click.Context | None = None) -> CliState:
    """The state of the running command line (a fresh one outside click)."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return CliState(debug=_env_debug())
    root = ctx.find_root()
    state = root.meta.get("skylift.state")
    if not isinstance(state, CliState):
        state = CliState(debug=_env_debug())
        root.meta["skylift.state"] = state
    return state


def flag_setter(name: str) -> Callable[[click.Context, click.Parameter, bool], None]:
    """A click callback that turns a shared flag on in the ``CliState``."""

    def callback(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
        if value:
            setattr(cli_state(ctx), name, True)

    return callback


def shared_params() -> list[click.Parameter]:
    """-q/--quiet and --debug: added to the group and to every verb."""
    return [
        click.Option(
            ["-q", "--quiet"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=flag_setter("quiet"),
            help="Print only errors and the data asked for.",
        ),
        click.Option(
            ["--debug"],
            is_flag=True,
            expose_value=False,
            is_eager=True,
            callback=flag_setter("debug"),
            help="Show tracebacks for unexpected errors (also SKYLIFT_DEBUG=1).",
        ),
    ]
