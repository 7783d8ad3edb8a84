"""Names, tags, the generated least-privilege policy, and settings deploy refuses."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as hs

from skylift.deploy.names import Names, bounded, stage_slug
from skylift.errors import ConfigError, DeployError
from tests.conftest import write
from tests.unit.deploy.support import ACCOUNT, REGION, make_desired


@given(hs.text(min_size=1, max_size=200))
def test_stage_slug_is_always_a_valid_alias_name(stage: str) -> None:
    slug = stage_slug(stage)
    assert 1 <= len(slug) <= 128
    assert all(c.isascii() and (c.isalnum() or c in "-_") for c in slug)
    assert not slug.isdigit()


def test_stage_slug_examples() -> None:
    assert stage_slug("dev") == "dev"
    assert stage_slug("feature/login.v2") == "feature-login-v2"
    assert stage_slug("2024") == "stage-2024"


def test_bounded_names_stay_unique() -> None:
    a, b = bounded("x" * 70 + "a", 64), bounded("x" * 70 + "b", 64)
    assert len(a) == len(b) == 64
    assert a != b
    assert bounded("short", 64) == "short"


def test_default_bucket_is_a_valid_unique_name() -> None:
    names = Names(project="My_Project", stage="dev", function="my-project-dev" + "x" * 50)
    one, two = (
        names.default_bucket(ACCOUNT, "us-east-1"),
        names.default_bucket(ACCOUNT, "eu-west-1"),
    )
    assert one != two
    assert len(one) <= 63
    assert one == one.lower()


def statements(desired: object) -> list[dict[str, object]]:
    return list(desired.role.policy["Statement"])  # type: ignore[attr-defined]


def test_default_policy_is_logs_and_self_invoke_only(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    group = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/hello-dev"
    fn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:hello-dev"
    assert statements(desired) == [
        {"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": group},
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": f"{group}:*",
        },
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": [fn, f"{fn}:*"]},
    ]
    assert desired.role.assume_policy["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"
    }


def test_policy_grows_exactly_with_the_features(tmp_path: Path) -> None:
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"
    desired = make_desired(
        tmp_path,
        async_source="sns",
        vpc_config={"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
        xray_tracing=True,
        slim_handler=True,
        dead_letter_arn=queue,
        events=[{"function": "app.work", "event_source": {"arn": queue}}],
        extra_permissions=[
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
        ],
    )
    actions = {
        (a if isinstance(a, str) else a[0]): s["Resource"]
        for s in statements(desired)
        for a in [s["Action"]]
    }
    assert actions["sns:Publish"] == f"arn:aws:sns:{REGION}:{ACCOUNT}:hello-dev-skylift-async"
    assert actions["sqs:ReceiveMessage"] == queue
    assert actions["sqs:SendMessage"] == queue
    assert actions["ec2:CreateNetworkInterface"] == "*"
    assert actions["xray:PutTraceSegments"] == "*"
    assert actions["s3:GetObject"] in (
        f"arn:aws:s3:::{desired.bucket.name}/hello-dev/*",
        "arn:aws:s3:::b/*",
    )
    assert "lambda:InvokeFunction" not in actions
    assert desired.function.config.tracing == "Active"
    assert desired.function.config.subnet_ids == ("subnet-1",)


def test_attach_policy_file_is_a_second_inline_policy(tmp_path: Path) -> None:
    write(tmp_path / "extra.json", '{"Version": "2012-10-17", "Statement": []}')
    desired = make_desired(tmp_path, attach_policy="extra.json")
    assert desired.role.attached_policy == {"Version": "2012-10-17", "Statement": []}
    with pytest.raises(ConfigError, match="Cannot read the policy file"):
        make_desired(tmp_path, attach_policy="missing.json")
    write(tmp_path / "bad.json", "{nope")
    with pytest.raises(ConfigError, match="not valid JSON"):
        make_desired(tmp_path, attach_policy="bad.json")


def test_reserved_environment_variables_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="AWS_REGION"):
        make_desired(tmp_path, environment_variables={"AWS_REGION": "x"})


def test_retired_runtime_is_refused(tmp_path: Path) -> None:
    from skylift.deploy.desired import desired_state
    from tests.unit.deploy.support import make_artifact, make_stage

    artifact = make_artifact(tmp_path / "a", runtime="python3.8")
    with pytest.raises(DeployError, match=r"python3\.8"):
        desired_state(
            make_stage(tmp_path), artifact, account=ACCOUNT, region=REGION, partition="aws"
        )


def test_settings_not_deployed_yet_are_warned_about(tmp_path: Path) -> None:
    desired = make_desired(
        tmp_path,
        domain="example.com",
        events=[{"function": "app.tick", "expression": "rate(1 minute)"}],
    )
    assert any("'domain'" in w for w in desired.warnings)
    assert any("'events'" in w for w in desired.warnings)
    assert make_desired(tmp_path).warnings == ()


def test_function_url_cors_and_auth(tmp_path: Path) -> None:
    desired = make_desired(
        tmp_path,
        function_url_enabled=True,
        function_url_config={"authorizer": "AWS_IAM", "cors": {"allowedOrigins": ["https://a"]}},
    )
    assert desired.function_url is not None
    assert desired.function_url.auth_type == "AWS_IAM"
    assert desired.function_url.cors == {
        "AllowCredentials": False,
        "AllowHeaders": ["*"],
        "AllowMethods": ["*"],
        "AllowOrigins": ["https://a"],
        "ExposeHeaders": ["*"],
        "MaxAge": 0,
    }
