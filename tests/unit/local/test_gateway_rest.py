"""REST APIs through the local gateway: routing, the v1 event, responses, authorizers, API keys."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from tests.unit.local.conftest import Local

ECHO = """
import json, base64
def handler(event, context):
    if event.get("path") == "/malformed":
        return {"statusCode": 200, "body": {"not": "a string"}}
    if event.get("path") == "/extra":
        return {"statusCode": 200, "body": "x", "cookies": ["a=b"]}
    if event.get("path") == "/boom":
        raise RuntimeError("boom")
    if event.get("path") == "/binary":
        return {"statusCode": 200, "headers": {"Content-Type": "image/png"}, "isBase64Encoded": True,
                "body": base64.b64encode(b"\\x89PNG").decode()}
    return {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json", "X-Single": "one"},
        "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
        "body": json.dumps(event),
    }
"""

URI = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations"


def deploy(local: Local, code: str = ECHO, *, timeout: int = 3, **function: Any) -> tuple[str, str]:
    """A function behind an alias, and a REST API with / and /{proxy+} ANY -> alias, stage dev."""
    lam = local.client("lambda")
    name = local.function(code, timeout=timeout, **function)
    version = lam.publish_version(FunctionName=name)["Version"]
    alias = lam.create_alias(FunctionName=name, Name="dev", FunctionVersion=version)["AliasArn"]
    return rest_api(local, alias), alias


def rest_api(local: Local, alias: str, authorizationType: str = "NONE", **method: Any) -> str:
    apigw = local.client("apigateway")
    api = apigw.create_rest_api(name=f"api-{uuid.uuid4().hex[:6]}", binaryMediaTypes=["image/*"])[
        "id"
    ]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    proxy = apigw.create_resource(restApiId=api, parentId=root, pathPart="{proxy+}")["id"]
    for resource in (root, proxy):
        apigw.put_method(
            restApiId=api,
            resourceId=resource,
            httpMethod="ANY",
            authorizationType=authorizationType,
            **method,
        )
        apigw.put_integration(
            restApiId=api,
            resourceId=resource,
            httpMethod="ANY",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=URI.format(arn=alias),
        )
    apigw.create_deployment(restApiId=api, stageName="dev")
    local.allow_api(alias, api)
    return api


@pytest.fixture(scope="module")
def echo(local: Local) -> str:
    return deploy(local)[0]


def test_path_style_url_and_v1_event(local: Local, echo: str) -> None:
    result = local.request(
        f"/restapis/{echo}/dev/_user_request_/users/42?a=1&a=2&b=x%20y",
        method="POST",
        headers={"X-Custom": "yes", "Content-Type": "application/json"},
        body=b'{"k": "v"}',
    )
    assert result.status == 201
    assert result.headers["X-Single"] == "one"
    event = result.json()
    assert event["resource"] == "/{proxy+}"
    assert event["path"] == "/users/42"
    assert event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"proxy": "users/42"}
    assert event["queryStringParameters"] == {"a": "2", "b": "x y"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": ["x y"]}
    assert event["headers"]["X-Custom"] == "yes"
    assert event["multiValueHeaders"]["X-Custom"] == ["yes"]
    assert event["body"] == '{"k": "v"}'
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["stage"] == "dev"
    assert context["path"] == "/dev/users/42"
    assert context["resourcePath"] == "/{proxy+}"
    assert context["apiId"] == echo
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["requestTimeEpoch"] > 0
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.1"


def test_host_style_url_and_root_resource(local: Local, echo: str) -> None:
    result = local.request("/dev", host=f"{echo}.execute-api.localhost")
    assert result.status == 201
    event = result.json()
    assert (event["resource"], event["path"], event["pathParameters"]) == ("/", "/", None)
    assert event["body"] is None


def test_multi_value_response_headers(local: Local, echo: str) -> None:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", local.port)
    connection.request("GET", f"/restapis/{echo}/dev/_user_request_/x")
    response = connection.getresponse()
    response.read()
    assert response.msg.get_all("Set-Cookie") == ["a=1", "b=2"]
    connection.close()


def test_unknown_stage_is_forbidden(local: Local, echo: str) -> None:
    result = local.request(f"/restapis/{echo}/prod/_user_request_/x")
    assert (result.status, result.json()) == (403, {"message": "Forbidden"})


def test_unknown_api(local: Local) -> None:
    assert local.request("/dev/x", host="nope123.execute-api.localhost").status == 404


@pytest.mark.parametrize("path", ["/malformed", "/extra"])
def test_malformed_proxy_response_is_502(local: Local, echo: str, path: str) -> None:
    result = local.request(f"/restapis/{echo}/dev/_user_request_{path}")
    assert (result.status, result.json()) == (502, {"message": "Internal server error"})


def test_function_error_is_502(local: Local, echo: str) -> None:
    result = local.request(f"/restapis/{echo}/dev/_user_request_/boom")
    assert (result.status, result.json()) == (502, {"message": "Internal server error"})


def test_binary_response_follows_binary_media_types(local: Local, echo: str) -> None:
    binary = local.request(
        f"/restapis/{echo}/dev/_user_request_/binary", headers={"Accept": "image/png"}
    )
    assert binary.body == b"\x89PNG"
    text = local.request(
        f"/restapis/{echo}/dev/_user_request_/binary", headers={"Accept": "text/html"}
    )
    # the Content-Type (image/png) also matches image/*, so API Gateway converts either way
    assert text.body == b"\x89PNG"


def test_binary_request_body_is_base64(local: Local, echo: str) -> None:
    result = local.request(
        f"/restapis/{echo}/dev/_user_request_/upload",
        method="PUT",
        headers={"Content-Type": "image/png"},
        body=b"\x00\xff",
    )
    event = result.json()
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\xff"


def test_missing_method_and_resource(local: Local) -> None:
    apigw = local.client("apigateway")
    name = local.function(ECHO)
    arn = local.client("lambda").get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    api = apigw.create_rest_api(name="bare")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    known = apigw.create_resource(restApiId=api, parentId=root, pathPart="known")["id"]
    apigw.put_method(restApiId=api, resourceId=known, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api,
        resourceId=known,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=URI.format(arn=arn),
    )
    apigw.create_deployment(restApiId=api, stageName="dev")
    local.allow_api(arn, api)
    assert local.request(f"/restapis/{api}/dev/_user_request_/known").status == 201
    for method, path in (("GET", "unknown"), ("POST", "known"), ("GET", "")):
        result = local.request(f"/restapis/{api}/dev/_user_request_/{path}", method=method)
        assert (result.status, result.json()) == (403, {"message": "Missing Authentication Token"})


def test_binary_media_types_set_by_patch(local: Local) -> None:
    apigw = local.client("apigateway")
    api = apigw.create_rest_api(name="patched")["id"]
    apigw.update_rest_api(
        restApiId=api,
        patchOperations=[{"op": "add", "path": "/binaryMediaTypes/application~1octet-stream"}],
    )
    assert apigw.get_rest_api(restApiId=api)["binaryMediaTypes"] == ["application/octet-stream"]
    apigw.update_rest_api(
        restApiId=api,
        patchOperations=[{"op": "remove", "path": "/binaryMediaTypes/application~1octet-stream"}],
    )
    assert apigw.get_rest_api(restApiId=api).get("binaryMediaTypes", []) == []


def test_specific_resources_beat_the_proxy(local: Local) -> None:
    lam = local.client("lambda")
    apigw = local.client("apigateway")
    name = local.function(ECHO)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    api = rest_api(local, arn)
    root = apigw.get_resources(restApiId=api)["items"]
    root_id = next(r["id"] for r in root if r["path"] == "/")
    users = apigw.create_resource(restApiId=api, parentId=root_id, pathPart="users")["id"]
    user = apigw.create_resource(restApiId=api, parentId=users, pathPart="{id}")["id"]
    apigw.put_method(restApiId=api, resourceId=user, httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api,
        resourceId=user,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=URI.format(arn=arn),
    )
    event = local.request(f"/restapis/{api}/dev/_user_request_/users/7").json()
    assert (event["resource"], event["pathParameters"]) == ("/users/{id}", {"id": "7"})
    other = local.request(f"/restapis/{api}/dev/_user_request_/users/7/more").json()
    assert other["resource"] == "/{proxy+}"


def test_integration_timeout_is_504(local: Local) -> None:
    code = "import time\ndef handler(e, c):\n    time.sleep(3)\n    return {'statusCode': 200, 'body': 'late'}\n"
    api, alias = deploy(local, code, timeout=10)
    apigw = local.client("apigateway")
    for resource in apigw.get_resources(restApiId=api)["items"]:
        apigw.put_integration(
            restApiId=api,
            resourceId=resource["id"],
            httpMethod="ANY",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=URI.format(arn=alias),
            timeoutInMillis=1000,
        )
    result = local.request(f"/restapis/{api}/dev/_user_request_/slow")
    assert (result.status, result.json()) == (504, {"message": "Endpoint request timed out"})


def test_mock_integration_answers_cors_preflight(local: Local) -> None:
    apigw = local.client("apigateway")
    api = apigw.create_rest_api(name="cors")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(restApiId=api, resourceId=root, httpMethod="OPTIONS", authorizationType="NONE")
    apigw.put_integration(
        restApiId=api,
        resourceId=root,
        httpMethod="OPTIONS",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    apigw.put_method_response(
        restApiId=api, resourceId=root, httpMethod="OPTIONS", statusCode="200"
    )
    apigw.put_integration_response(
        restApiId=api,
        resourceId=root,
        httpMethod="OPTIONS",
        statusCode="200",
        responseParameters={"method.response.header.Access-Control-Allow-Origin": "'*'"},
        responseTemplates={"application/json": ""},
    )
    apigw.create_deployment(restApiId=api, stageName="dev")
    result = local.request(f"/restapis/{api}/dev/_user_request_/", method="OPTIONS")
    assert result.status == 200
    assert result.headers["Access-Control-Allow-Origin"] == "*"


def test_api_key_required(local: Local) -> None:
    lam = local.client("lambda")
    apigw = local.client("apigateway")
    name = local.function(ECHO)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    api = rest_api(local, arn, apiKeyRequired=True)
    key = apigw.create_api_key(name="k", enabled=True)
    plan = apigw.create_usage_plan(name="p", apiStages=[{"apiId": api, "stage": "dev"}])
    apigw.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    url = f"/restapis/{api}/dev/_user_request_/x"
    assert local.request(url).status == 403
    assert local.request(url, headers={"x-api-key": "wrong"}).status == 403
    result = local.request(url, headers={"x-api-key": key["value"]})
    assert result.status == 201
    assert result.json()["requestContext"]["identity"]["apiKeyId"] == key["id"]


def test_aws_iam_needs_a_signature(local: Local) -> None:
    lam = local.client("lambda")
    name = local.function(ECHO)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    api = rest_api(local, arn, authorizationType="AWS_IAM")
    url = f"/restapis/{api}/dev/_user_request_/x"
    assert local.request(url).json() == {"message": "Missing Authentication Token"}
    signed = local.request(
        url,
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20300101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=x"
        },
    )
    assert signed.status == 201
    assert signed.json()["requestContext"]["identity"]["accessKey"] == "AKIDEXAMPLE"


AUTHORIZER = """
def handler(event, context):
    token = event.get("authorizationToken") or event["headers"].get("Authorization")
    if token == "deny":
        effect = "Deny"
    elif token == "allow":
        effect = "Allow"
    else:
        raise Exception("Unauthorized")
    return {
        "principalId": "user-1",
        "policyDocument": {"Version": "2012-10-17", "Statement": [
            {"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"].rsplit("/", 2)[0] + "/*"}]},
        "context": {"tier": "gold", "n": 3},
    }
"""


@pytest.mark.parametrize("kind", ["TOKEN", "REQUEST"])
def test_lambda_authorizer(local: Local, kind: str) -> None:
    lam = local.client("lambda")
    apigw = local.client("apigateway")
    authorizer_fn = local.function(AUTHORIZER)
    authorizer_arn = lam.get_function(FunctionName=authorizer_fn)["Configuration"]["FunctionArn"]
    target = local.function(ECHO)
    target_arn = lam.get_function(FunctionName=target)["Configuration"]["FunctionArn"]
    api = apigw.create_rest_api(name="guarded")["id"]
    authorizer = apigw.create_authorizer(
        restApiId=api,
        name="a",
        type=kind,
        authorizerUri=URI.format(arn=authorizer_arn),
        identitySource="method.request.header.Authorization",
        authorizerResultTtlInSeconds=0,
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
        uri=URI.format(arn=target_arn),
    )
    apigw.create_deployment(restApiId=api, stageName="dev")
    local.allow_api(target_arn, api)
    local.allow_api(authorizer_arn, api)
    url = f"/restapis/{api}/dev/_user_request_/"
    assert (local.request(url).status, local.request(url).json()) == (
        401,
        {"message": "Unauthorized"},
    )
    assert local.request(url, headers={"Authorization": "nonsense"}).status == 401
    denied = local.request(url, headers={"Authorization": "deny"})
    assert denied.status == 403
    assert "explicit deny" in denied.json()["Message"]
    allowed = local.request(url, headers={"Authorization": "allow"})
    assert allowed.status == 201
    context = allowed.json()["requestContext"]["authorizer"]
    assert (context["principalId"], context["tier"], context["n"]) == ("user-1", "gold", 3)


def test_cognito_authorizer_reads_claims(local: Local) -> None:
    lam = local.client("lambda")
    apigw = local.client("apigateway")
    target = local.function(ECHO)
    target_arn = lam.get_function(FunctionName=target)["Configuration"]["FunctionArn"]
    api = apigw.create_rest_api(name="cognito")["id"]
    authorizer = apigw.create_authorizer(
        restApiId=api,
        name="c",
        type="COGNITO_USER_POOLS",
        providerARNs=["arn:aws:cognito-idp:us-east-1:123456789012:userpool/x"],
        identitySource="method.request.header.Authorization",
    )["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    apigw.put_method(
        restApiId=api,
        resourceId=root,
        httpMethod="GET",
        authorizationType="COGNITO_USER_POOLS",
        authorizerId=authorizer,
    )
    apigw.put_integration(
        restApiId=api,
        resourceId=root,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=URI.format(arn=target_arn),
    )
    apigw.create_deployment(restApiId=api, stageName="dev")
    local.allow_api(target_arn, api)
    claims = (
        base64.urlsafe_b64encode(json.dumps({"sub": "abc", "exp": 4102444800}).encode())
        .decode()
        .rstrip("=")
    )
    token = f"eyJhbGciOiJub25lIn0.{claims}.sig"
    url = f"/restapis/{api}/dev/_user_request_/"
    assert local.request(url).status == 401
    result = local.request(url, headers={"Authorization": token})
    assert result.json()["requestContext"]["authorizer"]["claims"]["sub"] == "abc"
    expired = (
        base64.urlsafe_b64encode(json.dumps({"sub": "abc", "exp": 1}).encode()).decode().rstrip("=")
    )
    assert local.request(url, headers={"Authorization": f"x.{expired}.y"}).status == 401
