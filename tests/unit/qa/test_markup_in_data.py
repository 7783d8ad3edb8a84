"""Text that comes from the user (paths, names) is printed as is, never read as rich markup."""

from __future__ import annotations

from pathlib import Path

import pytest

from skylift.cli.output import Output
from skylift.cli.package_cmd import _render
from skylift.cli.state import CliState
from skylift.packaging import Artifact


def test_package_prints_dependency_archive_paths_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build = tmp_path / "my[bold]x" / ".skylift" / "build"
    artifact = Artifact(
        path=build / "p-dev.zip",
        content_hash="0" * 64,
        size=10,
        handler="skylift.runtime.handler.lambda_handler",
        runtime="python3.12",
        architecture="x86_64",
        slim_archive=build / "p-dev-deps.zip",
        layer_archive=build / "p-dev.layer.zip",
    )
    _render(Output(CliState()), artifact, explain=False)
    out = capsys.readouterr().out
    assert f"dependencies (slim_handler): {build / 'p-dev-deps.zip'}" in out
    assert f"dependencies (layer): {build / 'p-dev.layer.zip'}" in out
