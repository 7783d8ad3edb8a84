"""Messages of the CLI read as sentences, whatever the verb."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from skylift.cli.main import cli
from tests.conftest import write


def test_a_missing_stage_reads_as_a_sentence_for_every_verb(project: Path) -> None:
    """It said "Missing the STAGE to settings" (and "to status", "to plan")."""
    write(
        project / "skylift.toml",
        '[stages.dev]\napp_function = "app.app"\n[stages.prod]\nextends = "dev"\n',
    )
    result = CliRunner().invoke(cli, ["settings"])
    assert result.exit_code == 2
    assert "Missing the STAGE: `skylift settings` needs one, and skylift.toml has 2 stages" in (
        result.stderr
    )


def test_one_artifact_is_one_object() -> None:
    from skylift.deploy.steps import DeleteObjects

    assert DeleteObjects(bucket="b", keys=("k.zip",)).describe().endswith("s3://b/ (1 object)")
    assert DeleteObjects(bucket="b", keys=("a", "b")).describe().endswith("(2 objects)")


def test_rollback_n_is_checked_before_anything_else(project: Path) -> None:
    """-n 0 used to be refused only after the settings were read and AWS (or the local
    cloud, started for it) was asked about the stage."""
    result = CliRunner().invoke(cli, ["rollback", "dev", "-n", "0", "--local"])
    assert result.exit_code == 2
    assert "0 is not in the range x>=1" in result.stderr
    assert "No settings file" not in result.stderr


def test_no_settings_file_names_the_directory(project: Path) -> None:
    """It said "No settings file in .:"."""
    result = CliRunner().invoke(cli, ["settings", "dev"])
    assert result.exit_code == 2
    assert f"No settings file in {project.resolve()}: looked for skylift.toml" in result.stderr


def test_a_retired_runtime_is_refused_before_aws_is_asked(project: Path) -> None:
    """The settings warn that deploy refuses python3.8; it did so only after asking AWS
    (with --local: after starting the local cloud) and announcing packaging."""
    write(
        project / "skylift.toml",
        '[stages.dev]\napp_function = "app.app"\nruntime = "python3.8"\n',
    )
    # Nothing listens there: any AWS call would fail with "Could not reach".
    result = CliRunner().invoke(cli, ["deploy", "dev", "--endpoint-url", "http://127.0.0.1:9"])
    assert result.exit_code != 0
    assert "Cannot package for runtime 'python3.8'" in result.stderr
    assert "Could not reach" not in result.stderr
    assert "Packaging" not in result.stderr


@pytest.mark.parametrize(
    ("source", "written"),
    [
        ("zappa_settings.json", '"keep_warm": false'),
        ("zappa_settings.yaml", "keep_warm: false"),
        ("skylift.toml", "keep_warm = false"),
    ],
)
def test_keep_warm_advice_is_written_in_the_files_syntax(
    tmp_path: Path, source: str, written: str
) -> None:
    """A zappa_settings.json user was told to 'Set keep_warm = false' (TOML)."""
    from dataclasses import replace

    from skylift.deploy.desired import unsupported_warnings
    from tests.unit.deploy.support import make_stage

    stage = replace(make_stage(tmp_path, keep_warm=True), source=tmp_path / source)
    [warning] = unsupported_warnings(stage)
    assert f"Set {written} to say you do not need it." in warning
