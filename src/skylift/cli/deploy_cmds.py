"""The deploy verbs: deploy, update, plan, status, rollback, undeploy.

Thin: parse, call the library (``skylift.deploy``), render. Every verb gets
its AWS from ``aws_for`` (endpoint options in ``aws_options``), the one place
to add another way of choosing where to deploy.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from skylift.cli.options import (
    all_stages_option,
    chosen_stages,
    json_option,
    settings_file_option,
    stage_argument,
    yes_option,
)
from skylift.cli.output import Output
from skylift.config import Stage
from skylift.errors import Aborted, SkyliftError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from skylift.aws import Aws
    from skylift.deploy.engine import Verb
    from skylift.deploy.plan import Plan
    from skylift.deploy.steps import Step


# -- where to deploy -------------------------------------------------------------


@dataclass
class AwsOptions:
    endpoint_url: str | None = None
    local: bool = False
    announced: bool = False  # "Local cloud: URL" printed once, even with --all


def _aws_options(ctx: click.Context) -> AwsOptions:
    root = ctx.find_root()
    opts = root.meta.get("skylift.aws")
    if not isinstance(opts, AwsOptions):
        opts = root.meta["skylift.aws"] = AwsOptions()
    return opts


def _set_endpoint(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        _aws_options(ctx).endpoint_url = value


def _set_local(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        _aws_options(ctx).local = True


_VERB_IN_HINT = re.compile(r"`(skylift (?:deploy|update|plan|status|rollback|undeploy) [^`]*)`")


def _same_place(hint: str | None, opts: AwsOptions) -> str | None:
    """Commands suggested in a hint, aimed where this one was (--local, --endpoint-url).

    The deploy library cannot know how the command line chose its endpoint; a
    hint that sends a local user to real AWS would be wrong advice.
    """
    if not hint or not (opts.local or opts.endpoint_url):
        return hint
    where = " --local" if opts.local else f" --endpoint-url {opts.endpoint_url}"
    return _VERB_IN_HINT.sub(lambda m: f"`{m.group(1)}{where}`", hint)


def aws_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Options choosing the AWS endpoint (AWS itself unless told otherwise)."""

    @functools.wraps(func)
    def aimed(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SkyliftError as exc:
            exc.hint = _same_place(exc.hint, _aws_options(click.get_current_context()))
            raise

    decorated = click.option(
        "--local",
        is_flag=True,
        expose_value=False,
        callback=_set_local,
        help="Use the local cloud on 127.0.0.1 (started if it is not running).",
    )(aimed)
    return click.option(
        "--endpoint-url",
        metavar="URL",
        expose_value=False,
        callback=_set_endpoint,
        help="Send every AWS call to this endpoint (an AWS-compatible server). "
        "AWS_ENDPOINT_URL[_<SERVICE>] and the aws_endpoint_urls setting work too.",
    )(decorated)


def aws_for(stage: Stage) -> Aws:
    """The AWS of a stage, as the command line chose it."""
    from skylift.aws import Aws

    opts = _aws_options(click.get_current_context())
    if opts.local and opts.endpoint_url:
        raise UsageError(
            "--local and --endpoint-url both choose where to deploy.", hint="Give only one."
        )
    if opts.local:
        from skylift.local import ensure_running

        cloud = ensure_running()
        if cloud.notice:
            Output().warn(cloud.notice)
        if not opts.announced:
            opts.announced = True
            Output().info(f"Local cloud: {cloud.endpoint_url} (stop it: `skylift local down`)")
        kwargs = cloud.client_kwargs()
        credentials = (kwargs["aws_access_key_id"], kwargs["aws_secret_access_key"])
        return Aws.for_stage(stage, endpoint_url=cloud.endpoint_url, credentials=credentials)
    return Aws.for_stage(
        stage, endpoint_url=opts.endpoint_url, fallback_credentials=_local_fallback(opts)
    )


def _local_fallback(opts: AwsOptions) -> tuple[str, str] | None:
    """The local cloud's placeholders, for an endpoint on this machine (it accepts any)."""
    from skylift.local import is_local_endpoint
    from skylift.local.lifecycle import LOCAL_ACCESS_KEY

    if not is_local_endpoint(opts.endpoint_url):
        return None
    return (LOCAL_ACCESS_KEY, LOCAL_ACCESS_KEY)


# -- shared bits -----------------------------------------------------------------


def dry_run_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--dry-run", is_flag=True, help="Show the steps, field by field, and change nothing."
    )(func)


def _progress(out: Output) -> Callable[[int, int, Step], None]:
    def show(index: int, total: int, step: Step) -> None:
        out.info(f"  [dim][{index + 1}/{total}][/dim] {_esc(step.describe())}")

    return show


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _counted(n: int, noun: str) -> str:
    from skylift.deploy.display import counted as count

    return count(n, noun)


def _show_plan(out: Output, plan: Plan) -> None:
    from skylift.deploy.display import plan_lines

    for line in plan_lines(plan):
        out.err.print(line)


def _warn(out: Output, stage: Stage, warnings: tuple[str, ...] = ()) -> None:
    for w in (*stage.warnings, *warnings):
        out.warn(w)


class _Warnings:
    """Warnings of a run, each shown once (stages that extend one another share many)."""

    def __init__(self, out: Output) -> None:
        self.out = out
        self.shown: set[str] = set()

    def __call__(self, warnings: Iterable[str]) -> None:
        for w in warnings:
            if w not in self.shown:
                self.shown.add(w)
                self.out.warn(w)


# -- deploy, update, plan --------------------------------------------------------


def _deploy_verb(
    verb: Verb, stage: str | None, all_stages: bool, settings_file: str | None, dry_run: bool
) -> None:
    from skylift.deploy.desired import unsupported_warnings
    from skylift.deploy.engine import DeployResult, prepared_warnings, run_stage

    out = Output()
    warn = _Warnings(out)
    payload: list[dict[str, Any]] = []
    for st in chosen_stages(stage, all_stages, settings_file, verb):
        # Before anything runs: what the settings say (packaging's warnings follow the build).
        warn((*st.warnings, *unsupported_warnings(st)))
        result = run_stage(
            st,
            aws_for(st),
            verb=verb,
            dry_run=dry_run,
            progress=_progress(out),
            packaging=functools.partial(_packaging, out, st),
            planned=lambda prepared: warn(prepared_warnings(prepared)),
        )
        if not isinstance(result, DeployResult):
            if not out.state.json:
                _show_plan(out, result.plan)
            payload.append(result.plan.to_json())
            continue
        if result.changed:
            what = "Deployed" if verb == "deploy" else "Updated"
            out.info(
                f"{what} stage [bold]{_esc(st.name)}[/bold]: {result.function} version "
                f"{result.version} ({_counted(result.steps, 'step')}, {result.seconds:.1f} s)"
            )
            if result.touched and result.touched.warning:
                out.warn(result.touched.warning)
        else:
            out.info(
                f"Stage [bold]{_esc(st.name)}[/bold] is up to date (version {result.version})."
            )
        payload.append(result.to_json())
    data: Any = payload if all_stages else payload[0]
    out.data(data, lambda: _print_urls(out, payload))


def _packaging(out: Output, stage: Stage) -> None:
    out.info(f"Packaging stage [bold]{_esc(stage.name)}[/bold]…")


def _print_urls(out: Output, payload: list[dict[str, Any]]) -> None:
    for item in payload:
        for url in item.get("urls", []):
            out.out.print(url["url"])


@click.command()
@stage_argument
@all_stages_option
@settings_file_option
@aws_options
@dry_run_option
@json_option
def deploy(stage: str | None, all_stages: bool, settings_file: str | None, dry_run: bool) -> None:
    """Package and deploy a stage for the first time; prints its URL(s)."""
    _deploy_verb("deploy", stage, all_stages, settings_file, dry_run)


@click.command()
@stage_argument
@all_stages_option
@settings_file_option
@aws_options
@dry_run_option
@json_option
def update(stage: str | None, all_stages: bool, settings_file: str | None, dry_run: bool) -> None:
    """Deploy new code and settings to a deployed stage (nothing changed: no AWS writes)."""
    _deploy_verb("update", stage, all_stages, settings_file, dry_run)


@click.command("plan")
@stage_argument
@all_stages_option
@settings_file_option
@aws_options
@json_option
def plan_cmd(stage: str | None, all_stages: bool, settings_file: str | None) -> None:
    """Show what deploy/update would change, step by step and field by field."""
    _deploy_verb("plan", stage, all_stages, settings_file, True)


# -- status -------------------------------------------------------------------------


@click.command()
@stage_argument
@all_stages_option
@settings_file_option
@aws_options
@json_option
def status(stage: str | None, all_stages: bool, settings_file: str | None) -> None:
    """Show a stage: function, versions, URLs, schedules and the last 24 h of metrics."""
    from skylift.deploy.status import stage_status

    out = Output()
    reports = [
        stage_status(st, aws_for(st))
        for st in chosen_stages(stage, all_stages, settings_file, "status")
    ]
    data: Any = [r.to_json() for r in reports] if all_stages else reports[0].to_json()

    def render() -> None:
        from skylift.deploy.display import status_lines

        for report in reports:
            for line in status_lines(report):
                out.out.print(line)

    out.data(data, render)


# -- rollback -----------------------------------------------------------------------


@click.command()
@stage_argument
@click.option(
    "-n",
    "--num-rollback",
    "steps_back",
    type=int,
    default=1,
    show_default=True,
    help="How many versions to go back.",
)
@all_stages_option
@settings_file_option
@aws_options
@dry_run_option
@json_option
def rollback(
    stage: str | None, steps_back: int, all_stages: bool, settings_file: str | None, dry_run: bool
) -> None:
    """Point the stage back N versions (no upload; APIs and triggers follow the alias)."""
    from skylift.deploy.rollback import apply_rollback, prepare_rollback

    out = Output()
    stages = chosen_stages(stage, all_stages, settings_file, "rollback")
    for st in stages:
        _warn(out, st)
    # Every stage is planned before any alias moves: one that cannot go back stops them all.
    prepared = [prepare_rollback(st, aws_for(st), steps_back=steps_back) for st in stages]
    payload = []
    for one in prepared:
        result = apply_rollback(one, dry_run=dry_run)
        if dry_run:
            _show_plan(out, result.plan)
        else:
            out.info(
                f"Rolled back stage [bold]{_esc(one.stage)}[/bold]: {result.function} version "
                f"{result.before} → {result.after}"
            )
        payload.append(result.to_json())
    out.data(payload if all_stages else payload[0], lambda: None)


# -- undeploy -----------------------------------------------------------------------


@click.command()
@stage_argument
@all_stages_option
@settings_file_option
@aws_options
@click.option("--remove-logs", is_flag=True, help="Also delete the function's log group.")
@dry_run_option
@yes_option
@json_option
def undeploy(
    stage: str | None,
    all_stages: bool,
    settings_file: str | None,
    remove_logs: bool,
    dry_run: bool,
    yes: bool,
) -> None:
    """Remove everything skylift made for a stage (asks first unless -y)."""
    from skylift.deploy.undeploy import apply_undeploy, prepare_undeploy

    out = Output()
    payload = []
    for st in chosen_stages(stage, all_stages, settings_file, "undeploy"):
        prepared = prepare_undeploy(st, aws_for(st), remove_logs=remove_logs)
        plan = prepared.plan
        if plan.empty:
            out.info(f"Stage [bold]{_esc(st.name)}[/bold] has nothing deployed; nothing to remove.")
            payload.append({"stage": st.name, "removed": [], "nothing_deployed": True})
            continue
        if dry_run or not yes:
            _show_plan(out, plan)
        if dry_run:
            payload.append(plan.to_json())
            continue
        if not yes:
            _confirm(f"Remove stage '{st.name}' ({_counted(len(plan.steps), 'step')})?")
        result = apply_undeploy(prepared, _progress(out))
        out.info(
            f"Undeployed stage [bold]{_esc(st.name)}[/bold] ({_counted(result.removed, 'step')})."
        )
        payload.append(result.to_json())
    out.data(payload if all_stages else payload[0], lambda: None)


def _confirm(question: str) -> None:
    try:
        confirmed = click.confirm(question, default=False, err=True)
    except click.Abort:
        confirmed = False
    if not confirmed:
        raise Aborted("Nothing was removed.", hint="Pass -y to skip the question.")
