"""Reading logs for ``skylift local logs``: the cloud's own log, or a function's log group."""

from __future__ import annotations

import http.client
import os
import time
from collections import deque
from collections.abc import Iterator
from typing import Any

from skylift.errors import LocalCloudError, UsageError
from skylift.local.lifecycle import LocalCloud
from skylift.local.paths import LocalPaths


def flush(cloud: LocalCloud, timeout: float = 15.0) -> bool:
    """Ask the running cloud to write every log line it holds for requests answered so far.

    Its own log batches access lines a few times a second, and function output is read
    from each environment's pipe: without this a look right after a request can miss it.
    """
    connection = http.client.HTTPConnection("127.0.0.1", cloud.port, timeout=timeout)
    try:
        connection.request("POST", "/_skylift/flush")
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except (OSError, http.client.HTTPException):
        return False  # a cloud going away leaves its files as they are: read them anyway
    finally:
        connection.close()


def server_log_tail(lines: int, paths: LocalPaths | None = None) -> list[str]:
    """The last ``lines`` lines of the local cloud's log."""
    paths = paths or LocalPaths.default()
    try:
        with open(paths.server_log, encoding="utf-8", errors="replace") as log:
            return [line.rstrip("\n") for line in deque(log, maxlen=max(0, lines))]
    except FileNotFoundError:
        return []


def follow_server_log(paths: LocalPaths | None = None, poll: float = 0.25) -> Iterator[str]:
    """Lines appended to the log from now on (until the caller stops iterating)."""
    paths = paths or LocalPaths.default()
    paths.ensure()
    paths.server_log.touch()
    with open(paths.server_log, encoding="utf-8", errors="replace") as log:
        log.seek(0, os.SEEK_END)
        while True:
            line = log.readline()
            if line:
                yield line.rstrip("\n")
            else:
                time.sleep(poll)


def function_region(
    function_name: str, functions: list[dict[str, Any]], default: str = "us-east-1"
) -> str:
    """The region of the local cloud's function ``function_name`` (``functions`` as its
    status lists them): a stage deployed with aws_region = eu-west-1 logs there, and
    ``skylift local logs --function NAME`` should find it without being told."""
    regions = sorted({str(f.get("region")) for f in functions if f.get("name") == function_name})
    if len(regions) == 1:
        return regions[0]
    if not regions or default in regions:
        return default  # a function gone, or one name in several regions including default
    raise UsageError(
        f"The local cloud has a function {function_name} in several regions: {', '.join(regions)}.",
        hint=f"Pick one with --region, e.g. --region {regions[0]}.",
    )


def function_log_events(
    cloud: LocalCloud,
    function_name: str,
    *,
    region: str = "us-east-1",
    since_seconds: float | None = None,
    filter_pattern: str | None = None,
    limit: int = 10_000,
) -> list[dict[str, Any]]:
    """Events of ``/aws/lambda/{function_name}`` on the local cloud, oldest first."""
    import boto3

    logs = boto3.client(
        "logs",
        endpoint_url=cloud.endpoint_url,
        region_name=region,
        aws_access_key_id="skylift-local",
        aws_secret_access_key="skylift-local",
    )
    arguments: dict[str, Any] = {
        "logGroupName": f"/aws/lambda/{function_name}",
        "limit": min(limit, 10_000),
    }
    if since_seconds is not None:
        arguments["startTime"] = int((time.time() - since_seconds) * 1000)
    if filter_pattern:
        arguments["filterPattern"] = filter_pattern
    try:
        answer = logs.filter_log_events(**arguments)
    except logs.exceptions.ResourceNotFoundException:
        raise LocalCloudError(
            f"No logs for function {function_name} on the local cloud.",
            hint="Is it deployed, and has it run? `skylift local status` lists the functions.",
        ) from None
    except logs.exceptions.InvalidParameterException as exc:
        raise LocalCloudError(
            str(exc), hint="See the filter pattern syntax in docs/local.md."
        ) from None
    return [dict(event) for event in answer.get("events", [])]
