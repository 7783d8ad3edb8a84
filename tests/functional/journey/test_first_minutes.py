"""The README's journey through the real CLI: local up, deploy --local, GET /hello, update, undeploy.

No AWS credentials at all in the environment: the local cloud needs none.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.functional.local.conftest import free_port, pid_alive

pytestmark = [pytest.mark.functional, pytest.mark.slow]


class Journey:
    def __init__(self, home: Path, project: Path, cache: Path) -> None:
        self.home = home
        self.project = project
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("AWS_") and k not in {"SKYLIFT_DEBUG"}
        }
        self.env.update(
            SKYLIFT_HOME=str(home),
            SKYLIFT_CACHE_DIR=str(cache),
            AWS_CONFIG_FILE=str(home / "no-aws-config"),
            AWS_SHARED_CREDENTIALS_FILE=str(home / "no-aws-credentials"),
            NO_COLOR="1",
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "skylift.cli.main", *args],
            cwd=self.project,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            stdin=subprocess.DEVNULL,
        )

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = self.run(*args)
        assert result.returncode == 0, (
            f"skylift {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        )
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def pid(self) -> int | None:
        try:
            state = json.loads((self.home / "local" / "state.json").read_text())
        except FileNotFoundError:
            return None
        return int(state["pid"])


@pytest.fixture
def journey(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    project = tmp_path / "bottle_hello"
    shutil.copytree(EXAMPLES / "bottle_hello", project, ignore=shutil.ignore_patterns(".skylift"))
    trip = Journey(tmp_path / "home", project, tmp_path_factory.getbasetemp() / "journey-cache")
    try:
        yield trip
    finally:
        pid = trip.pid()
        trip.run("local", "down")
        if pid is not None and pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


def get(url: str) -> tuple[int, str]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=30) as response:
        return response.status, response.read().decode()


def test_deploy_local_serves_hello_without_an_aws_account(journey: Journey) -> None:
    journey.ok("local", "up", "--port", str(free_port()))

    deployed = journey.json("deploy", "dev", "--local")
    url = deployed["urls"][0]["url"]
    assert url.startswith("http://127.0.0.1:")
    assert get(url + "hello") == (200, "Hello World!")

    again = journey.run("deploy", "dev", "--local")
    assert again.returncode != 0
    assert "already deployed" in again.stderr
    assert "`skylift update dev --local`" in again.stderr
    assert "Traceback" not in again.stderr

    unchanged = journey.json("update", "dev", "--local")
    assert (unchanged["changed"], unchanged["steps"]) == (False, 0)

    status = journey.json("status", "dev", "--local")
    assert status["deployed"] is True
    assert status["live_version"] == deployed["version"]

    journey.ok("undeploy", "dev", "--local", "-y")
    assert journey.json("status", "dev", "--local")["deployed"] is False


def test_local_and_endpoint_url_together_is_a_usage_error(journey: Journey) -> None:
    result = journey.run("plan", "dev", "--local", "--endpoint-url", "http://127.0.0.1:9")
    assert result.returncode == 2
    assert "Error: --local and --endpoint-url" in result.stderr
    assert journey.pid() is None, "a usage error must not start the local cloud"
