"""Which Python runs a function; the control-plane services deploy relies on; small public helpers."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from skylift.local import (
    LocalCloud,
    function_url_urls,
    http_api_urls,
    is_local_endpoint,
    rest_api_urls,
)
from skylift.local.executor import interpreter
from tests.unit.local.conftest import Local

HOST = f"{sys.version_info[0]}.{sys.version_info[1]}"


def test_the_host_python_runs_its_own_runtime() -> None:
    chosen = interpreter.for_runtime(f"python{HOST}")
    assert (chosen.path, chosen.version, chosen.warning) == (sys.executable, HOST, None)


def test_a_missing_runtime_falls_back_to_the_host_with_a_warning() -> None:
    chosen = interpreter.for_runtime("python3.99")
    assert chosen.path == sys.executable
    assert chosen.warning is not None
    assert "python3.99 is not installed" in chosen.warning
    assert "pyenv install 3.99" in chosen.warning


def test_another_installed_version_is_found_outside_pyenv_shims(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = tmp_path / "versions" / "3.98.1" / "bin" / "python3.98"
    fake.parent.mkdir(parents=True)
    fake.write_text("#!/bin/sh\necho 3.98\n")
    fake.chmod(0o755)
    shim = tmp_path / "shims" / "python3.98"
    shim.parent.mkdir()
    shim.write_text("#!/bin/sh\nexit 127\n")
    shim.chmod(0o755)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))
    monkeypatch.setenv("PATH", f"{shim.parent}:/usr/bin:/bin")
    interpreter.for_runtime.cache_clear()
    try:
        chosen = interpreter.for_runtime("python3.98")
    finally:
        interpreter.for_runtime.cache_clear()
    assert (chosen.path, chosen.version, chosen.warning) == (str(fake), "3.98", None)


def test_control_plane_services(local: Local) -> None:
    assert local.client("sts").get_caller_identity()["Account"] == "123456789012"
    certificate = local.client("acm").request_certificate(DomainName="api.example.com")[
        "CertificateArn"
    ]
    assert certificate.startswith("arn:aws:acm:")
    zone = local.client("route53").create_hosted_zone(Name="example.com", CallerReference="x")[
        "HostedZone"
    ]["Id"]
    assert zone
    assert local.client("sns").create_topic(Name="t")["TopicArn"].endswith(":t")
    iam = local.client("iam")
    policy = iam.get_policy(
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
    )
    assert policy["Policy"]["PolicyName"] == "AWSLambdaBasicExecutionRole"


def test_reserved_concurrency_zero_is_429_at_the_gateway(local: Local) -> None:
    from tests.unit.local.test_gateway_rest import deploy

    api, alias = deploy(local)
    local.client("lambda").put_function_concurrency(
        FunctionName=alias.split(":")[6], ReservedConcurrentExecutions=0
    )
    result = local.request(f"/restapis/{api}/dev/_user_request_/x")
    assert (result.status, result.json()) == (429, {"message": "Too Many Requests"})


def test_url_helpers_and_client_kwargs() -> None:
    assert rest_api_urls("abc", "dev", 4566) == (
        "http://abc.execute-api.localhost:4566/dev/",
        "http://127.0.0.1:4566/restapis/abc/dev/_user_request_/",
    )
    assert http_api_urls("abc", "$default", 4566)[0] == "http://abc.execute-api.localhost:4566/"
    assert http_api_urls("abc", "$default", 4566)[1].endswith(
        "/restapis/abc/$default/_user_request_/"
    )
    assert function_url_urls("f00", "eu-west-1", 1) == (
        "http://f00.lambda-url.eu-west-1.localhost:1/",
        "http://127.0.0.1:1/_lambda_url/f00/",
    )
    assert is_local_endpoint("http://127.0.0.1:4566")
    assert is_local_endpoint("http://abc.execute-api.localhost:4566/dev/")
    assert not is_local_endpoint("https://lambda.us-east-1.amazonaws.com")
    assert not is_local_endpoint(None)
    cloud = LocalCloud("http://127.0.0.1:4566", 4566, 1, 0.0)
    assert cloud.client_kwargs("eu-west-1") == {
        "endpoint_url": "http://127.0.0.1:4566",
        "region_name": "eu-west-1",
        "aws_access_key_id": "skylift-local",
        "aws_secret_access_key": "skylift-local",
    }
