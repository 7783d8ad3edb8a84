"""`skylift init --yes` asks nothing, so it does not announce or explain questions."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from skylift.cli.main import cli
from tests.conftest import write


def test_init_yes_does_not_talk_about_questions(project: Path) -> None:
    write(project / "app.py", "from flask import Flask\n\napp = Flask(__name__)\n")
    result = CliRunner().invoke(cli, ["init", "--yes"])
    assert result.exit_code == 0, result.output
    assert "a few questions" not in result.stderr
    assert "copied to every region" not in result.stderr
    assert "every question takes its default" in result.stderr
    assert (project / "skylift.toml").exists()


def test_interactive_init_still_explains(project: Path) -> None:
    write(project / "app.py", "from flask import Flask\n\napp = Flask(__name__)\n")
    result = CliRunner().invoke(cli, ["init"], input="\n" * 8)
    assert result.exit_code == 0, result.output
    assert "a few questions" in result.stderr
    assert "copied to every region" in result.stderr


def test_init_yes_without_an_app_asks_for_nothing(project: Path) -> None:
    result = CliRunner().invoke(cli, ["init", "--yes"])
    assert result.exit_code == 0, result.output
    assert "app object found." in result.stderr
    assert "give the dotted path" not in result.stderr
