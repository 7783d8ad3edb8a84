"""examples/bottle_hello deployed by the CLI: its metrics in `status`, its invoke permission enforced."""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.functional.local.conftest import Cli

pytestmark = [pytest.mark.slow, pytest.mark.functional]


def get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def totals(status: dict[str, Any]) -> dict[str, float]:
    return {m["metric"]: m["total"] for m in status["metrics"] if m["stat"] == "Sum"}


def test_status_metrics_and_invoke_permission(
    cli: Cli, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    project = tmp_path / "bottle_hello"
    shutil.copytree(EXAMPLES / "bottle_hello", project, ignore=shutil.ignore_patterns(".skylift"))
    cache = tmp_path_factory.getbasetemp().parent / "skylift-pypi-cache"
    cache.mkdir(exist_ok=True)
    cli.cwd = project
    cli.extra_env = {"SKYLIFT_CACHE_DIR": str(cache)}
    cli.run("local", "up", "--port", str(cli.port))

    deployed = cli.json("deploy", "dev", "--local")
    url = deployed["urls"][0]["url"]
    # deploy's `touch` (one GET of touch_path after a change) is an invocation too.
    touched = 1 if deployed["touch"] else 0
    assert totals(cli.json("status", "dev", "--local"))["Invocations"] == touched
    for _ in range(3):
        assert get(url + "hello") == (200, b"Hello World!")
    status = cli.json("status", "dev", "--local")
    assert totals(status)["Invocations"] == touched + 3
    assert totals(status)["Errors"] == 0
    duration = next(
        m for m in status["metrics"] if (m["metric"], m["stat"]) == ("Duration", "Maximum")
    )
    assert duration["hourly"][-1][1] > 0

    # Without the statement deploy added, API Gateway may not invoke the alias: a 500, as on
    # AWS; `update` sees the statement missing and puts it back.
    lam = cli.client("lambda")
    function, alias = status["function"], status["alias"]
    policy = json.loads(lam.get_policy(FunctionName=function, Qualifier=alias)["Policy"])
    for statement in policy["Statement"]:
        lam.remove_permission(FunctionName=function, Qualifier=alias, StatementId=statement["Sid"])
    assert get(url + "hello") == (500, b'{"message": "Internal server error"}')
    updated = cli.json("update", "dev", "--local")
    touched += 1 if updated["touch"] else 0
    assert get(url + "hello") == (200, b"Hello World!")
    assert totals(cli.json("status", "dev", "--local"))["Invocations"] == touched + 4
