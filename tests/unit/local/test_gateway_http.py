"""HTTP APIs and Function URLs through the local gateway (payload format 2.0)."""

from __future__ import annotations

import base64
import http.client
import json
import uuid
from typing import Any

import pytest

from tests.unit.local.conftest import Local

ECHO = """
import json
def handler(event, context):
    path = event.get("rawPath") or event.get("path")
    if path.endswith("/boom"):
        raise RuntimeError("boom")
    if path.endswith("/bare"):
        return {"just": "data"}
    if path.endswith("/text"):
        return "plain"
    if path.endswith("/bad"):
        return {"statusCode": "teapot"}
    return {"statusCode": 200, "cookies": ["a=1", "b=2"], "headers": {"X-Echo": "yes"}, "body": json.dumps(event)}
"""


def function(local: Local, code: str = ECHO) -> tuple[str, str]:
    lam = local.client("lambda")
    name = local.function(code)
    version = lam.publish_version(FunctionName=name)["Version"]
    alias = lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)["AliasArn"]
    return name, alias


def http_api(
    local: Local,
    alias: str,
    *,
    routes: tuple[str, ...] = ("$default",),
    stage: str = "$default",
    payload: str = "2.0",
    **api: Any,
) -> str:
    v2 = local.client("apigatewayv2")
    api_id = v2.create_api(Name=f"h-{uuid.uuid4().hex[:6]}", ProtocolType="HTTP", **api)["ApiId"]
    integration = v2.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=alias,
        PayloadFormatVersion=payload,
    )
    for route in routes:
        v2.create_route(
            ApiId=api_id, RouteKey=route, Target=f"integrations/{integration['IntegrationId']}"
        )
    v2.create_stage(ApiId=api_id, StageName=stage, AutoDeploy=True)
    local.allow_api(alias, api_id)
    return str(api_id)


@pytest.fixture(scope="module")
def echo(local: Local) -> str:
    return function(local)[1]


def test_default_stage_v2_event(local: Local, echo: str) -> None:
    api = http_api(local, echo)
    result = local.request(
        "/hello/world?a=1&a=2&b=3",
        host=f"{api}.execute-api.localhost",
        headers={"Cookie": "c1=x; c2=y", "X-Two": "v"},
        method="POST",
        body=b"payload",
    )
    assert result.status == 200
    assert result.headers["X-Echo"] == "yes"
    event = result.json()
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["rawPath"] == "/hello/world"
    assert event["rawQueryString"] == "a=1&a=2&b=3"
    assert event["queryStringParameters"] == {"a": "1,2", "b": "3"}
    assert event["cookies"] == ["c1=x", "c2=y"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-two"] == "v"
    assert event["body"] == "payload"
    assert event["isBase64Encoded"] is False
    http_context = event["requestContext"]["http"]
    assert (http_context["method"], http_context["path"], http_context["sourceIp"]) == (
        "POST",
        "/hello/world",
        "127.0.0.1",
    )
    assert event["requestContext"]["stage"] == "$default"
    assert event["requestContext"]["apiId"] == api


def test_path_style_default_stage_and_set_cookie(local: Local, echo: str) -> None:
    api = http_api(local, echo)
    connection = http.client.HTTPConnection("127.0.0.1", local.port)
    connection.request("GET", f"/restapis/{api}/$default/_user_request_/x")
    response = connection.getresponse()
    event = json.loads(response.read())
    assert event["rawPath"] == "/x"
    assert response.msg.get_all("Set-Cookie") == ["a=1", "b=2"]
    connection.close()


def test_named_stage_and_routes_with_parameters(local: Local, echo: str) -> None:
    api = http_api(local, echo, routes=("GET /items/{id}", "ANY /{proxy+}"), stage="prod")
    host = f"{api}.execute-api.localhost"
    event = local.request("/prod/items/9", host=host).json()
    assert (event["routeKey"], event["pathParameters"], event["rawPath"]) == (
        "GET /items/{id}",
        {"id": "9"},
        "/prod/items/9",
    )
    assert event["requestContext"]["stage"] == "prod"
    other = local.request("/prod/items/9", host=host, method="DELETE").json()
    assert other["routeKey"] == "ANY /{proxy+}"
    assert local.request("/staging/items/9", host=host).status == 404


def test_no_matching_route_is_404(local: Local, echo: str) -> None:
    api = http_api(local, echo, routes=("GET /only",))
    result = local.request("/other", host=f"{api}.execute-api.localhost")
    assert (result.status, result.json()) == (404, {"message": "Not Found"})


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/boom", 500, b'{"message": "Internal Server Error"}'),
        ("/bad", 500, b'{"message": "Internal Server Error"}'),
        ("/bare", 200, b'{"just": "data"}'),
        ("/text", 200, b"plain"),
    ],
)
def test_v2_response_rules(local: Local, echo: str, path: str, status: int, body: bytes) -> None:
    api = http_api(local, echo)
    result = local.request(path, host=f"{api}.execute-api.localhost")
    assert (result.status, result.body) == (status, body)


def test_payload_format_1_0(local: Local, echo: str) -> None:
    api = http_api(local, echo, payload="1.0")
    event = local.request("/v1/path?q=1", host=f"{api}.execute-api.localhost").json()
    assert event["version"] == "1.0"
    assert event["path"] == "/v1/path"
    assert event["queryStringParameters"] == {"q": "1"}


def test_binary_request_body(local: Local, echo: str) -> None:
    api = http_api(local, echo)
    event = local.request(
        "/up",
        host=f"{api}.execute-api.localhost",
        method="POST",
        headers={"Content-Type": "application/octet-stream"},
        body=b"\x00\x01",
    ).json()
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\x01"


def test_cors_configuration(local: Local, echo: str) -> None:
    api = http_api(
        local,
        echo,
        CorsConfiguration={
            "AllowOrigins": ["https://app.example"],
            "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["content-type"],
            "MaxAge": 60,
        },
    )
    host = f"{api}.execute-api.localhost"
    preflight = local.request(
        "/x",
        host=host,
        method="OPTIONS",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://app.example"
    assert preflight.headers["Access-Control-Max-Age"] == "60"
    simple = local.request("/x", host=host, headers={"Origin": "https://app.example"})
    assert simple.headers["Access-Control-Allow-Origin"] == "https://app.example"
    foreign = local.request("/x", host=host, headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in foreign.headers


def _jwt(claims: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"eyJhbGciOiJub25lIn0.{body}.sig"


def test_jwt_authorizer(local: Local, echo: str) -> None:
    v2 = local.client("apigatewayv2")
    api = v2.create_api(Name="jwt", ProtocolType="HTTP")["ApiId"]
    integration = v2.create_integration(
        ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=echo, PayloadFormatVersion="2.0"
    )
    authorizer = v2.create_authorizer(
        ApiId=api,
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        Name="jwt",
        JwtConfiguration={"Audience": ["my-app"], "Issuer": "https://issuer.example"},
    )["AuthorizerId"]
    v2.create_route(
        ApiId=api,
        RouteKey="$default",
        Target=f"integrations/{integration['IntegrationId']}",
        AuthorizationType="JWT",
        AuthorizerId=authorizer,
    )
    v2.create_stage(ApiId=api, StageName="$default")
    local.allow_api(echo, api)
    host = f"{api}.execute-api.localhost"
    good = {
        "iss": "https://issuer.example",
        "aud": "my-app",
        "sub": "u1",
        "exp": 4102444800,
        "scope": "read write",
    }
    assert local.request("/", host=host).status == 401
    assert (
        local.request(
            "/", host=host, headers={"Authorization": "Bearer " + _jwt({**good, "aud": "other"})}
        ).status
        == 401
    )
    assert (
        local.request(
            "/", host=host, headers={"Authorization": "Bearer " + _jwt({**good, "exp": 1})}
        ).status
        == 401
    )
    event = local.request("/", host=host, headers={"Authorization": "Bearer " + _jwt(good)}).json()
    jwt = event["requestContext"]["authorizer"]["jwt"]
    assert (jwt["claims"]["sub"], jwt["scopes"]) == ("u1", ["read", "write"])


def test_lambda_authorizer_simple_response(local: Local, echo: str) -> None:
    authorizer_code = """
def handler(event, context):
    return {"isAuthorized": event["identitySource"] == ["open sesame"], "context": {"who": "ali"}}
"""
    lam = local.client("lambda")
    name = local.function(authorizer_code)
    arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    v2 = local.client("apigatewayv2")
    api = v2.create_api(Name="lam", ProtocolType="HTTP")["ApiId"]
    integration = v2.create_integration(
        ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=echo, PayloadFormatVersion="2.0"
    )
    authorizer = v2.create_authorizer(
        ApiId=api,
        AuthorizerType="REQUEST",
        IdentitySource=["$request.header.Authorization"],
        Name="l",
        AuthorizerUri=f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{arn}/invocations",
        AuthorizerPayloadFormatVersion="2.0",
        EnableSimpleResponses=True,
    )["AuthorizerId"]
    v2.create_route(
        ApiId=api,
        RouteKey="$default",
        Target=f"integrations/{integration['IntegrationId']}",
        AuthorizationType="CUSTOM",
        AuthorizerId=authorizer,
    )
    v2.create_stage(ApiId=api, StageName="$default")
    local.allow_api(echo, api)
    local.allow_api(arn, api)
    host = f"{api}.execute-api.localhost"
    assert local.request("/", host=host).status == 401
    assert local.request("/", host=host, headers={"Authorization": "wrong"}).status == 403
    event = local.request("/", host=host, headers={"Authorization": "open sesame"}).json()
    assert event["requestContext"]["authorizer"]["lambda"] == {"who": "ali"}


def test_function_url_on_an_alias(local: Local, echo: str) -> None:
    lam = local.client("lambda")
    name = echo.split(":")[6]
    config = lam.create_function_url_config(FunctionName=name, Qualifier="live", AuthType="NONE")
    local.allow_public_url(name, "live")
    url = config["FunctionUrl"]
    assert url.startswith("http://")
    assert url.endswith(f".lambda-url.us-east-1.localhost:{local.port}/")
    assert config["FunctionArn"].endswith(":live")
    url_id = url.split("//")[1].split(".")[0]
    event = local.request("/a/b?x=1", host=f"{url_id}.lambda-url.us-east-1.localhost").json()
    assert (event["rawPath"], event["rawQueryString"], event["routeKey"]) == (
        "/a/b",
        "x=1",
        "$default",
    )
    assert event["requestContext"]["apiId"] == url_id
    assert event["requestContext"]["accountId"] == "anonymous"
    path_style = local.request(f"/_lambda_url/{url_id}/c?y=2").json()
    assert (path_style["rawPath"], path_style["rawQueryString"]) == ("/c", "y=2")
    assert local.request(f"/_lambda_url/{url_id}/boom").status == 502


def test_function_url_with_iam_auth_and_cors(local: Local) -> None:
    lam = local.client("lambda")
    name, _ = function(local)
    config = lam.create_function_url_config(
        FunctionName=name, AuthType="AWS_IAM", Cors={"AllowOrigins": ["*"], "AllowMethods": ["GET"]}
    )
    url_id = config["FunctionUrl"].split("//")[1].split(".")[0]
    assert local.request(f"/_lambda_url/{url_id}/").status == 403
    signed = local.request(
        f"/_lambda_url/{url_id}/",
        headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20300101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=x",
            "Origin": "https://x.example",
        },
    )
    assert signed.status == 200
    assert signed.headers["Access-Control-Allow-Origin"] == "*"
    preflight = local.request(
        f"/_lambda_url/{url_id}/",
        method="OPTIONS",
        headers={"Origin": "https://x.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status == 204


def test_unknown_function_url(local: Local) -> None:
    assert local.request("/_lambda_url/0123456789abcdef/").status == 404


def test_quick_create_makes_route_integration_and_stage(local: Local, echo: str) -> None:
    v2 = local.client("apigatewayv2")
    api = v2.create_api(Name="quick", ProtocolType="HTTP", Target=echo)["ApiId"]
    local.allow_api(echo, api)
    assert [r["RouteKey"] for r in v2.get_routes(ApiId=api)["Items"]] == ["$default"]
    assert [s["StageName"] for s in v2.get_stages(ApiId=api)["Items"]] == ["$default"]
    integration = v2.get_integrations(ApiId=api)["Items"][0]
    assert (integration["IntegrationType"], integration["PayloadFormatVersion"]) == (
        "AWS_PROXY",
        "2.0",
    )
    event = local.request("/quick/path", host=f"{api}.execute-api.localhost").json()
    assert event["rawPath"] == "/quick/path"
