"""``skylift settings STAGE``: the resolved settings of a stage, defaults applied."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.markup import escape

from skylift.cli.options import (
    all_stages_option,
    chosen_stages,
    json_option,
    settings_file_option,
    stage_argument,
)
from skylift.cli.output import Output
from skylift.config import Stage


@click.command()
@stage_argument
@all_stages_option
@settings_file_option
@json_option
def settings(stage: str | None, all_stages: bool, settings_file: str | None) -> None:
    """Print the resolved settings of a stage (defaults applied)."""
    out = Output()
    stages = chosen_stages(stage, all_stages, settings_file, "settings")
    # A key inherited through extends warns from every stage that has it: say it once.
    for warning in dict.fromkeys(w for loaded in stages for w in loaded.warnings):
        out.warn(warning)
    payload: Any = [s.resolved() for s in stages] if all_stages else stages[0].resolved()
    out.data(payload, lambda: _render(out, stages))


_MIN_VALUE_WIDTH = 16  # narrower than this, a table's value column is useless
_TABLE_CHROME = 7  # borders and padding of a three-column table


def _render(out: Output, stages: list[Stage]) -> None:
    for loaded in stages:
        rows = [
            (key, json.dumps(value), _origin(loaded, key))
            for key, value in loaded.resolved()["settings"].items()
        ]
        title = f"stage {loaded.name} — {loaded.function_name} (from {loaded.source.name})"
        key_width = max(len(key) for key, _, _ in rows)
        from_width = max(len(origin) for _, _, origin in rows)
        if out.out.width < key_width + from_width + _MIN_VALUE_WIDTH + _TABLE_CHROME:
            _render_lines(out, title, rows)
        else:
            _render_table(out, title, rows, key_width)


def _render_table(
    out: Output, title: str, rows: list[tuple[str, str, str]], key_width: int
) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_edge=False)
    # Keys are never cut (they are what a user copies into the file); long values fold.
    table.add_column("key", style="bold", no_wrap=True, min_width=key_width)
    table.add_column("value", overflow="fold")
    table.add_column("from", style="dim", no_wrap=True)
    for key, value, origin in rows:
        table.add_row(escape(key), escape(value), escape(origin))
    out.out.print(table)


def _render_lines(out: Output, title: str, rows: list[tuple[str, str, str]]) -> None:
    """A terminal too narrow for the table: one setting a line, wrapped by the terminal."""
    out.out.print(escape(title))
    for key, value, origin in rows:
        out.out.print(
            f"[bold]{escape(key)}[/bold] = {escape(value)}  [dim]({escape(origin)})[/dim]"
        )


def _origin(stage: Stage, key: str) -> str:
    origin = stage.origin(key)
    if origin is None:
        return "default"
    return "file" if origin == stage.name else f"stage {origin}"
