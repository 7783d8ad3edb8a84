"""`skylift local logs --function NAME` reads the log group in the function's own region."""

from __future__ import annotations

from pathlib import Path

import pytest

from skylift.errors import UsageError
from skylift.local.logview import function_region

FUNCTIONS = [
    {"name": "shop-dev", "region": "eu-west-1"},
    {"name": "both-dev", "region": "us-east-1"},
    {"name": "both-dev", "region": "ap-south-1"},
    {"name": "twice-dev", "region": "eu-west-1"},
    {"name": "twice-dev", "region": "sa-east-1"},
]


def test_a_function_in_one_region_is_read_there() -> None:
    assert function_region("shop-dev", FUNCTIONS) == "eu-west-1"


def test_unknown_functions_and_names_in_the_default_region_use_the_default() -> None:
    assert function_region("gone-dev", FUNCTIONS) == "us-east-1"
    assert function_region("both-dev", FUNCTIONS) == "us-east-1"


def test_a_name_in_several_other_regions_asks_for_one() -> None:
    with pytest.raises(UsageError, match="eu-west-1, sa-east-1") as err:
        function_region("twice-dev", FUNCTIONS)
    assert "--region eu-west-1" in (err.value.hint or "")


def test_logs_before_any_local_cloud_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It printed nothing at all."""
    from click.testing import CliRunner

    from skylift.cli.main import cli

    monkeypatch.setenv("SKYLIFT_HOME", str(tmp_path))
    result = CliRunner().invoke(cli, ["local", "logs"])
    assert result.exit_code == 0
    assert "No local cloud has run here yet" in result.stderr
