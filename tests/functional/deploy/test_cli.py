"""The deploy verbs on the command line, against moto (packaging replaced by a test zip)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from skylift.cli.main import cli
from skylift.deploy import engine
from tests.conftest import write
from tests.functional.deploy.conftest import aws_client, leftovers, nothing_left
from tests.unit.deploy.support import make_artifact

pytestmark = pytest.mark.functional

SETTINGS = """
[stages.dev]
app_function = "app.app"
aws_region = "us-east-1"
project_name = "hello"
{extra}
"""


@pytest.fixture
def app(project: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A project whose package is a small zip; ``app.code`` picks what the next build holds."""

    class App:
        code = "v1"
        builds = 0

        def build(self) -> Any:
            self.builds += 1
            return make_artifact(project / ".art", self.code)

        def settings(self, extra: str = "") -> None:
            write(project / "skylift.toml", SETTINGS.format(extra=extra))

    state = App()
    state.settings()
    monkeypatch.setattr(engine, "build_artifact", lambda stage, reporter=None: state.build())
    return state


def run(moto: str, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, [*args, "--endpoint-url", moto], input=input)


def test_deploy_prints_urls_and_json(moto: str, app: Any) -> None:
    result = run(moto, "deploy", "dev", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    api_id = aws_client(moto, "apigateway").get_rest_apis()["items"][0]["id"]
    assert data["version"] == "1"
    assert data["urls"][0] == {
        "kind": "rest-api",
        "url": f"{moto}/restapis/{api_id}/dev/_user_request_/",
    }
    assert "[1/18]" in result.stderr

    builds = app.builds
    again = run(moto, "deploy", "dev")
    assert again.exit_code == 1
    assert "already deployed" in again.stderr
    assert "skylift update dev" in again.stderr
    assert "Packaging" not in again.stderr  # refused before packaging
    assert app.builds == builds

    quiet = run(moto, "update", "dev", "-q")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout.splitlines()[0] == data["urls"][0]["url"]
    assert quiet.stderr == ""


def test_warnings_come_once_before_the_steps_and_stay_with_quiet(moto: str, app: Any) -> None:
    app.settings(
        'keep_warm = true\nmemroy = 1\nevents = [{function = "app.tick", expression = "rate(1 minute)"}]'
    )
    warnings = ("Warning: 'events' are not deployed yet", "Warning: keep_warm is on", "'memroy'")
    result = run(moto, "deploy", "dev")
    assert result.exit_code == 0, result.output
    first_step = result.stderr.index("[1/18]")
    for text in warnings:
        assert result.stderr.count(text) == 1, (text, result.stderr)
        assert result.stderr.index(text) < first_step, (text, result.stderr)
    assert result.stderr.index("Packaging") < first_step

    quiet = run(moto, "update", "dev", "-q")
    assert quiet.exit_code == 0, quiet.output
    for text in warnings:
        assert quiet.stderr.count(text) == 1, (text, quiet.stderr)
    assert "Packaging" not in quiet.stderr


def test_dry_run_and_plan_change_nothing(moto: str, app: Any) -> None:
    dry = run(moto, "deploy", "dev", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Plan to deploy stage dev: 18 steps" in dry.stderr
    assert "memory_size: 512" in dry.stderr
    assert nothing_left(moto)

    assert run(moto, "deploy", "dev", "-q").exit_code == 0
    app.settings("memory_size = 1024")
    app.code = "v2"
    planned = run(moto, "plan", "dev", "--json")
    assert planned.exit_code == 0, planned.output
    steps = json.loads(planned.stdout)["steps"]
    assert [(s["action"], s["kind"]) for s in steps] == [
        ("upload", "artifact"),
        ("update code of", "lambda function"),
        ("update configuration of", "lambda function"),
        ("publish", "lambda version"),
        ("point", "lambda alias"),
    ]
    assert steps[2]["changes"] == [{"field": "memory_size", "before": 512, "after": 1024}]
    dry_update = run(moto, "update", "dev", "--dry-run")
    assert "update configuration of lambda function hello-dev" in dry_update.stderr
    lam = aws_client(moto, "lambda")
    assert lam.get_function_configuration(FunctionName="hello-dev")["MemorySize"] == 512


def test_status_rollback_and_undeploy(moto: str, app: Any) -> None:
    assert run(moto, "deploy", "dev", "-q").exit_code == 0
    app.code = "v2"
    assert run(moto, "update", "dev", "-q").exit_code == 0

    status = run(moto, "status", "dev")
    assert status.exit_code == 0, status.output
    assert "live version 2 via alias dev" in status.stdout
    assert "Invocations" in status.stdout
    as_json = json.loads(run(moto, "status", "dev", "--json").stdout)
    assert as_json["live_version"] == "2"

    back = run(moto, "rollback", "dev", "-n", "1")
    assert back.exit_code == 0, back.output
    assert "version 2 → 1" in back.stderr
    refused = run(moto, "rollback", "dev", "-n", "5")
    assert refused.exit_code == 1
    assert "only 0 older version(s) are kept" in refused.stderr
    forward = run(moto, "update", "dev")  # same code: the alias goes back to version 2
    assert "Updated stage dev: hello-dev version 2 (1 step," in forward.stderr

    declined = run(moto, "undeploy", "dev", input="n\n")
    assert declined.exit_code == 1
    assert "Nothing was removed" in declined.stderr
    assert not nothing_left(moto)

    removed = run(moto, "undeploy", "dev", "-y", "--remove-logs")
    assert removed.exit_code == 0, removed.output
    assert nothing_left(moto), leftovers(moto)
    again = run(moto, "undeploy", "dev", "-y")
    assert again.exit_code == 0
    assert "nothing deployed" in again.stderr

    builds = app.builds
    not_there = run(moto, "update", "dev")
    assert not_there.exit_code == 1
    assert "is not deployed" in not_there.stderr
    assert "skylift deploy dev" in not_there.stderr
    assert "Packaging" not in not_there.stderr  # refused before packaging
    assert app.builds == builds


def test_all_stages(moto: str, app: Any, project: Path) -> None:
    write(
        project / "skylift.toml",
        SETTINGS.format(extra="")
        + '\n[stages.prod]\napp_function = "app.app"\naws_region = "us-east-1"\n'
        'project_name = "hello"\napigateway_version = "v2"\n',
    )
    result = run(moto, "deploy", "--all", "--json")
    assert result.exit_code == 0, result.output
    assert [d["function"] for d in json.loads(result.stdout)] == ["hello-dev", "hello-prod"]

    # rollback --all: every stage is checked before any alias moves.
    app.code = "v2"
    assert run(moto, "update", "prod", "-q").exit_code == 0
    refused = run(moto, "rollback", "--all")
    assert refused.exit_code == 1
    assert "only 0 older version(s) are kept" in refused.stderr
    lam = aws_client(moto, "lambda")
    assert lam.get_alias(FunctionName="hello-prod", Name="prod")["FunctionVersion"] == "2"
    assert run(moto, "update", "dev", "-q").exit_code == 0
    back = run(moto, "rollback", "--all", "-n", "1", "--json")
    assert back.exit_code == 0, back.output
    assert [(r["stage"], r["from_version"], r["to_version"]) for r in json.loads(back.stdout)] == [
        ("dev", "2", "1"),
        ("prod", "2", "1"),
    ]
    assert lam.get_alias(FunctionName="hello-prod", Name="prod")["FunctionVersion"] == "1"

    assert run(moto, "undeploy", "--all", "-y", "--remove-logs").exit_code == 0
    assert nothing_left(moto), leftovers(moto)


EVERY_STAGE_VERB = (
    "settings",
    "package",
    "deploy",
    "update",
    "plan",
    "status",
    "rollback",
    "undeploy",
)
NO_AWS_VERBS = ("settings", "package")


def run_verb(moto: str, verb: str, *args: str) -> Result:
    """``verb`` with the moto endpoint where the verb talks to AWS."""
    if verb in NO_AWS_VERBS:
        return CliRunner().invoke(cli, [verb, *args])
    return run(moto, verb, *args)


@pytest.mark.parametrize("verb", EVERY_STAGE_VERB)
def test_without_a_stage_the_only_one_is_used(moto: str, app: Any, verb: str) -> None:
    result = run_verb(moto, verb, *(["-y"] if verb == "undeploy" else []))
    assert "Using stage dev, the only one in skylift.toml" in result.stderr
    # update and rollback run on stage dev, and say it is not deployed yet.
    if verb in ("update", "rollback"):
        assert result.exit_code == 1
        assert "Stage 'dev' is not deployed" in result.stderr
    else:
        assert result.exit_code == 0, result.output


@pytest.mark.parametrize("verb", EVERY_STAGE_VERB)
def test_without_a_stage_several_are_listed(moto: str, app: Any, project: Path, verb: str) -> None:
    write(
        project / "skylift.toml", SETTINGS.format(extra="") + '\n[stages.prod]\nextends = "dev"\n'
    )
    result = run_verb(moto, verb)
    assert result.exit_code == 2, result.output
    assert f"Missing the STAGE to {verb}: skylift.toml has 2 stages: dev, prod." in result.stderr
    also = "" if verb == "package" else ", or use --all"
    assert f"Run `skylift {verb} dev" in result.stderr  # (with the endpoint option, if any)
    assert result.stderr.endswith(f"`{also}.\n")
    assert "Using stage" not in result.stderr
