"""The CLI's frame: version, help, error rendering and exit codes."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from skylift import __version__
from skylift.cli.main import EXIT_BUG, cli
from skylift.errors import ConfigError
from tests.conftest import write


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_help_lists_every_verb_with_one_line() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in cli.commands:
        assert name in result.output


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
    for name, command in cli.commands.items():
        assert command.get_short_help_str(limit=80), f"`skylift {name}` has no help line"
    for name in ("init", "settings"):
        line = cli.commands[name].get_short_help_str(limit=70)
        assert not line.endswith("..."), f"`skylift {name}`'s help line is cut: {line}"
