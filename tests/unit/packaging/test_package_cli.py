from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from skylift.cli.main import cli

from .helpers import make_wheel


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UV_OFFLINE", "1")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("app = None\n", encoding="utf-8")
    make_wheel(tmp_path / "wheels", "purepkg")
    settings = {
        "dev": {
            "app_function": "app.app",
            "runtime": "python3.12",
            "requirements": ["./wheels/purepkg-1.0-py3-none-any.whl"],
        },
        "broken": {"app_function": "app.app", "requirements": ["no such thing ==="]},
    }
    (tmp_path / "zappa_settings.json").write_text(json.dumps(settings), encoding="utf-8")
    return tmp_path


def test_package_json(project: Path) -> None:
    result = CliRunner().invoke(cli, ["package", "dev", "--json", "-o", "out/app.zip"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["path"] == str(project / "out" / "app.zip")
    assert len(data["content_hash"]) == 64
    assert data["handler"] == "skylift.runtime.handler.lambda_handler"
    assert data["reused"] is False
    assert [d["name"] for d in data["report"]["dependencies"]] == ["purepkg"]
    again = json.loads(
        CliRunner().invoke(cli, ["package", "dev", "--json", "-o", "out/app.zip"]).stdout
    )
    assert again["reused"] is True
    assert again["content_hash"] == data["content_hash"]


def test_package_explain(project: Path) -> None:
    result = CliRunner().invoke(cli, ["package", "dev", "--explain"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Package created" in out
    assert "Project files packed" in out
    assert "app.py" in out
    assert "Left out" in out
    assert "zappa_settings.json" in out
    assert "Largest dependencies (1 in all)" in out
    assert "purepkg" in out


def test_package_error_is_one_message_and_exit_code(project: Path) -> None:
    result = CliRunner().invoke(cli, ["package", "broken"])
    assert result.exit_code == 1
    assert "Error: Cannot resolve the requirements" in result.stderr
    assert "Hint:" in result.stderr
    assert "Traceback" not in result.output


def test_package_explain_prints_names_with_brackets_as_written(project: Path) -> None:
    """Rich markup must not eat data: '[x]' in a file name stays in the listing."""
    (project / "notes[draft].txt").write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["package", "dev", "--explain"])
    assert result.exit_code == 0, result.output
    assert "notes[draft].txt" in result.stdout
