"""``skylift local up|down|status|logs``: the local cloud on 127.0.0.1."""

from __future__ import annotations

import re
import time
from typing import Any

import click

from skylift.cli.options import json_option
from skylift.cli.output import Output
from skylift.cli.state import shared_params
from skylift.errors import UsageError

EXIT_NOT_RUNNING = 3
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class _VerbGroup(click.Group):
    """Gives each subcommand -q/--quiet and --debug, as the root group does for verbs."""

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        have = {opt for param in cmd.params for opt in getattr(param, "opts", [])}
        cmd.params.extend(p for p in shared_params() if not have.intersection(p.opts))
        super().add_command(cmd, name)


@click.group(cls=_VerbGroup)
def local() -> None:
    """Run deployments on a local cloud on 127.0.0.1 (no Docker, no AWS account).

    `skylift deploy dev --local` starts it when needed; state lives in
    $SKYLIFT_HOME/local (default ~/.skylift/local).
    """


@local.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port on 127.0.0.1 (default 4566; 0 picks a free one).",
)
@click.option(
    "--test-clock", is_flag=True, hidden=True, help="Schedules move only when told (tests)."
)
@json_option
def up(port: int | None, test_clock: bool) -> None:
    """Start the local cloud in the background (returns when it is ready)."""
    from skylift.local import ensure_running

    out = Output()
    cloud = ensure_running(port, test_clock=test_clock)
    if cloud.notice:
        out.warn(cloud.notice)
    payload = {
        "endpoint_url": cloud.endpoint_url,
        "port": cloud.port,
        "pid": cloud.pid,
        "started_at": cloud.started_at,
        "notice": cloud.notice,
    }
    out.data(
        payload,
        lambda: out.out.print(
            f"Local cloud running at {cloud.endpoint_url} (pid {cloud.pid}). Stop it with `skylift local down`."
        ),
    )


@local.command()
@json_option
def down() -> None:
    """Stop the local cloud and every function environment it runs."""
    from skylift.local import stop

    out = Output()
    stopped = stop()
    message = (
        "Local cloud stopped; its deployments are gone."
        if stopped
        else "No local cloud was running."
    )
    out.data({"stopped": stopped}, lambda: out.out.print(message))


@local.command()
@json_option
def status() -> None:
    """Show the running local cloud: pid, port, uptime, functions, APIs, warm environments."""
    from skylift.local import status as local_status

    out = Output()
    current = local_status()
    if current is None:
        out.data(
            {"running": False},
            lambda: out.err.print("No local cloud is running. Start one with `skylift local up`."),
        )
        raise click.exceptions.Exit(EXIT_NOT_RUNNING)
    payload = current.to_dict()
    out.data(payload, lambda: _render_status(out, payload))


def _render_status(out: Output, payload: dict[str, Any]) -> None:
    from rich.table import Table

    out.out.print(
        f"Local cloud {payload['endpoint_url']} — pid {payload['pid']}, up {_human_duration(payload['uptime_seconds'])}"
    )
    if payload["functions"]:
        table = Table(title="Functions", title_justify="left", show_edge=False)
        for column in ("name", "runtime", "versions", "aliases", "warm"):
            table.add_column(column)
        warm: dict[str, int] = {}
        for env in payload["environments"]:
            warm[env["function"]] = warm.get(env["function"], 0) + env["count"]
        for fn in payload["functions"]:
            aliases = ", ".join(f"{name}→{version}" for name, version in fn["aliases"].items())
            table.add_row(
                fn["name"],
                fn["runtime"] or "",
                ", ".join(fn["versions"]) or "-",
                aliases or "-",
                str(warm.get(fn["name"], 0)),
            )
        out.out.print(table)
    endpoints = Table(title="Endpoints", title_justify="left", show_edge=False)
    endpoints.add_column("kind")
    endpoints.add_column("name")
    endpoints.add_column("URL", overflow="fold")  # a URL must stay whole to be copied
    rows = 0
    for api in payload["rest_apis"]:
        for stage, urls in api["urls"].items():
            endpoints.add_row("REST API", f"{api['name']} ({stage})", urls[0])
            rows += 1
    for api in payload["http_apis"]:
        for stage, urls in api["urls"].items():
            endpoints.add_row("HTTP API", f"{api['name']} ({stage})", urls[0])
            rows += 1
    for fn in payload["functions"]:
        for url in fn["function_urls"]:
            endpoints.add_row(
                "Function URL", f"{fn['name']}:{url['qualifier'] or '$LATEST'}", url["url"]
            )
            rows += 1
    if rows:
        out.out.print(endpoints)
    if not payload["functions"] and not rows:
        out.out.print("Nothing deployed yet: `skylift deploy STAGE --local`.")


def _human_duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h{minutes:02d}m{secs:02d}s" if hours else f"{minutes}m{secs:02d}s"


def parse_since(value: str | None) -> float | None:
    if value is None:
        return None
    match = _DURATION.match(value.strip())
    if match is None:
        raise UsageError(
            f"--since {value!r} is not a duration.",
            hint="Use a number and s, m, h or d: --since 10m",
        )
    return float(match[1]) * _UNITS[match[2]]


@local.command()
@click.option(
    "-n",
    "--lines",
    type=click.IntRange(0),
    default=50,
    show_default=True,
    help="How many recent lines.",
)
@click.option("-f", "--follow", is_flag=True, help="Keep printing new lines (Ctrl-C to stop).")
@click.option(
    "--function", "function_name", default=None, help="Show this function's log group instead."
)
@click.option(
    "--since", default=None, help="With --function: only events newer than this (10m, 1h)."
)
@click.option(
    "--filter", "filter_pattern", default=None, help="With --function: a CloudWatch filter pattern."
)
@click.option(
    "--region", default="us-east-1", show_default=True, help="With --function: its region."
)
def logs(
    lines: int,
    follow: bool,
    function_name: str | None,
    since: str | None,
    filter_pattern: str | None,
    region: str,
) -> None:
    """Print the local cloud's own log, or (--function) a function's CloudWatch log."""
    from skylift.local import logview, running

    out = Output()
    if function_name is None:
        if since or filter_pattern:
            raise UsageError(
                "--since and --filter apply to a function's log.", hint="Add --function NAME."
            )
        for line in logview.server_log_tail(lines):
            click.echo(line)
        if follow:
            for line in logview.follow_server_log():
                click.echo(line)
        return
    cloud = running()
    if cloud is None:
        raise _not_running()
    seen: set[str] = set()
    window = parse_since(since)
    while True:
        events = logview.function_log_events(
            cloud, function_name, region=region, since_seconds=window, filter_pattern=filter_pattern
        )
        fresh = [event for event in events if event["eventId"] not in seen]
        if not seen:
            fresh = fresh[-lines:] if lines else fresh
        for event in fresh:
            seen.add(event["eventId"])
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(event["timestamp"] / 1000))
            out.out.print(f"[dim]{stamp}[/dim] {_escape(event['message'].rstrip())}")
        if not follow:
            return
        seen.update(event["eventId"] for event in events)
        window = 60.0
        time.sleep(1.0)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _not_running() -> Exception:
    from skylift.errors import LocalCloudError

    return LocalCloudError("No local cloud is running.", hint="Start one with `skylift local up`.")
