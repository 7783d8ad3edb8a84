"""`skylift status` of a stage that is not deployed says how to deploy it, aimed the same way."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from skylift.cli.main import cli
from tests.conftest import write

pytestmark = pytest.mark.functional


def test_status_of_an_undeployed_stage_names_the_deploy_command(moto: str, project: Path) -> None:
    write(
        project / "skylift.toml",
        '[stages.dev]\napp_function = "app.app"\naws_region = "us-east-1"\n',
    )
    result = CliRunner().invoke(cli, ["status", "dev", "--endpoint-url", moto])
    assert result.exit_code == 1, result.output  # as Zappa's: `status || deploy` works
    assert (
        f"Stage 'dev' is not deployed in us-east-1: `skylift deploy dev --endpoint-url {moto}` "
        "deploys it." in result.stdout
    )
    as_json = CliRunner().invoke(cli, ["status", "dev", "--endpoint-url", moto, "--json"])
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout)["deployed"] is False


def test_aws_endpoint_url_on_this_machine_needs_no_credentials(
    moto: str, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As with --endpoint-url: it said 'No usable AWS credentials were found.'"""
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto)
    write(
        project / "skylift.toml",
        '[stages.dev]\napp_function = "app.app"\naws_region = "us-east-1"\n',
    )
    result = CliRunner().invoke(cli, ["status", "dev", "--json"])
    assert result.exit_code == 1, result.output  # reached moto: the stage is not deployed
    assert json.loads(result.stdout)["deployed"] is False
