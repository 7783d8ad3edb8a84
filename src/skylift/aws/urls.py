"""The public URLs of a deployed stage, on AWS and on any AWS-compatible endpoint.

On AWS an API is served at ``https://{apiId}.execute-api.{region}.amazonaws.com/{stage}/``
(an HTTP API's ``$default`` stage has no stage segment) and a Function URL at the
address Lambda returns. Anywhere else (the local cloud, moto, LocalStack…)
the endpoint serves them itself, in two styles; the path style comes first
because ``*.localhost`` names do not resolve on every machine:

- REST API: ``{endpoint}/restapis/{apiId}/{stage}/_user_request_/`` and
  ``{scheme}://{apiId}.execute-api.localhost:{port}/{stage}/``;
- HTTP API (``$default`` stage): ``{endpoint}/restapis/{apiId}/$default/_user_request_/``
  and ``{scheme}://{apiId}.execute-api.localhost:{port}/``;
- Function URL: ``{endpoint}/_lambda_url/{urlId}/``, and the URL Lambda returned.
"""

from __future__ import annotations

from urllib.parse import urlsplit

AWS_DOMAINS = ("amazonaws.com", "amazonaws.com.cn", "api.aws", "on.aws")
DEFAULT_STAGE = "$default"


def is_aws(endpoint: str | None) -> bool:
    """True when ``endpoint`` is AWS itself (None means botocore's default: AWS)."""
    if not endpoint:
        return True
    host = (urlsplit(endpoint).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in AWS_DOMAINS)


def _base(endpoint: str) -> tuple[str, str, int | None]:
    parts = urlsplit(endpoint)
    return parts.scheme or "http", endpoint.rstrip("/"), parts.port


def _host_style(scheme: str, api_id: str, port: int | None, path: str) -> str:
    netloc = f"{api_id}.execute-api.localhost" + (f":{port}" if port else "")
    return f"{scheme}://{netloc}/{path}"


def rest_api_urls(api_id: str, region: str, stage: str, endpoint: str | None) -> list[str]:
    """Where a REST API's stage answers."""
    if is_aws(endpoint):
        return [f"https://{api_id}.execute-api.{region}.amazonaws.com/{stage}/"]
    assert endpoint is not None
    scheme, base, port = _base(endpoint)
    return [
        f"{base}/restapis/{api_id}/{stage}/_user_request_/",
        _host_style(scheme, api_id, port, f"{stage}/"),
    ]


def http_api_urls(
    api_id: str, region: str, endpoint: str | None, stage: str = DEFAULT_STAGE
) -> list[str]:
    """Where an HTTP API's stage answers (``$default`` has no stage segment)."""
    segment = "" if stage == DEFAULT_STAGE else f"{stage}/"
    if is_aws(endpoint):
        return [f"https://{api_id}.execute-api.{region}.amazonaws.com/{segment}"]
    assert endpoint is not None
    scheme, base, port = _base(endpoint)
    return [
        f"{base}/restapis/{api_id}/{stage}/_user_request_/",
        _host_style(scheme, api_id, port, segment),
    ]


def function_url_id(function_url: str) -> str:
    """The id in ``https://{urlId}.lambda-url.{region}.on.aws/``."""
    return (urlsplit(function_url).hostname or "").split(".", 1)[0]


def function_url_urls(function_url: str, endpoint: str | None) -> list[str]:
    """The Function URL Lambda returned; off AWS, the endpoint's own route to it first."""
    returned = function_url if function_url.endswith("/") else function_url + "/"
    if is_aws(endpoint):
        return [returned]
    assert endpoint is not None
    _, base, _ = _base(endpoint)
    return [f"{base}/_lambda_url/{function_url_id(function_url)}/", returned]
