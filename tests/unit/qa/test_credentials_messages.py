"""What a new user without a working AWS setup reads: the real profile name, a way out."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from skylift.cli.main import cli
from tests.conftest import write


def test_unknown_aws_profile_from_the_environment_is_named(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS_PROFILE=nope with no profile_name used to say "The AWS profile 'None' ..."."""
    monkeypatch.setenv("AWS_PROFILE", "nope")
    write(
        project / "skylift.toml",
        '[stages.dev]\napp_function = "app.app"\naws_region = "us-east-1"\n',
    )
    result = CliRunner().invoke(cli, ["status", "dev"])
    assert result.exit_code == 1
    assert "'None'" not in result.stderr
    assert "The AWS profile 'nope' (from the environment's AWS_PROFILE)" in result.stderr
    assert "unset AWS_PROFILE" in result.stderr


def test_no_credentials_hint_offers_the_local_cloud(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    write(
        project / "skylift.toml",
        '[stages.dev]\napp_function = "app.app"\naws_region = "us-east-1"\n',
    )
    result = CliRunner().invoke(cli, ["status", "dev"])
    assert result.exit_code == 1
    assert "No usable AWS credentials were found." in result.stderr
    assert "Add --local" in result.stderr
