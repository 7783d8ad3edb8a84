"""``skylift package STAGE``: build the stage's deployment package without deploying it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from skylift.cli.options import chosen_stages, json_option, settings_file_option, stage_argument
from skylift.cli.output import Output

if TYPE_CHECKING:
    from skylift.packaging import Artifact


@click.command()
@stage_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the zip here (default: .skylift/build/<function>.zip).",
)
@click.option("--explain", is_flag=True, help="List what went in, what was left out and why.")
@click.option("--refresh", is_flag=True, help="Resolve the requirements again; rebuild.")
@settings_file_option
@json_option
def package(
    stage: str | None, output: Path | None, explain: bool, refresh: bool, settings_file: str | None
) -> None:
    """Build the deployment package of STAGE (a zip Lambda runs as is)."""
    # Imported here so the other verbs do not pay for packaging's imports.
    from skylift.packaging import build
    from skylift.packaging.progress import NullReporter, terminal_reporter

    out = Output()
    [loaded] = chosen_stages(stage, False, settings_file, "package", takes_all=False)
    for warning in loaded.warnings:
        out.warn(warning)
    reporter = NullReporter() if out.state.quiet else terminal_reporter(out.err)
    try:
        artifact = build(loaded, output=output, refresh=refresh, reporter=reporter)
    finally:
        reporter.close()
    for warning in artifact.report.warnings if artifact.report else ():
        out.warn(warning)
    out.data(artifact.to_json(), lambda: _render(out, artifact, explain))


def _render(out: Output, artifact: Artifact, explain: bool) -> None:
    from rich.markup import escape

    from skylift.packaging.limits import UNZIPPED_LIMIT, ZIPPED_LIMIT, human

    if explain and artifact.report:
        _explain(out, artifact)
    verb = "Reused unchanged package" if artifact.reused else "Package created"
    out.out.print(f"[green]{verb}[/green]: {escape(str(artifact.path))}")
    out.out.print(
        f"  {human(artifact.size)} zipped (limit {human(ZIPPED_LIMIT)} direct upload), "
        f"{human(artifact.unzipped_size)} unzipped (limit {human(UNZIPPED_LIMIT)})"
    )
    if artifact.slim_archive:
        out.out.print(
            f"  dependencies (slim_handler): {artifact.slim_archive} ({human(artifact.slim_size)})"
        )
    if artifact.layer_archive:
        out.out.print(
            f"  dependencies (layer): {artifact.layer_archive} ({human(artifact.layer_size)})"
        )
    out.out.print(f"  {artifact.runtime}/{artifact.architecture}, handler {artifact.handler}")
    out.out.print(f"  sha256 {artifact.content_hash}")


def _explain(out: Output, artifact: Artifact) -> None:
    from rich.markup import escape
    from rich.table import Table

    from skylift.packaging.limits import human

    report = artifact.report
    assert report is not None
    # Paths, names and sources are data: "[project].dependencies" is not rich markup.
    out.out.print(
        f"Requirements: {escape(report.requirements)} (resolved with {escape(report.resolver)})"
    )
    files = Table(title="Project files packed", title_justify="left", show_edge=False)
    files.add_column("path")
    files.add_column("size", justify="right")
    for path, size in report.included:
        files.add_row(escape(path), human(size))
    out.out.print(files)
    out.out.print(
        "Also packed: skylift's runtime (skylift/), skylift_settings.json, .skylift/manifest.json"
    )
    left = Table(title="Left out", title_justify="left", show_edge=False)
    left.add_column("path")
    left.add_column("why")
    for path, reason in report.excluded:
        left.add_row(escape(path), escape(reason))
    out.out.print(left)
    deps = Table(
        title=f"Largest dependencies ({len(report.dependencies)} in all)",
        title_justify="left",
        show_edge=False,
    )
    for column in ("name", "version", "wheel tag", "files", "unzipped"):
        deps.add_column(column, justify="right" if column in ("files", "unzipped") else "left")
    for dep in report.largest(20):
        deps.add_row(
            escape(dep.name), escape(dep.version), dep.tag, str(dep.files), human(dep.unzipped)
        )
    out.out.print(deps)
