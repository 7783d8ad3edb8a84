"""How plans, results and status look on a terminal (rich markup; JSON is ``to_json``).

The same ``Plan`` is what ``--dry-run`` and ``plan`` print and what execute runs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from rich.markup import escape

from skylift.aws.cloudwatch import Series
from skylift.deploy.plan import Plan
from skylift.deploy.status import StatusReport
from skylift.deploy.steps import Step

SPARKS = "▁▂▃▄▅▆▇█"
_ADD = ("create", "put", "upload", "publish", "allow", "deploy")
_REMOVE = ("delete", "remove")


def _marker(step: Step) -> str:
    if step.verb.startswith(_REMOVE):
        return "[red]-[/red]"
    if step.verb.startswith(_ADD):
        return "[green]+[/green]"
    return "[yellow]~[/yellow]"


def _value(v: Any) -> str:
    if isinstance(v, str):
        return v if len(v) <= 90 else v[:87] + "…"
    text = json.dumps(v, sort_keys=True, default=str)
    return text if len(text) <= 90 else text[:87] + "…"


def counted(n: int, noun: str) -> str:
    """``1 step``, ``2 steps``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


# AWS writes 2026-11-24T21:38:03.505+0000, moto 2026-11-24T21:38:03.505589000Z.
_TIMESTAMP = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:?\d\d)?")
_UTC = frozenset({"Z", "+0000", "+00:00", "-0000", "-00:00"})


def to_seconds(timestamp: str) -> str:
    """An ISO timestamp to the second, ``Z`` for UTC (``--json`` keeps the full one)."""
    match = _TIMESTAMP.fullmatch(timestamp)
    if not match:
        return timestamp
    zone = match.group(2) or ""
    if zone in _UTC:
        zone = "Z"
    elif len(zone) == 5:
        zone = f"{zone[:3]}:{zone[3:]}"
    return match.group(1) + zone


def plan_lines(plan: Plan) -> list[str]:
    """The plan, one line per step plus one per changed field (rich markup)."""
    if plan.empty:
        return [f"Stage [bold]{escape(plan.stage)}[/bold] is up to date: nothing to {plan.verb}."]
    lines = [
        f"Plan to {plan.verb} stage [bold]{escape(plan.stage)}[/bold]: "
        f"{counted(len(plan.steps), 'step')}"
    ]
    for step in plan.steps:
        lines.append(f"  {_marker(step)} {escape(step.describe())}")
        for change in step.details():
            shown = change.to_json()
            before, after = shown["before"], shown["after"]
            if before is None:
                text = _value(after)
            elif after is None:
                text = f"[red]{escape(_value(before))}[/red] (removed)"
                lines.append(f"      {escape(change.field)}: {text}")
                continue
            else:
                text = f"{_value(before)} → {_value(after)}"
            lines.append(f"      {escape(change.field)}: {escape(text)}")
    lines += [f"  [dim]{escape(note)}[/dim]" for note in plan.notes]
    return lines


def sparkline(values: Sequence[float]) -> str:
    """Values as block characters, scaled to the largest (all zero: the lowest block)."""
    if not values:
        return ""
    top = max(values)
    if top <= 0:
        return SPARKS[0] * len(values)
    return "".join(
        SPARKS[min(len(SPARKS) - 1, int(v / top * (len(SPARKS) - 1) + 0.5))] for v in values
    )


def _hourly(series: Series, hours: int) -> list[float]:
    """The series' values on a fixed grid of ``hours`` buckets (missing hours are 0)."""
    values = [v for _, v in series.points][-hours:]
    return [0.0] * (hours - len(values)) + values


def metric_lines(metrics: Iterable[Series], hours: int = 24) -> list[str]:
    by_key = {(s.metric, s.stat): s for s in metrics}
    lines = []
    for metric in ("Invocations", "Errors", "Throttles"):
        s = by_key.get((metric, "Sum"))
        if s is None:
            continue
        lines.append(f"  {metric:<12}{int(s.total):>8}  {sparkline(_hourly(s, hours))}")
    avg, top = by_key.get(("Duration", "Average")), by_key.get(("Duration", "Maximum"))
    if avg and avg.points and top and top.points:
        mean = sum(v for _, v in avg.points) / len(avg.points)
        lines.append(
            f"  {'Duration':<12}{mean:>6.0f}ms  max {max(v for _, v in top.points):.0f} ms"
        )
    elif avg is not None:
        lines.append(f"  {'Duration':<12}{'—':>8}")
    return lines


def status_lines(report: StatusReport) -> list[str]:
    if not report.deployed:
        return [escape(n) for n in report.notes]
    lines = [
        f"[bold]{escape(report.function)}[/bold] (stage {escape(report.stage)}, {report.region}): "
        f"live version [bold]{report.live_version}[/bold] via alias {escape(report.alias)}, "
        f"deployed {escape(to_seconds(report.last_deploy) if report.last_deploy else '?')}"
    ]
    lines += ["URLs:"] + [f"  {escape(u.url)}" for u in report.urls] if report.urls else []
    c = report.config
    lines.append(
        f"Function: {c.get('runtime')} {c.get('architecture')}, {c.get('memory_size')} MB, "
        f"timeout {c.get('timeout')} s, handler {escape(str(c.get('handler')))}"
    )
    if c.get("environment"):
        lines.append(f"  environment: {escape(', '.join(c['environment']))}")
    if c.get("layers"):
        lines.append(f"  layers: {escape(', '.join(c['layers']))}")
    lines.append("Versions (newest last):")
    for v in report.versions:
        mark = "[green]● live[/green]" if v.live else ""
        lines.append(
            f"  {v.version:>4}  {escape(to_seconds(v.deployed))}  {escape(v.description)}  {mark}"
        )
    if report.schedules:
        lines.append("Schedules:")
        lines += [
            f"  {escape(s['name'])}: {escape(s['expression'])}"
            + ("" if s["enabled"] else " (disabled)")
            for s in report.schedules
        ]
    if report.metrics:
        lines.append("Last 24 h (hourly):")
        lines += metric_lines(report.metrics)
    lines += [f"[dim]{escape(n)}[/dim]" for n in report.notes]
    return lines
