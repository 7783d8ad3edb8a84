"""Option decorators that several verbs share, so each spelling is defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from skylift.cli.state import flag_setter

F = TypeVar("F", bound=Callable[..., Any])


def json_option(func: F) -> F:
    """--json: only JSON on stdout; messages and progress stay on stderr."""
    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        expose_value=False,
        callback=flag_setter("json"),
        help="Print the data as JSON on stdout (messages go to stderr).",
    )(func)


def yes_option(func: F) -> F:
    """-y/--yes: answer every prompt with its default (never waits on stdin)."""
    return click.option(
        "-y", "--yes", is_flag=True, help="Do not ask for confirmation; take the defaults."
    )(func)


def all_stages_option(func: F) -> F:
    """--all: run the verb for every stage in the settings file."""
    return click.option(
        "--all", "all_stages", is_flag=True, help="Run for every stage in the settings file."
    )(func)


def settings_file_option(func: F) -> F:
    """-s/--settings-file, as in Zappa: use this settings file instead of searching."""
    return click.option(
        "-s",
        "--settings-file",
        type=click.Path(dir_okay=False, path_type=str),
        default=None,
        help="Settings file to read (default: skylift.toml, pyproject.toml, zappa_settings.*).",
    )(func)
