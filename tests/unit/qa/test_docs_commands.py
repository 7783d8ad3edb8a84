"""Every `skylift VERB` the README and docs show is a command that exists.

The docs must not promise verbs that have not landed (tail, invoke, manage, ...).
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from skylift.cli.main import cli
from skylift.config.schema import StageSettings
from tests.conftest import REPO_ROOT

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]


def _command_lines(text: str) -> list[str]:
    spans = re.findall(r"`([^`\n]+)`", text)
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, re.S)
    lines = [line.strip().removeprefix("$ ") for block in blocks for line in block.splitlines()]
    return [s for s in spans + lines if s.startswith("skylift ")]


def _resolves(words: list[str]) -> bool:
    command: click.Command = cli
    ctx = click.Context(cli)
    for word in words:
        if not isinstance(command, click.Group):
            return True  # the rest are the command's arguments
        sub = command.get_command(ctx, word)
        if sub is None:
            return word.startswith("-") or word.isupper()  # options, or STAGE-like arguments
        command = sub
    return True


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.name)
def test_documented_commands_exist(doc: Path) -> None:
    missing = [
        line
        for line in _command_lines(doc.read_text(encoding="utf-8"))
        if not _resolves(line.split()[1:3])
    ]
    assert missing == []


def test_the_check_sees_a_missing_verb() -> None:
    assert not _resolves(["tail", "dev"])
    assert not _resolves(["local", "nope"])
    assert _resolves(["local", "logs"])
    assert _resolves(["deploy", "dev"])


def test_settings_descriptions_name_no_missing_verb() -> None:
    """The reference (docs/settings.md) is generated from these descriptions."""
    verbs = {"tail", "invoke", "manage", "schedule", "unschedule", "certify", "template"}
    for name, field in StageSettings.model_fields.items():
        mentioned = set(re.findall(r"`(\w+)[ `]", field.description or ""))
        assert not mentioned & verbs, name


def test_the_local_logs_example_finds_failed_requests() -> None:
    """docs/local.md's `--filter` example matches what the function's log holds.

    Its old pattern, '"Hello"', matched nothing: a response body is never logged.
    """
    import shlex

    from skylift.local.logs.filter_pattern import compile_pattern

    text = (REPO_ROOT / "docs" / "local.md").read_text(encoding="utf-8")
    example = next(line for line in _command_lines(text) if "--filter '" in line)
    args = shlex.split(example)
    matches = compile_pattern(args[args.index("--filter") + 1])
    access = (
        '{{"skylift":"access","method":"GET","path":"/hello","status":{},"ms":0.4,'
        '"ip":"127.0.0.1","ua":"curl/8","rid":"r1","bytes":12,"shape":"apigw_v1"}}'
    )
    assert matches(access.format(500))
    assert not matches(access.format(200))
