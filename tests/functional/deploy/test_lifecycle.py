"""The whole life of a stage against a plain moto server, through the library API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from skylift.deploy.engine import deploy_stage, prepare, update_stage
from skylift.deploy.rollback import rollback_stage
from skylift.deploy.status import stage_status
from skylift.deploy.undeploy import undeploy_stage
from skylift.errors import AlreadyDeployedError, DeployError, NotDeployedError
from tests.functional.deploy.conftest import Calls, leftovers, nothing_left
from tests.functional.deploy.conftest import aws_client as client

pytestmark = pytest.mark.functional


def test_rest_api_lifecycle(
    moto: str, calls: Calls, aws_factory: Any, stage_factory: Any, artifact_factory: Any
) -> None:
    stage = stage_factory()
    aws = aws_factory(stage)
    lam, apigw = client(moto, "lambda"), client(moto, "apigateway")

    # deploy: everything created, the API and permission point at the alias.
    first = deploy_stage(stage, artifact_factory("v1"), aws)
    assert first.version == "1"
    api = apigw.get_rest_apis()["items"][0]
    assert api["tags"] == {"skylift:project": "hello", "skylift:stage": "dev"}
    assert [u.url for u in first.urls] == [
        f"{moto}/restapis/{api['id']}/dev/_user_request_/",
        f"http://{api['id']}.execute-api.localhost:{moto.rsplit(':', 1)[1]}/dev/",
    ]
    resources = apigw.get_resources(restApiId=api["id"], embed=["methods"])["items"]
    uris = {r["path"]: r["resourceMethods"]["ANY"]["methodIntegration"]["uri"] for r in resources}
    assert set(uris) == {"/", "/{proxy+}"}
    assert all(u.endswith("function:hello-dev:dev/invocations") for u in uris.values())
    policy = json.loads(lam.get_policy(FunctionName="hello-dev", Qualifier="dev")["Policy"])
    [statement] = policy["Statement"]
    assert statement["Condition"]["ArnLike"]["AWS:SourceArn"].endswith(f":{api['id']}/*")
    assert lam.get_alias(FunctionName="hello-dev", Name="dev")["FunctionVersion"] == "1"

    with pytest.raises(AlreadyDeployedError, match="already deployed") as refused:
        deploy_stage(stage, artifact_factory("v1"), aws)
    assert refused.value.hint == "Run `skylift update dev` to deploy new code or settings."

    # update, nothing changed: zero mutating calls.
    calls.clear()
    same = update_stage(stage, artifact_factory("v1"), aws)
    assert (same.changed, same.version, calls.mutating) == (False, "1", [])

    # update, new code: upload + UpdateFunctionCode, no configuration update.
    calls.clear()
    second = update_stage(stage, artifact_factory("v2"), aws)
    assert calls.mutating == ["PutObject", "UpdateFunctionCode", "PublishVersion", "UpdateAlias"]
    assert second.version == "2"

    # update, new configuration only: no upload, no UpdateFunctionCode, a new version.
    calls.clear()
    bigger = stage_factory(memory_size=1024, environment_variables={"GREETING": "hi"})
    third = update_stage(bigger, artifact_factory("v2"), aws)
    assert calls.mutating == ["UpdateFunctionConfiguration", "PublishVersion", "UpdateAlias"]
    live = lam.get_function_configuration(FunctionName="hello-dev", Qualifier="dev")
    assert (live["Version"], live["MemorySize"]) == (third.version, 1024)
    assert live["Environment"]["Variables"] == {"GREETING": "hi"}
    v2 = lam.get_function_configuration(FunctionName="hello-dev", Qualifier="2")
    assert v2["MemorySize"] == 512  # versions freeze configuration too

    # status: versions, the live one, URLs.
    report = stage_status(bigger, aws)
    data = report.to_json()
    assert data["deployed"]
    assert data["live_version"] == "3"
    assert [v["version"] for v in data["versions"]] == [1, 2, 3]
    assert [v["live"] for v in data["versions"]] == [False, False, True]
    assert data["config"]["environment"] == ["GREETING"]
    assert data["urls"][0]["url"] == first.urls[0].url
    assert {m["metric"] for m in data["metrics"]} >= {"Invocations", "Errors", "Throttles"}

    # rollback: one call, the alias moves; too far back is refused.
    calls.clear()
    back = rollback_stage(bigger, aws, steps_back=2)
    assert (back.before, back.after, calls.mutating) == ("3", "1", ["UpdateAlias"])
    with pytest.raises(DeployError, match="only 0 older"):
        rollback_stage(bigger, aws, steps_back=1)

    # undeploy: nothing left, and a second undeploy is a no-op.
    undeploy_stage(bigger, aws, remove_logs=True)
    assert nothing_left(moto), leftovers(moto)
    assert undeploy_stage(bigger, aws).plan.empty
    with pytest.raises(NotDeployedError):
        update_stage(stage, artifact_factory("v1"), aws)


def test_http_api_function_url_slim_and_layer_lifecycle(
    moto: str, calls: Calls, aws_factory: Any, stage_factory: Any, artifact_factory: Any
) -> None:
    stage = stage_factory(
        apigateway_version="v2", function_url_enabled=True, slim_handler=True, layers="auto"
    )
    aws = aws_factory(stage)
    artifact = artifact_factory("v1", slim="s1", layer="l1")
    result = deploy_stage(stage, artifact, aws)
    kinds = [u.kind for u in result.urls]
    assert kinds == ["http-api", "http-api", "function-url", "function-url"]
    http_api = client(moto, "apigatewayv2").get_apis()["Items"][0]
    assert result.urls[0].url == f"{moto}/restapis/{http_api['ApiId']}/$default/_user_request_/"
    lam = client(moto, "lambda")
    url = lam.get_function_url_config(FunctionName="hello-dev", Qualifier="dev")["FunctionUrl"]
    url_id = url.split("//", 1)[1].split(".", 1)[0]
    assert result.urls[2].url == f"{moto}/_lambda_url/{url_id}/"
    assert result.urls[3].url == url + "/"
    config = lam.get_function_configuration(FunctionName="hello-dev", Qualifier="dev")
    assert config["Environment"]["Variables"]["SKYLIFT_SLIM_ARCHIVE"].endswith(".slim.zip")
    [layer] = config["Layers"]
    assert f":layer:hello-dev-deps-{artifact.layer_hash[:16]}:" in layer["Arn"]

    calls.clear()
    assert not update_stage(stage, artifact, aws).changed
    assert calls.mutating == []

    # New code, same dependencies: the layer is reused, not published again.
    calls.clear()
    update_stage(stage, artifact_factory("v2", slim="s1", layer="l1"), aws)
    assert "PublishLayerVersion" not in calls.mutating

    undeploy_stage(stage, aws, remove_logs=True)
    assert nothing_left(moto), leftovers(moto)


def test_plan_is_what_apply_runs(
    moto: str, calls: Calls, aws_factory: Any, stage_factory: Any, artifact_factory: Any
) -> None:
    stage = stage_factory()
    aws = aws_factory(stage)
    prepared = prepare(stage, artifact_factory("v1"), aws, verb="plan")
    assert calls.mutating == []
    assert prepared.plan.verb == "deploy"
    assert len(prepared.plan.steps) == 18
    deploy_stage(stage, artifact_factory("v1"), aws)
    assert len(calls.mutating) == 19  # CreateBucket tags the bucket too
    assert prepare(stage, artifact_factory("v1"), aws, verb="plan").plan.empty


def test_undeploy_keeps_what_is_not_its_own(
    moto: str, aws_factory: Any, stage_factory: Any, artifact_factory: Any
) -> None:
    s3 = client(moto, "s3")
    s3.create_bucket(Bucket="shared-code")
    s3.put_object(Bucket="shared-code", Key="other/app.zip", Body=b"x")
    stage = stage_factory(s3_bucket="shared-code")
    aws = aws_factory(stage)
    deploy_stage(stage, artifact_factory("v1"), aws)
    undeploy_stage(stage, aws)
    left = leftovers(moto)
    assert left["buckets"] == ["shared-code"]
    assert left["log_groups"] == ["/aws/lambda/hello-dev"]  # kept without --remove-logs
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket="shared-code")["Contents"]]
    assert keys == ["other/app.zip"]
