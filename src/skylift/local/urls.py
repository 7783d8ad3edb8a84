"""The URLs the local cloud serves deployments at (what ``deploy --local`` prints).

Host-style names (``*.localhost``) need a client that resolves them to
127.0.0.1 itself, as curl and browsers do; path-style URLs work everywhere.
"""

from __future__ import annotations

from urllib.parse import quote

HOST = "127.0.0.1"


def rest_api_urls(api_id: str, stage: str, port: int) -> tuple[str, str]:
    """(host-style, path-style) base URL of a REST API stage; append the path after it."""
    return (
        f"http://{api_id}.execute-api.localhost:{port}/{quote(stage)}/",
        f"http://{HOST}:{port}/restapis/{api_id}/{quote(stage)}/_user_request_/",
    )


def http_api_host(api_id: str, port: int) -> str:
    return f"http://{api_id}.execute-api.localhost:{port}/"


def http_api_urls(api_id: str, stage: str, port: int) -> tuple[str, str]:
    """(host-style, path-style) base URL of an HTTP API stage (``$default``: no stage segment).

    The path style spells ``$default`` as ``%24default``: pasted unquoted into a
    shell, ``$default`` would expand to nothing.
    """
    if stage == "$default":
        return http_api_host(
            api_id, port
        ), f"http://{HOST}:{port}/restapis/{api_id}/%24default/_user_request_/"
    return rest_api_urls(api_id, stage, port)


def function_url_urls(url_id: str, region: str, port: int) -> tuple[str, str]:
    """(host-style, path-style) of a Function URL."""
    return (
        f"http://{url_id}.lambda-url.{region}.localhost:{port}/",
        f"http://{HOST}:{port}/_lambda_url/{url_id}/",
    )


def is_local_endpoint(url: str | None) -> bool:
    """True for an endpoint on this machine (the deploy engine prints local URLs for it)."""
    if not url:
        return False
    host = url.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    return host in ("127.0.0.1", "localhost", "[::1]") or host.endswith(".localhost")
