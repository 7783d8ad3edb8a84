"""Stage URLs on AWS and on any AWS-compatible endpoint."""

from __future__ import annotations

import pytest

from skylift.aws.urls import (
    function_url_id,
    function_url_urls,
    http_api_urls,
    is_aws,
    rest_api_urls,
)


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        (None, True),
        ("https://apigateway.us-east-1.amazonaws.com", True),
        ("https://lambda.cn-north-1.amazonaws.com.cn", True),
        ("https://lambda.us-east-1.api.aws", True),
        ("http://127.0.0.1:4566", False),
        ("http://localhost:5000", False),
        ("https://amazonaws.com.evil.example", False),
    ],
)
def test_is_aws(endpoint: str | None, expected: bool) -> None:
    assert is_aws(endpoint) is expected


def test_rest_api_on_aws_and_locally() -> None:
    assert rest_api_urls("abc123", "eu-west-1", "dev", None) == [
        "https://abc123.execute-api.eu-west-1.amazonaws.com/dev/"
    ]
    assert rest_api_urls("abc123", "eu-west-1", "dev", "http://127.0.0.1:4566/") == [
        "http://127.0.0.1:4566/restapis/abc123/dev/_user_request_/",
        "http://abc123.execute-api.localhost:4566/dev/",
    ]


def test_http_api_default_stage_has_no_segment() -> None:
    assert http_api_urls("h1", "us-east-1", "https://apigateway.us-east-1.amazonaws.com") == [
        "https://h1.execute-api.us-east-1.amazonaws.com/"
    ]
    assert http_api_urls("h1", "us-east-1", "http://127.0.0.1:9000") == [
        "http://127.0.0.1:9000/restapis/h1/$default/_user_request_/",
        "http://h1.execute-api.localhost:9000/",
    ]


def test_function_url_forms() -> None:
    returned = "https://abcdef.lambda-url.us-east-1.on.aws/"
    assert function_url_id(returned) == "abcdef"
    assert function_url_urls(returned, None) == [returned]
    assert function_url_urls(returned.rstrip("/"), "http://localhost:7000") == [
        "http://localhost:7000/_lambda_url/abcdef/",
        returned,
    ]
