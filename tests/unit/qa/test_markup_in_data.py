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


def test_local_status_prints_names_and_urls_whole(capsys: pytest.CaptureFixture[str]) -> None:
    from skylift.cli.local_cmd import _render_status

    furl = "http://1475afe9e657173240e0d4038f7d12d9.lambda-url.us-east-1.localhost:4566/"
    rest = "http://nuln78oa1i.execute-api.localhost:4566/a-rather-long-stage-name/"
    payload = {
        "endpoint_url": "http://127.0.0.1:4566",
        "pid": 1,
        "uptime_seconds": 5,
        "environments": [{"function": "fn[x]-dev", "count": 1}],
        "functions": [
            {
                "name": "fn[x]-dev",
                "runtime": "python3.12",
                "versions": ["1"],
                "aliases": {"dev": "1"},
                "function_urls": [{"qualifier": "dev", "url": furl}],
            }
        ],
        "rest_apis": [{"name": "api[bold]name", "urls": {"a-rather-long-stage-name": [rest]}}],
        "http_apis": [],
    }
    _render_status(Output(CliState()), payload)
    lines = capsys.readouterr().out.splitlines()
    assert any(line.rstrip().endswith(furl) for line in lines)
    assert any(line.rstrip().endswith(rest) for line in lines)
    text = "\n".join(lines)
    assert "fn[x]-dev" in text
    assert "api[bold]name (a-rather-long-stage-name)" in text
