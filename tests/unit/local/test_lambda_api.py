"""Where moto gets in deploy's way, the router answers: one test per fix."""

from __future__ import annotations

import time
import urllib.request

import pytest

from tests.unit.local.conftest import Local, make_zip

CODE = "def handler(e, c):\n    return 1\n"


@pytest.fixture(scope="module")
def published(local: Local) -> str:
    lam = local.client("lambda")
    name = local.function(CODE)
    lam.publish_version(FunctionName=name)
    lam.create_alias(FunctionName=name, Name="dev", FunctionVersion="1")
    return name


@pytest.mark.parametrize(
    ("name_suffix", "qualifier", "arn_suffix", "version"),
    [
        ("", None, "", "$LATEST"),
        ("", "1", ":1", "1"),
        ("", "dev", ":dev", "1"),
        (":dev", None, ":dev", "1"),
        (":$LATEST", None, ":$LATEST", "$LATEST"),  # moto: 404
        ("", "$LATEST", ":$LATEST", "$LATEST"),
    ],
)
def test_get_function_names_what_was_asked_for(
    local: Local,
    published: str,
    name_suffix: str,
    qualifier: str | None,
    arn_suffix: str,
    version: str,
) -> None:
    lam = local.client("lambda")
    extra = {"Qualifier": qualifier} if qualifier else {}
    for call in (lam.get_function, lam.get_function_configuration):
        answer = call(FunctionName=published + name_suffix, **extra)
        config = answer.get("Configuration", answer)
        assert config["FunctionArn"].endswith(f":function:{published}{arn_suffix}")
        assert config["Version"] == version
        assert config["RevisionId"]


def test_get_function_by_qualified_arn(local: Local, published: str) -> None:
    lam = local.client("lambda")
    arn = lam.get_function(FunctionName=published)["Configuration"]["FunctionArn"]
    assert lam.get_function(FunctionName=f"{arn}:dev")["Configuration"]["Version"] == "1"
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName=published, Qualifier="nope")


def test_code_location_can_be_downloaded(local: Local) -> None:
    lam = local.client("lambda")
    archive = make_zip({"app.py": CODE})
    name = local.function(CODE)
    lam.update_function_code(FunctionName=name, ZipFile=archive)
    location = lam.get_function(FunctionName=name)["Code"]["Location"]
    assert location.startswith(local.url)
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(location) as response:
        assert response.read() == archive


def test_update_function_code_moves_last_modified(local: Local) -> None:
    lam = local.client("lambda")
    name = local.function(CODE)
    before = lam.get_function_configuration(FunctionName=name)["LastModified"]
    time.sleep(0.01)
    lam.update_function_code(
        FunctionName=name, ZipFile=make_zip({"app.py": "def handler(e, c):\n    return 2\n"})
    )
    after = lam.get_function_configuration(FunctionName=name)["LastModified"]
    assert after != before


def test_function_urls_with_qualifiers_are_listed(local: Local, published: str) -> None:
    lam = local.client("lambda")
    on_alias = lam.create_function_url_config(
        FunctionName=published, Qualifier="dev", AuthType="NONE"
    )
    on_latest = lam.create_function_url_config(FunctionName=published, AuthType="AWS_IAM")
    listed = lam.list_function_url_configs(FunctionName=published)["FunctionUrlConfigs"]
    assert {c["FunctionUrl"] for c in listed} == {on_alias["FunctionUrl"], on_latest["FunctionUrl"]}
    got = lam.get_function_url_config(FunctionName=published, Qualifier="dev")
    assert got["FunctionUrl"] == on_alias["FunctionUrl"]
    updated = lam.update_function_url_config(
        FunctionName=published, Qualifier="dev", AuthType="AWS_IAM"
    )
    assert updated["AuthType"] == "AWS_IAM"
    with pytest.raises(lam.exceptions.ResourceConflictException):
        lam.create_function_url_config(FunctionName=published, Qualifier="dev", AuthType="NONE")
    lam.delete_function_url_config(FunctionName=published, Qualifier="dev")
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function_url_config(FunctionName=published, Qualifier="dev")
    with pytest.raises(lam.exceptions.ClientError):
        lam.create_function_url_config(FunctionName=published, Qualifier="1", AuthType="NONE")


def test_deleting_a_function_removes_its_urls_and_environments(local: Local) -> None:
    lam = local.client("lambda")
    name = local.function(CODE)
    url = lam.create_function_url_config(FunctionName=name, AuthType="NONE")["FunctionUrl"]
    local.allow_public_url(name)
    url_id = url.split("//")[1].split(".")[0]
    assert local.request(f"/_lambda_url/{url_id}/").status == 200
    pids = [
        env.pid for env in local.cloud.executor.environments() if env.spec.function_name == name
    ]
    assert pids
    lam.delete_function(FunctionName=name)
    assert local.request(f"/_lambda_url/{url_id}/").status == 404
    local.wait_for(
        lambda: not [e for e in local.cloud.executor.environments() if e.spec.function_name == name]
    )


def test_http_api_endpoint_is_local(local: Local) -> None:
    api = local.client("apigatewayv2").create_api(Name="x", ProtocolType="HTTP")
    assert api["ApiEndpoint"] == f"http://{api['ApiId']}.execute-api.localhost:{local.port}"


def test_unknown_admin_endpoint(local: Local) -> None:
    assert local.request("/_skylift/nothing").status == 404
    assert local.request("/_skylift/health").json()["port"] == local.port


def test_a_package_that_is_not_a_zip_is_refused(local: Local) -> None:
    lam = local.client("lambda")
    with pytest.raises(lam.exceptions.InvalidParameterValueException, match="Could not unzip"):
        lam.create_function(
            FunctionName="notzip",
            Runtime="python3.11",
            Role=local.role,
            Handler="a.b",
            Code={"ZipFile": b"plain text"},
        )
    s3 = local.client("s3")
    s3.create_bucket(Bucket="not-a-zip")
    s3.put_object(Bucket="not-a-zip", Key="code.zip", Body=b"plain text")
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.create_function(
            FunctionName="notzip",
            Runtime="python3.11",
            Role=local.role,
            Handler="a.b",
            Code={"S3Bucket": "not-a-zip", "S3Key": "code.zip"},
        )
    name = local.function(CODE)
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.update_function_code(FunctionName=name, ZipFile=b"still not a zip")
