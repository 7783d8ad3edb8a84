"""``skylift settings``: resolved settings as a table, or only JSON on stdout with --json."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from skylift.cli.main import cli
from tests.conftest import write

SETTINGS = """{
    "base": {"app_function": "app.app", "memory_size": 256, "memroy": 1},
    "dev": {"extends": "base", "aws_region": "eu-west-1"}
}"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def zappa_project(project: Path) -> Path:
    write(project / "zappa_settings.json", SETTINGS)
    return project


def test_json_puts_only_json_on_stdout(zappa_project: Path) -> None:
    result = run("settings", "dev", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stage"] == "dev"
    assert data["function_name"] == f"{data['settings']['project_name']}-dev"
    assert data["settings"]["memory_size"] == 256
    assert data["settings"]["aws_region"] == "eu-west-1"
    assert data["settings"]["timeout_seconds"] == 30  # defaults applied
    assert "memroy" not in data["settings"]
    assert "unknown key 'memroy' is ignored; did you mean 'memory_size'?" in result.stderr


def test_all_stages(zappa_project: Path) -> None:
    result = run("settings", "--all", "--json")
    assert result.exit_code == 0, result.output
    assert [s["stage"] for s in json.loads(result.stdout)] == ["base", "dev"]
    # 'memroy' is written in base and inherited by dev: one warning, naming base
    assert result.stderr.count("unknown key 'memroy'") == 1
    assert "stage 'base': unknown key 'memroy'" in result.stderr


def test_table_marks_defaults(zappa_project: Path) -> None:
    result = run("settings", "dev")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "default" in lines["timeout_seconds"]
    assert "default" not in lines["memory_size"]
    assert "from zappa_settings.json" in result.stdout


def test_quiet_keeps_warnings(zappa_project: Path) -> None:
    result = run("settings", "dev", "--json", "-q")
    assert "Warning:" in result.stderr
    json.loads(result.stdout)


def test_settings_file_option(project: Path) -> None:
    write(project / "conf" / "stages.yaml", "dev:\n  app_function: web.app\n  keep_warm: no\n")
    result = run("settings", "dev", "-s", "conf/stages.yaml", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["settings"]["keep_warm"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["settings"], "Missing the STAGE"),
        (["settings", "dev", "--all"], "either a STAGE or --all"),
        (["settings", "prod"], "Stage 'prod' is not in"),
    ],
)
def test_usage_errors(zappa_project: Path, args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"dev": {"memory_size": 256}}', "stage 'dev': key 'app_function' is missing"),
        ('{"dev": {"app_function": "a.b",\n "memory_size": }}', "invalid JSON at line 2"),
        ('{"dev": {"app_function": "a.b", "timeout_seconds": "30"}}', "key 'timeout_seconds'"),
    ],
)
def test_config_errors_exit_2_without_traceback(project: Path, text: str, message: str) -> None:
    write(project / "zappa_settings.json", text)
    result = run("settings", "dev", "--json")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Hint:" in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""


NO_AWS = """
import sys
from skylift.cli.main import cli
try:
    cli(["settings", "dev", "--json"], standalone_mode=False)
except Exception:
    pass
print(sorted(m for m in sys.modules if m.split(".")[0] in {"boto3", "botocore"}))
"""


@pytest.mark.parametrize(
    "text", ['{"dev": {"app_function": "a.b"}}', '{"dev": {"memory_size": "x"}}']
)
def test_loading_settings_never_touches_aws(project: Path, text: str) -> None:
    write(project / "zappa_settings.json", text)
    result = subprocess.run(
        [sys.executable, "-c", NO_AWS], cwd=project, capture_output=True, text=True, check=False
    )
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr


def test_table_says_where_each_value_comes_from(zappa_project: Path) -> None:
    result = CliRunner().invoke(cli, ["settings", "dev"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.strip()}
    assert rows["key"][-1] == "from"  # the third column has a header
    assert rows["aws_region"][-1] == "file"  # written in dev itself
    assert rows["memory_size"][-2:] == ["stage", "base"]  # inherited through extends
    assert rows["timeout_seconds"][-1] == "default"


@pytest.mark.parametrize("columns", ["80", "70"])
def test_narrow_terminals_never_cut_keys(zappa_project: Path, columns: str) -> None:
    long_value = "Q" * 150
    write(
        zappa_project / "zappa_settings.json",
        SETTINGS.replace('"aws_region": "eu-west-1"', f'"apigateway_description": "{long_value}"'),
    )
    result = CliRunner().invoke(cli, ["settings", "dev"], env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    assert "…" not in result.stdout
    keys = {line.split()[0] for line in result.stdout.splitlines() if line.strip()}
    assert {
        "async_response_table_read_capacity",
        "async_response_table_write_capacity",
        "function_url_cloudfront_config",
    } <= keys
    assert all(len(line) <= int(columns) for line in result.stdout.splitlines())
    # the long value is folded over lines, not cut
    assert "".join(re.findall(r"Q+", result.stdout)) == long_value


def test_a_terminal_too_narrow_for_the_table_gets_one_setting_a_line(zappa_project: Path) -> None:
    result = CliRunner().invoke(cli, ["settings", "dev"], env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "async_response_table_read_capacity = 1  (default)" in lines
    assert "memory_size = 256  (stage base)" in lines
    assert 'aws_region = "eu-west-1"  (file)' in lines
    assert "…" not in result.stdout


def test_values_are_shown_as_written_not_as_markup(project: Path) -> None:
    write(project / "skylift.toml", '[stages.dev]\napp_function = "a.b"\nexclude = ["[bold]x"]\n')
    for columns in ("120", "40"):
        result = CliRunner().invoke(cli, ["settings", "dev"], env={"COLUMNS": columns})
        assert '["[bold]x"]' in result.stdout
