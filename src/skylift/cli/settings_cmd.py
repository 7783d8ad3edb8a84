"""``skylift settings STAGE``: the resolved settings of a stage, defaults applied."""

from __future__ import annotations

import json
from typing import Any

import click

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


def _render(out: Output, stages: list[Stage]) -> None:
    from rich.table import Table

    for loaded in stages:
        resolved = loaded.resolved()
        table = Table(
            title=f"stage {loaded.name} — {loaded.function_name} (from {loaded.source.name})",
            title_justify="left",
            show_edge=False,
        )
        table.add_column("key", style="bold")
        table.add_column("value")
        table.add_column("", style="dim")
        for key, value in resolved["settings"].items():
            origin = "" if key in loaded.raw else "default"
            table.add_row(key, json.dumps(value), origin)
        out.out.print(table)
