"""What a user gets when AWS says no: one message, a hint, a non-zero exit; throttling retried."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import boto3
import botocore.awsrequest
import botocore.exceptions
import botocore.retries.standard
import pytest
from click.testing import CliRunner

from skylift.aws import Aws
from skylift.aws.errors import BucketNotOwnedError, NameTakenError, UnknownRegionError
from skylift.cli.main import cli
from skylift.deploy import engine
from skylift.deploy.engine import deploy_stage
from tests.conftest import write
from tests.functional.deploy.conftest import Calls, aws_client

pytestmark = pytest.mark.functional


def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance role either


def test_missing_credentials_is_one_clear_message(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_credentials(monkeypatch)
    write(
        project / "skylift.toml",
        '[stages.dev]\napp_function = "app.app"\naws_region = "us-east-1"\n',
    )
    built: list[str] = []
    monkeypatch.setattr(engine, "build_artifact", lambda stage, reporter=None: built.append("x"))
    # An endpoint off this machine needs real credentials (never reached: none are found).
    endpoint = "https://aws-compatible.invalid"
    result = CliRunner().invoke(cli, ["deploy", "dev", "--endpoint-url", endpoint])
    assert result.exit_code == 1
    assert "Error: No usable AWS credentials were found." in result.stderr
    assert "Hint: Set AWS_ACCESS_KEY_ID" in result.stderr
    assert "Traceback" not in result.output
    assert built == []  # refused before packaging
    assert "Packaging" not in result.stderr


def test_a_local_endpoint_needs_no_credentials(
    moto: str, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Like --local: an endpoint on 127.0.0.1 gets the local cloud's placeholders (even when
    profile_name names a profile this machine does not have)."""
    no_credentials(monkeypatch)
    write(
        project / "skylift.toml",
        '[stages.dev]\napp_function = "app.app"\naws_region = "us-east-1"\nprofile_name = "gone"\n',
    )
    result = CliRunner().invoke(cli, ["status", "dev", "--endpoint-url", moto, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deployed"] is False


def test_unknown_profile(project: Path) -> None:
    write(
        project / "skylift.toml",
        '[stages.dev]\napp_function = "app.app"\naws_region = "us-east-1"\nprofile_name = "nope"\n',
    )
    result = CliRunner().invoke(cli, ["status", "dev"])
    assert result.exit_code == 1
    assert "The AWS profile 'nope' is not in your AWS config" in result.stderr


def test_unknown_region(moto: str, stage_factory: Any) -> None:
    with pytest.raises(UnknownRegionError, match="'us-east-7' is not an AWS region") as err:
        Aws.for_stage(stage_factory(aws_region="us-east-7"), endpoint_url=moto)
    assert "us-east-1" in err.value.message  # the nearest ones are suggested
    assert err.value.exit_code == 2


def test_bucket_owned_by_another_account(
    moto: str, aws_factory: Any, stage_factory: Any, artifact_factory: Any
) -> None:
    creds = aws_client(moto, "sts").assume_role(
        RoleArn="arn:aws:iam::111111111111:role/other", RoleSessionName="other"
    )["Credentials"]
    boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    ).client("s3", endpoint_url=moto, region_name="us-east-1").create_bucket(Bucket="taken-name")
    stage = stage_factory(s3_bucket="taken-name")
    with pytest.raises(BucketNotOwnedError, match="belongs to another AWS account") as err:
        deploy_stage(stage, artifact_factory(), aws_factory(stage))
    assert "s3_bucket" in (err.value.hint or "")


def test_function_name_taken(
    moto: str, aws_factory: Any, stage_factory: Any, artifact_factory: Any, tmp_path: Path
) -> None:
    iam = aws_client(moto, "iam")
    role = iam.create_role(RoleName="someone", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("x.py", "")
    aws_client(moto, "lambda").create_function(
        FunctionName="hello-dev",
        Runtime="python3.12",
        Role=role,
        Handler="x.h",
        Code={"ZipFile": buf.getvalue()},
    )
    stage = stage_factory()
    with pytest.raises(NameTakenError, match="named 'hello-dev' already exists"):
        deploy_stage(stage, artifact_factory(), aws_factory(stage))


def test_throttling_is_retried(
    moto: str,
    calls: Calls,
    stage_factory: Any,
    artifact_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda *_: 0)
    throttled: list[str] = []

    class Raw:
        def stream(self, **_: Any) -> Any:
            yield b'{"message": "Rate exceeded"}'

    def throttle(request: Any, **_: Any) -> Any:
        if "/functions" in request.url and request.method == "POST" and len(throttled) < 2:
            throttled.append(request.url)
            headers = {"x-amzn-ErrorType": "TooManyRequestsException"}
            return botocore.awsrequest.AWSResponse(request.url, 429, headers, Raw())
        return None

    session = boto3.Session()
    session.events.register("before-call", calls.hook)
    session.events.register("before-send.lambda", throttle)
    stage = stage_factory()
    aws = Aws.for_stage(stage, endpoint_url=moto, session=session)
    result = deploy_stage(stage, artifact_factory("v1"), aws)
    assert result.version == "1"
    assert len(throttled) == 2
    assert calls.names.count("CreateFunction") == 1  # one call, retried inside botocore


def test_endpoint_from_environment_and_settings(
    moto: str, stage_factory: Any, artifact_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto)
    stage = stage_factory()
    result = deploy_stage(stage, artifact_factory(), Aws.for_stage(stage))
    assert result.urls[0].url.startswith(f"{moto}/restapis/")
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    services = ("s3", "iam", "sts", "lambda", "apigateway", "apigatewayv2", "logs", "events")
    per_service = stage_factory(aws_endpoint_urls=dict.fromkeys(services, moto))
    again = engine.update_stage(per_service, artifact_factory(), Aws.for_stage(per_service))
    assert not again.changed
    assert again.urls[0].url == result.urls[0].url


def test_a_new_role_not_yet_assumable_is_waited_for(
    moto: str,
    calls: Calls,
    aws_factory: Any,
    stage_factory: Any,
    artifact_factory: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """IAM is eventually consistent: Lambda refuses a role created a second ago."""
    import skylift.aws.awslambda

    monkeypatch.setattr(skylift.aws.awslambda.time, "sleep", lambda _: None)
    refused: list[str] = []

    def not_yet(model: Any, **_: Any) -> None:
        if model.name == "CreateFunction" and len(refused) < 2:
            refused.append(model.name)
            raise botocore.exceptions.ClientError(
                {
                    "Error": {
                        "Code": "InvalidParameterValueException",
                        "Message": "The role defined for the function cannot be assumed by Lambda.",
                    }
                },
                model.name,
            )

    stage = stage_factory()
    aws = aws_factory(stage)
    aws.session.events.register("before-call.lambda.CreateFunction", not_yet)
    assert deploy_stage(stage, artifact_factory(), aws).version == "1"
    assert refused == ["CreateFunction", "CreateFunction"]
