"""Drive the real ``skylift local`` CLI against a background local cloud in a temp SKYLIFT_HOME."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Cli:
    home: Path
    port: int
    cwd: Path | None = None  # the project directory, for the deploy verbs
    extra_env: dict[str, str] | None = None

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "SKYLIFT_HOME": str(self.home),
            "NO_COLOR": "1",
            "COLUMNS": "200",
            **(self.extra_env or {}),
        }

    def run(
        self, *args: str, check: bool = True, timeout: float = 90
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "skylift.cli.main", *args],
            env=self.env,
            cwd=self.cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"skylift {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="t",
            aws_secret_access_key="t",
        )

    def state(self) -> dict[str, Any] | None:
        try:
            return dict(json.loads((self.home / "local" / "state.json").read_text()))
        except FileNotFoundError:
            return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[Cli]:
    """A CLI bound to a private SKYLIFT_HOME and a free port; the cloud is always stopped after."""
    runner = Cli(tmp_path / "home", free_port())
    try:
        yield runner
    finally:
        state = runner.state()
        runner.run("local", "down", check=False)
        if state and pid_alive(int(state["pid"])):
            os.kill(int(state["pid"]), signal.SIGKILL)
