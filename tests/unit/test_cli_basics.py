"""The CLI's frame: version, help, error rendering and exit codes."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from skylift import __version__
from skylift.cli.main import EXIT_BUG, cli
from skylift.cli.verbs import VERBS
from skylift.errors import ConfigError
from tests.conftest import write


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_every_verb_with_one_line() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name, (_, _, line) in VERBS.items():
        assert name in result.output
        assert line[:40] in " ".join(result.output.split())


def test_help_and_version_import_no_verb() -> None:
    """`skylift --help` stays fast: no verb module (nor pydantic, boto3) is imported."""
    code = (
        "import sys; from skylift.cli.main import cli\n"
        "try: cli(['--help'])\n"
        "except SystemExit: pass\n"
        "heavy = [m for m in sys.modules if m.startswith(('pydantic', 'boto', 'skylift.config'))]\n"
        "print('heavy=' + ','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "heavy="


@pytest.mark.parametrize("name", sorted(VERBS))
def test_verb_registry_matches_each_command(name: str) -> None:
    module, attribute, line = VERBS[name]
    command = getattr(importlib.import_module(module), attribute)
    assert isinstance(command, click.Command)
    assert " ".join(command.get_short_help_str(limit=200).split()) == line


def test_user_error_is_message_hint_and_exit_code(project: Path) -> None:
    write(project / "skylift.toml", '[stages.dev]\napp_function = "app.app"\n')
    result = CliRunner().invoke(cli, ["settings", "prod"])
    assert result.exit_code == 2
    assert "Error: Stage 'prod' is not in" in result.stderr
    assert "Hint:" in result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def broken_command() -> click.Command:
    @cli.command("explode-for-test")
    def explode() -> None:
        raise RuntimeError("kaboom")

    yield explode
    cli.commands.pop("explode-for-test")


def test_unexpected_error_asks_for_a_bug_report(broken_command: click.Command) -> None:
    result = CliRunner().invoke(cli, ["explode-for-test"])
    assert result.exit_code == EXIT_BUG
    assert "RuntimeError: kaboom" in result.stderr
    assert "--debug" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback_after_the_verb(broken_command: click.Command) -> None:
    result = CliRunner().invoke(cli, ["explode-for-test", "--debug"])
    assert result.exit_code == EXIT_BUG
    assert "Traceback" in result.stderr


def test_errors_carry_hint_and_exit_code() -> None:
    err = ConfigError("bad", hint="fix it")
    assert (str(err), err.hint, err.exit_code) == ("bad", "fix it", 2)


def test_every_verb_has_one_line_of_help() -> None:
    for name, (_, _, line) in VERBS.items():
        assert line, f"`skylift {name}` has no help line"
        assert not line.endswith("..."), f"`skylift {name}`'s help line is cut: {line}"
