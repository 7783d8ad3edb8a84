"""Start, find, stop the background local cloud (the client side of ``skylift local``).

One local cloud per ``$SKYLIFT_HOME``: its ``state.json`` names the pid and
port. A state file whose process is gone means the cloud was killed, and the
deployments it held in memory went with it; the next start says so.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import http.client
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from skylift.errors import LocalCloudError
from skylift.local.paths import DEFAULT_PORT, HOST, LocalPaths

START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
EXIT_PORT_IN_USE = 3
LOCAL_ACCESS_KEY = "skylift-local"
_children: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class LocalCloud:
    """A running local cloud."""

    endpoint_url: str
    port: int
    pid: int
    started_at: float
    test_clock: bool = False
    # Set when this start replaced a cloud that died without `skylift local down`.
    notice: str | None = None

    def client_kwargs(self, region: str = "us-east-1") -> dict[str, str]:
        """Arguments for ``boto3.client(service, **kwargs)`` aimed at this cloud.

        The credentials are placeholders: the local cloud accepts any, and a
        machine without AWS credentials must still be able to deploy locally.
        """
        return {
            "endpoint_url": self.endpoint_url,
            "region_name": region,
            "aws_access_key_id": LOCAL_ACCESS_KEY,
            "aws_secret_access_key": LOCAL_ACCESS_KEY,
        }


@dataclass(frozen=True)
class LocalStatus:
    """What ``skylift local status`` shows: the process and what is deployed on it."""

    pid: int
    port: int
    endpoint_url: str
    started_at: float
    uptime_seconds: float
    functions: list[dict[str, Any]] = field(default_factory=list)
    rest_apis: list[dict[str, Any]] = field(default_factory=list)
    http_apis: list[dict[str, Any]] = field(default_factory=list)
    environments: list[dict[str, Any]] = field(default_factory=list)
    schedules: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "running": True,
            "pid": self.pid,
            "port": self.port,
            "endpoint_url": self.endpoint_url,
            "started_at": self.started_at,
            "uptime_seconds": self.uptime_seconds,
            "functions": self.functions,
            "rest_apis": self.rest_apis,
            "http_apis": self.http_apis,
            "environments": self.environments,
            "schedules": self.schedules,
        }


# --- talking to the process ---------------------------------------------------------------------------


def _get(port: int, path: str, timeout: float = 2.0) -> dict[str, Any] | None:
    """GET a /_skylift endpoint without any proxy settings getting in the way."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            return None
        payload = json.loads(body)
        return payload if isinstance(payload, dict) else None
    except (OSError, ValueError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def _alive(pid: int) -> bool:
    child = _children.get(pid)
    if child is not None:
        if child.poll() is not None:
            _children.pop(pid, None)
            return False
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _read_state(paths: LocalPaths) -> dict[str, Any] | None:
    try:
        state = json.loads(paths.state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and "pid" in state and "port" in state else None


def _healthy(state: dict[str, Any]) -> bool:
    health = _get(int(state["port"]), "/_skylift/health")
    return health is not None and health.get("pid") == state["pid"]


def _as_cloud(state: dict[str, Any], notice: str | None = None) -> LocalCloud:
    port = int(state["port"])
    return LocalCloud(
        endpoint_url=f"http://{HOST}:{port}",
        port=port,
        pid=int(state["pid"]),
        started_at=float(state.get("started_at", 0.0)),
        test_clock=bool(state.get("test_clock", False)),
        notice=notice,
    )


@contextlib.contextmanager
def _locked(paths: LocalPaths) -> Iterator[None]:
    paths.ensure()
    with open(paths.lock_file, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- the public API -------------------------------------------------------------------------------------


def running(paths: LocalPaths | None = None) -> LocalCloud | None:
    """The local cloud if one is up and answering, else None."""
    paths = paths or LocalPaths.default()
    state = _read_state(paths)
    if state is None or not _alive(int(state["pid"])) or not _healthy(state):
        return None
    return _as_cloud(state)


def ensure_running(
    port: int | None = None, *, test_clock: bool = False, paths: LocalPaths | None = None
) -> LocalCloud:
    """Start the local cloud in the background unless it runs; return once it answers.

    ``port`` defaults to 4566; 0 picks a free port. Asking for a port other than
    the one a running cloud uses is an error (stop it first).
    """
    paths = paths or LocalPaths.default()
    if importlib.util.find_spec("moto") is None:
        raise LocalCloudError(
            "The local cloud needs moto, which is not installed.",
            hint="Install skylift with the local extra: pip install 'skylift[local]'",
        )
    with _locked(paths):
        state = _read_state(paths)
        notice = None
        if state is not None:
            if _alive(int(state["pid"])) and _healthy(state):
                cloud = _as_cloud(state)
                if port not in (None, 0, cloud.port):
                    raise LocalCloudError(
                        f"The local cloud is already running on port {cloud.port}, not {port}.",
                        hint="Run `skylift local down` first, or leave out --port.",
                    )
                return cloud
            notice = _stale_notice(state)
            paths.state_file.unlink(missing_ok=True)
        cloud = _start(DEFAULT_PORT if port is None else port, test_clock, paths)
        return dataclasses.replace(cloud, notice=notice)


def _stale_notice(state: dict[str, Any]) -> str:
    return (
        f"The previous local cloud (pid {state['pid']}, port {state['port']}) stopped without "
        "`skylift local down`. Its deployments lived in its memory and are gone: deploy again "
        "with `skylift deploy STAGE --local`."
    )


def _start(port: int, test_clock: bool, paths: LocalPaths) -> LocalCloud:
    command = [
        sys.executable,
        "-m",
        "skylift.local.server",
        "--port",
        str(port),
        "--home",
        str(paths.root),
    ]
    if test_clock:
        command.append("--test-clock")
    log_offset = paths.server_log.stat().st_size if paths.server_log.exists() else 0
    with open(paths.server_log, "ab") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            cwd=paths.root,
        )
    _children[process.pid] = process
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            _children.pop(process.pid, None)
            raise _start_failure(code, port, paths, log_offset)
        state = _read_state(paths)
        if state is not None and state.get("pid") == process.pid and _healthy(state):
            return _as_cloud(state)
        time.sleep(0.05)
    _terminate(process.pid)
    raise LocalCloudError(
        f"The local cloud did not answer within {START_TIMEOUT:.0f} s.",
        hint=f"See its log: {paths.server_log}",
    )


def _start_failure(code: int, port: int, paths: LocalPaths, offset: int) -> LocalCloudError:
    if code == EXIT_PORT_IN_USE:
        return LocalCloudError(
            f"Port {port} on 127.0.0.1 is already in use by another program.",
            hint="Stop that program, or start the local cloud on another port: `skylift local up --port 4567`.",
        )
    try:
        with open(paths.server_log, "rb") as log:
            log.seek(offset)
            tail = log.read().decode("utf-8", "replace").strip().splitlines()[-15:]
    except OSError:
        tail = []
    detail = "\n".join(tail) or "(no output)"
    return LocalCloudError(
        f"The local cloud exited while starting (exit code {code}):\n{detail}",
        hint="Is skylift installed with the local extra? `pip install 'skylift[local]'`",
    )


def stop(paths: LocalPaths | None = None) -> bool:
    """Stop the local cloud and every environment it runs; False if none was running."""
    paths = paths or LocalPaths.default()
    with _locked(paths):
        state = _read_state(paths)
        if state is None:
            return False
        pid = int(state["pid"])
        was_running = _alive(pid)
        if was_running:
            _terminate(pid)
        paths.state_file.unlink(missing_ok=True)
        return was_running


def _terminate(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    child = _children.pop(pid, None)
    if child is not None:
        child.wait(timeout=STOP_TIMEOUT)


def status(paths: LocalPaths | None = None) -> LocalStatus | None:
    """The running local cloud's status, or None when none is running."""
    cloud = running(paths)
    if cloud is None:
        return None
    payload = _get(cloud.port, "/_skylift/status", timeout=10.0)
    if payload is None:
        return None
    return LocalStatus(
        pid=int(payload["pid"]),
        port=int(payload["port"]),
        endpoint_url=str(payload["endpoint_url"]),
        started_at=float(payload["started_at"]),
        uptime_seconds=float(payload["uptime_seconds"]),
        functions=list(payload.get("functions", [])),
        rest_apis=list(payload.get("rest_apis", [])),
        http_apis=list(payload.get("http_apis", [])),
        environments=list(payload.get("environments", [])),
        schedules=list(payload.get("schedules", [])),
    )
