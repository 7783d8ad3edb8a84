"""Resource policies enforced where AWS enforces them: API Gateway, Function URLs, EventBridge."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import botocore.exceptions
import pytest

from tests.unit.local.conftest import ACCOUNT, REGION, Local, server_log
from tests.unit.local.test_gateway_rest import ECHO, URI

EXECUTE_API = f"arn:aws:execute-api:{REGION}:{ACCOUNT}"
REST_DENIED = (500, {"message": "Internal server error"})
HTTP_DENIED = (500, {"message": "Internal Server Error"})


@pytest.fixture(scope="module")
def fn(local: Local) -> dict[str, str]:
    """ECHO published as version 1, with the alias ``dev`` on it: its name and ARNs."""
    lam = local.client("lambda")
    name = local.function(ECHO)
    lam.publish_version(FunctionName=name)
    alias = lam.create_alias(FunctionName=name, Name="dev", FunctionVersion="1")["AliasArn"]
    unqualified = alias.rsplit(":", 1)[0]
    return {"name": name, "alias": alias, "unqualified": unqualified, "v1": unqualified + ":1"}


def rest_api(local: Local, target: str, **integration: Any) -> str:
    """A REST API whose ``/{proxy+}`` ANY method proxies to ``target``, stage dev; no permission."""
    apigw = local.client("apigateway")
    api = apigw.create_rest_api(name=f"p-{uuid.uuid4().hex[:6]}")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    proxy = apigw.create_resource(restApiId=api, parentId=root, pathPart="{proxy+}")["id"]
    apigw.put_method(restApiId=api, resourceId=proxy, httpMethod="ANY", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api,
        resourceId=proxy,
        httpMethod="ANY",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=URI.format(arn=target),
        **integration,
    )
    apigw.create_deployment(restApiId=api, stageName="dev")
    return str(api)


def call(local: Local, api: str, path: str = "hello", method: str = "GET") -> tuple[int, Any]:
    result = local.request(f"/restapis/{api}/dev/_user_request_/{path}", method=method)
    return result.status, result.json()


# --- REST APIs ---------------------------------------------------------------------------------


def test_rest_api_without_permission_is_a_500_and_a_log_line(
    local: Local, fn: dict[str, str]
) -> None:
    api = rest_api(local, fn["alias"])
    assert call(local, api) == REST_DENIED
    log = server_log(local)
    assert (
        "Execution failed due to configuration error: Invalid permissions on Lambda function" in log
    )
    assert f"--source-arn '{EXECUTE_API}:{api}/dev/GET/hello'" in log
    local.allow_api(fn["alias"], api)
    assert call(local, api)[0] == 201


def test_source_arn_must_name_this_api_method_and_path(local: Local, fn: dict[str, str]) -> None:
    api = rest_api(local, fn["alias"])
    local.allow_api(fn["alias"], "another1")  # some other API's permission
    assert call(local, api) == REST_DENIED
    local.allow(fn["alias"], source_arn=f"{EXECUTE_API}:{api}/*/GET/hello")
    assert call(local, api)[0] == 201
    assert call(local, api, method="POST") == REST_DENIED
    assert call(local, api, "other") == REST_DENIED


def test_permission_on_the_function_does_not_cover_its_alias(
    local: Local, fn: dict[str, str]
) -> None:
    to_alias = rest_api(local, fn["alias"])
    to_function = rest_api(local, fn["unqualified"])
    local.allow_api(fn["unqualified"], to_alias)
    assert call(local, to_alias) == REST_DENIED
    local.allow_api(fn["alias"], to_function)
    assert call(local, to_function) == REST_DENIED
    local.allow_api(fn["unqualified"], to_function)
    local.allow_api(fn["alias"], to_alias)
    assert call(local, to_function)[0] == 201
    assert call(local, to_alias)[0] == 201


def test_permission_on_a_version(local: Local, fn: dict[str, str]) -> None:
    api = rest_api(local, fn["v1"])
    local.allow(fn["name"], source_arn=f"{EXECUTE_API}:{api}/*", Qualifier="dev")
    assert call(local, api) == REST_DENIED
    local.allow(fn["name"], source_arn=f"{EXECUTE_API}:{api}/*", Qualifier="1")
    assert call(local, api)[0] == 201


def test_removing_the_permission_takes_effect_at_once(local: Local, fn: dict[str, str]) -> None:
    api = rest_api(local, fn["alias"])
    lam = local.client("lambda")
    lam.add_permission(
        FunctionName=fn["name"],
        Qualifier="dev",
        StatementId=f"api-{api}",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"{EXECUTE_API}:{api}/*",
    )
    assert call(local, api)[0] == 201
    lam.remove_permission(FunctionName=fn["name"], Qualifier="dev", StatementId=f"api-{api}")
    assert call(local, api) == REST_DENIED


def test_an_integration_with_a_role_needs_no_resource_policy(
    local: Local, fn: dict[str, str]
) -> None:
    api = rest_api(local, fn["alias"], credentials=f"arn:aws:iam::{ACCOUNT}:role/apigw-invoke")
    assert call(local, api)[0] == 201


AUTHORIZER = """
def handler(event, context):
    return {"principalId": "u", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": event["methodArn"]}]}}
"""


def test_an_authorizer_without_permission_is_a_configuration_error(
    local: Local, fn: dict[str, str]
) -> None:
    lam, apigw = local.client("lambda"), local.client("apigateway")
    authorizer_arn = lam.get_function(FunctionName=local.function(AUTHORIZER))["Configuration"][
        "FunctionArn"
    ]
    api = apigw.create_rest_api(name="guarded")["id"]
    authorizer = apigw.create_authorizer(
        restApiId=api,
        name="a",
        type="TOKEN",
        authorizerUri=URI.format(arn=authorizer_arn),
        identitySource="method.request.header.Authorization",
    )["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(
        restApiId=api,
        resourceId=root,
        httpMethod="GET",
        authorizationType="CUSTOM",
        authorizerId=authorizer,
    )
    apigw.put_integration(
        restApiId=api,
        resourceId=root,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=URI.format(arn=fn["alias"]),
    )
    apigw.create_deployment(restApiId=api, stageName="dev")
    local.allow_api(fn["alias"], api)
    url = f"/restapis/{api}/dev/_user_request_/"
    refused = local.request(url, headers={"Authorization": "t"})
    assert (refused.status, refused.json()) == (500, {"message": None})
    assert refused.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"
    local.allow(authorizer_arn, source_arn=f"{EXECUTE_API}:{api}/authorizers/{authorizer}")
    assert local.request(url, headers={"Authorization": "t"}).status == 201


# --- HTTP APIs -------------------------------------------------------------------------------


def http_api(local: Local, target: str, route: str) -> str:
    v2 = local.client("apigatewayv2")
    api = v2.create_api(Name=f"h-{uuid.uuid4().hex[:6]}", ProtocolType="HTTP")["ApiId"]
    integration = v2.create_integration(
        ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=target, PayloadFormatVersion="2.0"
    )["IntegrationId"]
    v2.create_route(ApiId=api, RouteKey=route, Target=f"integrations/{integration}")
    v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
    return str(api)


def http_call(local: Local, api: str, path: str) -> tuple[int, Any]:
    result = local.request(path, host=f"{api}.execute-api.localhost")
    return result.status, result.json()


def test_http_api_default_route(local: Local, fn: dict[str, str]) -> None:
    api = http_api(local, fn["alias"], "$default")
    assert http_call(local, api, "/anything") == HTTP_DENIED
    local.allow(fn["alias"], source_arn=f"{EXECUTE_API}:{api}/*/$default")
    assert http_call(local, api, "/anything")[0] == 201


def test_http_api_route_source_arn(local: Local, fn: dict[str, str]) -> None:
    api = http_api(local, fn["alias"], "GET /items/{id}")
    local.allow(fn["alias"], source_arn=f"{EXECUTE_API}:{api}/*/POST/items/*")
    assert http_call(local, api, "/items/7") == HTTP_DENIED
    local.allow(fn["alias"], source_arn=f"{EXECUTE_API}:{api}/*/GET/items/*")
    assert http_call(local, api, "/items/7")[0] == 201


# --- Function URLs -----------------------------------------------------------------------------


def test_public_function_url_needs_both_statements(local: Local) -> None:
    lam = local.client("lambda")
    name = local.function(ECHO)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    url_id = url.split("//")[1].split(".")[0]

    def status() -> tuple[int, Any]:
        result = local.request(f"/_lambda_url/{url_id}/")
        return result.status, result.json()

    assert status() == (403, {"Message": "Forbidden"})
    local.allow(name, "*", Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="NONE")
    assert status() == (403, {"Message": "Forbidden"})  # since 2025-10 AWS wants both
    local.allow(name, "*", InvokedViaFunctionUrl=True)
    assert status()[0] == 201
    assert "--invoked-via-function-url" in server_log(local)


# --- EventBridge ---------------------------------------------------------------------------------


@pytest.fixture
def events(local: Local) -> Iterator[Any]:
    client = local.client("events")
    yield client
    for rule in client.list_rules()["Rules"]:
        client.remove_targets(Rule=rule["Name"], Ids=["1"])
        client.delete_rule(Name=rule["Name"])


def invocations(local: Local, name: str, namespace: str = "AWS/Lambda", **dims: str) -> float:
    from tests.unit.local.test_metrics import window

    found = local.client("cloudwatch").get_metric_statistics(
        Namespace=namespace,
        MetricName="Invocations" if namespace == "AWS/Lambda" else "FailedInvocations",
        Dimensions=[{"Name": k, "Value": v} for k, v in (dims or {"FunctionName": name}).items()],
        Period=3600,
        Statistics=["Sum"],
        **window(),
    )
    return float(sum(point["Sum"] for point in found["Datapoints"]))


def advance(local: Local, seconds: float) -> list[dict[str, str]]:
    answer = local.request(
        "/_skylift/clock", method="POST", body=json.dumps({"advance": seconds}).encode()
    )
    return list(answer.json()["fired"])


def schedule(local: Local, events: Any, target: str) -> str:
    name = f"rule-{uuid.uuid4().hex[:8]}"
    arn = events.put_rule(Name=name, ScheduleExpression="rate(1 minute)")["RuleArn"]
    events.put_targets(Rule=name, Targets=[{"Id": "1", "Arn": target}])
    local.cloud.scheduler.tick()
    return str(arn)


def test_schedule_without_permission_does_not_invoke(local: Local, events: Any) -> None:
    name = local.function("def handler(e, c):\n    print('fired by', e['resources'][0])\n")
    arn = local.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    rule = schedule(local, events, arn)
    rule_name = rule.rsplit("/", 1)[1]
    local.allow(arn, "events.amazonaws.com", rule.replace(":rule/", ":rule/other-"))
    assert advance(local, 60) == []  # decided before anything is queued
    assert invocations(local, name, "AWS/Events", RuleName=rule_name) == 1
    assert f"rule {rule_name}: did not invoke {arn}" in server_log(local)
    local.allow(arn, "events.amazonaws.com", rule)
    assert [f["rule"] for f in advance(local, 60)] == [rule_name]
    # counted when the invocation ends, which is a moment after its output
    local.wait_for(lambda: invocations(local, name) == 1)
    local.wait_for(lambda: local.logs_of(name, "fired"))
    assert local.logs_of(name, "fired") == [f"fired by {rule}\n"]


def test_put_events_without_permission_are_not_delivered(local: Local, events: Any) -> None:
    name = local.function("def handler(e, c):\n    print('got', e['detail-type'])\n")
    arn = local.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    rule = f"shop-{uuid.uuid4().hex[:8]}"
    rule_arn = events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["shop"]}))["RuleArn"]
    events.put_targets(Rule=rule, Targets=[{"Id": "1", "Arn": arn}])
    entry = {"Source": "shop", "DetailType": "first", "Detail": "{}"}
    events.put_events(Entries=[entry])
    local.wait_for(lambda: invocations(local, name, "AWS/Events", RuleName=rule) == 1)
    local.allow(name, "events.amazonaws.com", rule_arn)
    events.put_events(Entries=[{**entry, "DetailType": "second"}])
    local.wait_for(lambda: invocations(local, name) == 1)
    local.wait_for(lambda: local.logs_of(name, "got"))
    assert local.logs_of(name, "got") == ["got second\n"]


# --- SNS ------------------------------------------------------------------------------------------


def test_sns_delivers_only_when_the_topic_is_allowed(local: Local) -> None:
    name = local.function(
        "def handler(e, c):\n    print('news', e['Records'][0]['Sns']['Message'])\n"
    )
    arn = local.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    sns = local.client("sns")
    topic = sns.create_topic(Name=f"news-{uuid.uuid4().hex[:6]}")["TopicArn"]
    other = sns.create_topic(Name=f"other-{uuid.uuid4().hex[:6]}")["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=arn)
    local.allow(arn, "sns.amazonaws.com", other)
    sns.publish(TopicArn=topic, Message="first")
    assert invocations(local, name) == 0
    assert f"did not invoke {arn}" in server_log(local)
    local.allow(arn, "sns.amazonaws.com", topic)
    sns.publish(TopicArn=topic, Message="second")
    local.wait_for(lambda: invocations(local, name) == 1)
    local.wait_for(lambda: local.logs_of(name, "news"))
    assert local.logs_of(name, "news") == ["news second\n"]


# --- the policy API --------------------------------------------------------------------------


def test_policies_are_per_qualifier(local: Local) -> None:
    lam = local.client("lambda")
    name = local.function(ECHO)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
    local.allow(f"{name}:live", source_arn=f"{EXECUTE_API}:abc/*", StatementId="same")
    local.allow(name, StatementId="same")  # the same id on another policy is fine
    with pytest.raises(botocore.exceptions.ClientError) as twice:
        local.allow(name, StatementId="same")
    assert twice.value.response["Error"]["Code"] == "ResourceConflictException"

    def sids(**qualifier: str) -> list[tuple[str, str]]:
        policy = json.loads(lam.get_policy(FunctionName=name, **qualifier)["Policy"])
        return [(s["Sid"], s["Resource"].rsplit(":", 1)[1]) for s in policy["Statement"]]

    assert sids(Qualifier="live") == [("same", "live")]
    assert sids() == [("same", name)]
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_policy(FunctionName=name, Qualifier="1")
    lam.remove_permission(FunctionName=name, Qualifier="live", StatementId="same")
    assert sids() == [("same", name)]
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.remove_permission(FunctionName=name, Qualifier="live", StatementId="same")


def test_function_url_statements_read_as_aws_writes_them(local: Local) -> None:
    lam = local.client("lambda")
    name = local.function(ECHO)
    local.allow_public_url(name)
    statements = json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]
    assert [s["Condition"] for s in statements] == [
        {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
        {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}},
    ]
