"""Pure planning of rollback and undeploy, the failure report, and what the terminal shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import botocore.exceptions
import pytest

from skylift.aws.cloudwatch import Series
from skylift.aws.errors import ThrottledError, translate
from skylift.deploy import steps as st
from skylift.deploy.current import LayerState, RuleState
from skylift.deploy.display import (
    counted,
    metric_lines,
    plan_lines,
    sparkline,
    status_lines,
    to_seconds,
)
from skylift.deploy.execute import StepFailed
from skylift.deploy.names import Names
from skylift.deploy.observe import Lookup
from skylift.deploy.plan import plan
from skylift.deploy.rollback import plan_rollback
from skylift.deploy.status import StatusReport, VersionInfo
from skylift.deploy.undeploy import plan_undeploy
from skylift.errors import AwsError, CredentialsError, DeployError, NotDeployedError, UsageError
from tests.unit.deploy.support import ACCOUNT, deployed, make_desired, make_stage, nothing

NAMES = Names(project="hello", stage="dev", function="hello-dev")


def test_rollback_moves_the_alias_n_versions_back(tmp_path: Path) -> None:
    current = deployed(make_desired(tmp_path), versions=4)
    planned, before, after = plan_rollback(NAMES, current, 2)
    assert (before, after) == ("4", "2")
    [step] = planned.steps
    assert isinstance(step, st.PointAlias)
    assert (step.alias, step.version) == ("dev", "2")


def test_rollback_refuses_beyond_the_oldest_kept(tmp_path: Path) -> None:
    current = deployed(make_desired(tmp_path), versions=3)
    kept = replace(current, versions=current.versions[1:])  # version 1 pruned
    with pytest.raises(DeployError, match=r"only 1 older version\(s\) are kept.*oldest is 2"):
        plan_rollback(NAMES, kept, 2)
    with pytest.raises(UsageError):
        plan_rollback(NAMES, current, 0)
    with pytest.raises(NotDeployedError):
        plan_rollback(NAMES, nothing(make_desired(tmp_path)), 1)


def lookup(tmp_path: Path, **settings: object) -> Lookup:
    return Lookup.for_stage(make_stage(tmp_path, **settings), ACCOUNT, "us-east-1")


def test_undeploy_removes_everything_it_owns(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    current = replace(
        deployed(desired),
        layers=(LayerState("hello-dev-deps-0123456789abcdef", ((1, "a"), (2, "b"))),),
        rules=(
            RuleState("hello-dev-tick", "arn", "rate(1 minute)", True, "", {}, (("1", "x", ""),)),
        ),
    )
    planned = plan_undeploy(lookup(tmp_path), current, remove_logs=True)
    assert [type(s).__name__ for s in planned.steps] == [
        "DeleteRule",
        "DeleteRestApi",
        "DeleteFunction",
        "DeleteLayerVersion",
        "DeleteLayerVersion",
        "DeleteObjects",
        "DeleteBucket",
        "DeleteRolePolicy",
        "DeleteRole",
        "DeleteLogGroup",
    ]


def test_undeploy_leaves_what_is_not_its_own(tmp_path: Path) -> None:
    desired = make_desired(tmp_path, s3_bucket="shared", role_name="team-role")
    current = deployed(desired)
    assert current.function is not None
    assert current.role is not None
    current = replace(
        current,
        function=replace(current.function, tags={}),
        role=replace(current.role, tags={}),
        bucket=replace(current.bucket, tags={}),
    )
    planned = plan_undeploy(lookup(tmp_path, s3_bucket="shared", role_name="team-role"), current)
    assert [type(s).__name__ for s in planned.steps] == [
        "DeleteRestApi",
        "DeleteObjects",
        "DeleteRolePolicy",  # only skylift's own policy on the user's role
    ]
    assert planned.notes == (
        "The function hello-dev lacks skylift's tags for this stage: left alone.",
    )


def test_undeploy_of_nothing_is_empty(tmp_path: Path) -> None:
    assert plan_undeploy(lookup(tmp_path), nothing(make_desired(tmp_path))).empty


def test_failure_report_says_what_was_and_was_not_done(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    steps = list(plan(desired, nothing(desired)).steps)
    cause = AwsError("AWS refused CreateFunction: boom")
    failed = StepFailed("deploy", "dev", steps[7], steps[:7], steps[8:], cause)
    text = failed.message
    assert text.startswith("Deploy of stage 'dev' stopped at step 8 of 18: create lambda function")
    assert "  ✓ create s3 bucket" in text
    assert "  ✗ create lambda function hello-dev" in text
    assert "  · publish lambda version" in text
    assert failed.hint is not None
    assert "`skylift deploy dev`" in failed.hint  # no alias yet: deploy again
    later = StepFailed("deploy", "dev", steps[10], steps[:10], steps[11:], cause)
    assert "`skylift update dev`" in (later.hint or "")  # alias made: deploy would refuse


def test_plan_lines_show_fields_and_hide_secrets(tmp_path: Path) -> None:
    before = make_desired(tmp_path, environment_variables={"TOKEN": "s3cr3t"})
    after = make_desired(tmp_path, environment_variables={"TOKEN": "n3w"}, memory_size=256)
    text = "\n".join(plan_lines(plan(after, deployed(before))))
    assert "Plan to deploy stage [bold]dev[/bold]: 3 steps" in text
    assert "memory_size: 512 → 256" in text
    assert "environment.TOKEN: (old value) → (new value)" in text
    assert "s3cr3t" not in text
    assert "n3w" not in text
    assert "up to date" in plan_lines(plan(after, deployed(after)))[0]


def test_sparkline_and_metrics() -> None:
    assert sparkline([]) == ""
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([0, 5, 10]) == "▁▅█"
    t = datetime(2026, 1, 1, tzinfo=timezone.utc)
    lines = metric_lines(
        [
            Series("Invocations", "Sum", ((t, 3.0), (t, 1.0))),
            Series("Errors", "Sum", ()),
            Series("Duration", "Average", ((t, 10.0),)),
            Series("Duration", "Maximum", ((t, 40.0),)),
        ],
        hours=4,
    )
    assert lines[0].split()[:2] == ["Invocations", "4"]
    assert lines[0].endswith("▁▁█▃")
    assert lines[1].split()[:2] == ["Errors", "0"]
    assert lines[2].split() == ["Duration", "10ms", "max", "40", "ms"]


def client_error(code: str, status: int = 400) -> botocore.exceptions.ClientError:
    return botocore.exceptions.ClientError(
        {
            "Error": {"Code": code, "Message": "msg"},
            "ResponseMetadata": {"HTTPStatusCode": status, "RetryAttempts": 7},
        },
        "CreateFunction",
    )


def test_translate_aws_errors() -> None:
    assert isinstance(translate(botocore.exceptions.NoCredentialsError(), "x"), CredentialsError)
    assert isinstance(translate(client_error("ExpiredToken"), "x"), CredentialsError)
    throttled = translate(client_error("TooManyRequestsException", 429), "creating the function")
    assert isinstance(throttled, ThrottledError)
    assert "after 8 attempts" in throttled.message
    denied = translate(client_error("AccessDeniedException", 403), "creating the function")
    assert "Access denied while creating the function: CreateFunction" in denied.message
    other = translate(client_error("InvalidParameterValueException"), "creating the function")
    assert other.message == (
        "AWS refused CreateFunction while creating the function: InvalidParameterValueException: msg"
    )
    unreachable = translate(
        botocore.exceptions.EndpointConnectionError(endpoint_url="http://x"), "y"
    )
    assert "Could not reach AWS" in unreachable.message


def test_interrupt_midway_is_reported_like_a_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from skylift.deploy import execute as execute_module

    desired = make_desired(tmp_path)
    planned = plan(desired, nothing(desired))
    seen: list[str] = []

    def fake_run(step: st.Step, run: object) -> None:
        seen.append(step.describe())
        if len(seen) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(execute_module, "run_step", fake_run)
    with pytest.raises(StepFailed, match="stopped at step 3 of 18") as failed:
        execute_module.execute(planned, object())  # type: ignore[arg-type]
    assert "Interrupted (Ctrl-C)" in failed.value.message
    assert len(failed.value.done) == 2


def test_counted() -> None:
    assert counted(1, "step") == "1 step"
    assert counted(0, "step") == "0 steps"
    assert counted(18, "step") == "18 steps"


@pytest.mark.parametrize(
    ("stamp", "shown"),
    [
        ("2026-11-24T21:38:03.505589000Z", "2026-11-24T21:38:03Z"),  # moto: nanoseconds
        ("2026-11-24T21:38:03.505+0000", "2026-11-24T21:38:03Z"),  # AWS
        ("2026-11-24T21:38:03+02:00", "2026-11-24T21:38:03+02:00"),
        ("2026-11-24T21:38:03.1-0530", "2026-11-24T21:38:03-05:30"),
        ("2026-11-24T21:38:03", "2026-11-24T21:38:03"),
        ("yesterday", "yesterday"),
    ],
)
def test_timestamps_to_the_second(stamp: str, shown: str) -> None:
    assert to_seconds(stamp) == shown


def test_status_shows_seconds_and_json_keeps_the_full_timestamp() -> None:
    stamp = "2026-11-24T21:38:03.505589000Z"
    report = StatusReport(
        stage="dev",
        function="hello-dev",
        region="us-east-1",
        deployed=True,
        alias="dev",
        live_version="1",
        last_deploy=stamp,
        config={"runtime": "python3.12"},
        versions=[VersionInfo(1, stamp, "skylift dev 0123", "sha", live=True)],
    )
    text = "\n".join(status_lines(report))
    assert "deployed 2026-11-24T21:38:03Z" in text
    assert "     1  2026-11-24T21:38:03Z  skylift dev 0123" in text
    assert ".505" not in text
    data = report.to_json()
    assert data["last_deploy"] == stamp
    assert data["versions"][0]["deployed"] == stamp


def test_retention_is_documented_as_it_is(tmp_path: Path) -> None:
    """Versions kept: num_retained_versions, else num_retained_artifacts (5), the docs agree."""
    from skylift.config import StageSettings
    from tests.conftest import REPO_ROOT

    default = StageSettings.model_fields["num_retained_artifacts"].default
    assert make_desired(tmp_path).retain == default == 5
    assert make_desired(tmp_path, num_retained_versions=2).retain == 2
    described = StageSettings.model_fields["num_retained_versions"].description or ""
    assert "default: all" not in described
    assert f"num_retained_artifacts, {default} by default" in described
    settings_md = (REPO_ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert described in settings_md  # the generated reference says the same
    deploy_md = (REPO_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert f"`num_retained_artifacts` (default {default})" in deploy_md
    assert f"out of the box, {default} versions are kept" in deploy_md
