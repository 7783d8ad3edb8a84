"""Answers piped into `skylift init` read like a terminal session: each on its prompt's line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import write


def _skylift(project: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "skylift.cli.main", *args],
        cwd=project,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_piped_answers_end_their_lines(project: Path) -> None:
    write(project / "app.py", "from flask import Flask\n\napp = Flask(__name__)\n")
    result = _skylift(project, "prod\n" + "\n" * 6, "init")
    assert result.returncode == 0, result.stderr
    assert "[dev]: prod\n" in result.stderr
    assert "[app.app]: app.app\n" in result.stderr
    assert "Write skylift.toml? [Y/n]: y\n" in result.stderr
    assert "[stages.prod]" in (project / "skylift.toml").read_text(encoding="utf-8")


def test_a_closed_pipe_ends_the_prompt_line_before_the_error(project: Path) -> None:
    result = _skylift(project, "", "init")
    assert result.returncode != 0
    assert "[dev]: \nError: init needs answers" in result.stderr
