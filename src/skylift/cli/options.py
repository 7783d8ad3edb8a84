"""Option decorators that several verbs share, so each spelling is defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from skylift.cli.state import flag_setter
from skylift.errors import UsageError

if TYPE_CHECKING:
    from skylift.config import Stage

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


def stage_argument(func: F) -> F:
    """STAGE, optional: with none given, the settings file's only stage (as Zappa does)."""
    return click.argument("stage", required=False)(func)


def chosen_stages(
    stage: str | None,
    all_stages: bool,
    settings_file: str | None,
    command: str,
    *,
    takes_all: bool = True,
) -> list[Stage]:
    """The stages a verb runs on: STAGE, every stage with --all, else the only one there is.

    With no STAGE and several stages in the file, the usage error lists them.
    """
    from rich.markup import escape

    from skylift.cli.output import Output
    from skylift.config import load_all_stages, load_stage, open_settings
    from skylift.config.load import stage_from_file

    if all_stages:
        if stage:
            raise UsageError("Give either a STAGE or --all, not both.", hint="Drop one of them.")
        return load_all_stages(".", settings_file)
    if stage:
        return [load_stage(stage, ".", settings_file)]
    parsed = open_settings(".", settings_file)
    names = list(parsed.stages)
    if len(names) == 1:
        Output().info(f"Using stage {escape(names[0])}, the only one in {escape(parsed.path.name)}")
        return [stage_from_file(parsed, names[0], Path("."))]
    also = ", or use --all" if takes_all else ""
    raise UsageError(
        f"Missing the STAGE to {command}: {parsed.path.name} has {len(names)} stages: "
        f"{', '.join(names)}.",
        hint=f"Run `skylift {command} {names[0]}`{also}.",
    )
