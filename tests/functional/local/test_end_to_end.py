"""examples/bottle_hello, packaged by skylift, run by the local cloud: GET /hello says Hello World!

The package is the real one (skylift.packaging.build: wheels from PyPI, the
skylift runtime inside); the cloud is started with the CLI; the function and
its front doors are created through boto3 the way the deploy engine does.
"""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from skylift.config import load_stage
from skylift.packaging import build
from tests.conftest import EXAMPLES
from tests.functional.local.conftest import Cli

pytestmark = [pytest.mark.slow, pytest.mark.functional]


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> Any:
    cache = tmp_path_factory.getbasetemp().parent / "skylift-pypi-cache"
    cache.mkdir(exist_ok=True)
    project = tmp_path_factory.mktemp("bottle") / "bottle_hello"
    shutil.copytree(EXAMPLES / "bottle_hello", project)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SKYLIFT_CACHE_DIR", str(cache))
        stage = load_stage("dev", project)
        return build(stage)


def get(url: str, host: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_bottle_hello_through_every_front_door(cli: Cli, artifact: Any) -> None:
    cli.run("local", "up", "--port", str(cli.port))
    s3, iam, lam = cli.client("s3"), cli.client("iam"), cli.client("lambda")
    s3.create_bucket(Bucket="skylift-bottle-hello")
    s3.upload_file(str(artifact.path), "skylift-bottle-hello", f"{artifact.content_hash}.zip")
    role = iam.create_role(RoleName="bottle-hello-dev", AssumeRolePolicyDocument="{}")["Role"][
        "Arn"
    ]
    created = lam.create_function(
        FunctionName="bottle-hello-dev",
        Runtime=artifact.runtime,
        Role=role,
        Handler=artifact.handler,
        Code={"S3Bucket": "skylift-bottle-hello", "S3Key": f"{artifact.content_hash}.zip"},
        Architectures=[artifact.architecture],
        Timeout=30,
    )
    assert created["CodeSha256"] == artifact.code_sha256
    version = lam.publish_version(FunctionName="bottle-hello-dev")["Version"]
    alias = lam.create_alias(FunctionName="bottle-hello-dev", Name="dev", FunctionVersion=version)[
        "AliasArn"
    ]

    rest = rest_api(cli, alias)
    grant(cli, alias, rest)
    assert get(f"{cli.url}/restapis/{rest}/dev/_user_request_/hello") == (200, b"Hello World!")
    assert get(f"{cli.url}/dev/hello", host=f"{rest}.execute-api.localhost:{cli.port}") == (
        200,
        b"Hello World!",
    )
    assert get(f"{cli.url}/restapis/{rest}/dev/_user_request_/nowhere")[0] == 404

    http = http_api(cli, alias)
    grant(cli, alias, http)
    assert get(f"{cli.url}/hello", host=f"{http}.execute-api.localhost:{cli.port}") == (
        200,
        b"Hello World!",
    )

    url = lam.create_function_url_config(
        FunctionName="bottle-hello-dev", Qualifier="dev", AuthType="NONE"
    )
    url_id = url["FunctionUrl"].split("//")[1].split(".")[0]
    assert get(f"{cli.url}/_lambda_url/{url_id}/hello")[0] == 403  # not public yet
    for sid, public in (
        ("url", {"Action": "lambda:InvokeFunctionUrl", "FunctionUrlAuthType": "NONE"}),
        ("url-invoke", {"Action": "lambda:InvokeFunction", "InvokedViaFunctionUrl": True}),
    ):
        lam.add_permission(
            FunctionName="bottle-hello-dev",
            Qualifier="dev",
            StatementId=sid,
            Principal="*",
            **public,
        )
    assert get(f"{cli.url}/_lambda_url/{url_id}/hello") == (200, b"Hello World!")

    logs = cli.run("local", "logs", "--function", "bottle-hello-dev", "--filter", "REPORT").stdout
    assert logs.count("REPORT RequestId:") >= 4


def grant(cli: Cli, alias: str, api: str) -> None:
    """The invoke permission skylift's deploy adds for an API (any stage, method, path)."""
    cli.client("lambda").add_permission(
        FunctionName=alias,
        StatementId=f"api-{api}",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api}/*",
    )


def rest_api(cli: Cli, alias: str) -> str:
    apigw = cli.client("apigateway")
    api = apigw.create_rest_api(name="bottle-hello-dev")["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    proxy = apigw.create_resource(restApiId=api, parentId=root, pathPart="{proxy+}")["id"]
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{alias}/invocations"
    for resource in (root, proxy):
        apigw.put_method(
            restApiId=api, resourceId=resource, httpMethod="ANY", authorizationType="NONE"
        )
        apigw.put_integration(
            restApiId=api,
            resourceId=resource,
            httpMethod="ANY",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=uri,
        )
    apigw.create_deployment(restApiId=api, stageName="dev")
    return str(api)


def http_api(cli: Cli, alias: str) -> str:
    v2 = cli.client("apigatewayv2")
    api = v2.create_api(Name="bottle-hello-dev", ProtocolType="HTTP")["ApiId"]
    integration = v2.create_integration(
        ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=alias, PayloadFormatVersion="2.0"
    )
    v2.create_route(
        ApiId=api, RouteKey="$default", Target=f"integrations/{integration['IntegrationId']}"
    )
    v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
    return str(api)


def test_package_files_are_what_the_environment_runs(tmp_path: Path, artifact: Any) -> None:
    """The unpacked task root is the artifact: same files, the runtime's handler at the top."""
    from skylift.local.executor.code import unpack

    unpack(artifact.path.read_bytes(), tmp_path / "root")
    assert (tmp_path / "root" / "skylift" / "runtime" / "handler.py").is_file()
    assert (tmp_path / "root" / "bottle.py").is_file()
    assert artifact.handler == "skylift.runtime.handler.lambda_handler"
