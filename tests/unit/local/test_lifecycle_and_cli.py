"""The client side: lifecycle functions, the CLI's rendering, log views (in this process)."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from skylift.cli.main import cli
from skylift.errors import LocalCloudError, UsageError
from skylift.local import ensure_running, lifecycle, logview, running, status, stop
from skylift.local.paths import LocalPaths
from tests.unit.local.conftest import Local
from tests.unit.local.test_gateway_rest import deploy


@pytest.fixture
def attached(local: Local, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalPaths]:
    """A SKYLIFT_HOME whose state file names the in-process cloud (its pid is this process)."""
    monkeypatch.setenv("SKYLIFT_HOME", str(tmp_path))
    paths = LocalPaths.default()
    paths.ensure()
    paths.state_file.write_text(
        json.dumps({"pid": os.getpid(), "port": local.port, "started_at": local.cloud.started_at})
    )
    paths.server_log.write_text("".join(f"line {n}\n" for n in range(100)))
    return paths


def test_running_and_status_find_the_cloud(local: Local, attached: LocalPaths) -> None:
    found = running()
    assert found is not None
    assert (found.port, found.pid, found.endpoint_url) == (local.port, os.getpid(), local.url)
    assert ensure_running() == found  # already up: nothing started
    with pytest.raises(LocalCloudError, match="already running on port"):
        ensure_running(local.port + 1)
    current = status()
    assert current is not None
    assert current.port == local.port
    assert current.to_dict()["running"] is True


def test_cli_status_renders_deployments(local: Local, attached: LocalPaths) -> None:
    api, alias = deploy(local)
    local.client("lambda").create_function_url_config(
        FunctionName=alias.split(":")[6], Qualifier="dev", AuthType="NONE"
    )
    result = CliRunner().invoke(cli, ["local", "status"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert f"Local cloud {local.url}" in result.output
    assert f"{api}.execute-api.localhost:{local.port}/dev/" in result.output
    assert "Function URL" in result.output
    as_json = json.loads(CliRunner().invoke(cli, ["local", "status", "--json"]).output)
    assert any(f["name"] == alias.split(":")[6] for f in as_json["functions"])


def test_cli_logs(local: Local, attached: LocalPaths) -> None:
    tail = CliRunner().invoke(cli, ["local", "logs", "-n", "3"])
    assert tail.output.splitlines() == ["line 97", "line 98", "line 99"]
    name = local.function("def handler(e, c):\n    print('visible in the logs')\n    return 1\n")
    local.invoke(name)
    local.cloud.sink.flush()
    result = CliRunner().invoke(
        cli, ["local", "logs", "--function", name, "--since", "5m", "--filter", "visible"]
    )
    assert result.exit_code == 0, result.output
    assert "visible in the logs" in result.output
    missing = CliRunner().invoke(cli, ["local", "logs", "--function", "no-such-function"])
    assert missing.exit_code == 1
    assert "No logs for function no-such-function" in missing.output
    bad = CliRunner().invoke(cli, ["local", "logs", "--function", name, "--filter", "{ $.x = "])
    assert bad.exit_code == 1


def test_log_views(local: Local, attached: LocalPaths) -> None:
    assert logview.server_log_tail(2) == ["line 98", "line 99"]

    def append_soon() -> None:
        time.sleep(0.3)
        with open(attached.server_log, "a", encoding="utf-8") as log:
            log.write("appended\n")

    writer = threading.Thread(target=append_soon)
    writer.start()
    follower = logview.follow_server_log(poll=0.01)
    assert next(follower) == "appended"  # only what is written after following starts
    writer.join()
    follower.close()
    assert logview.server_log_tail(5, LocalPaths(attached.root / "nowhere")) == []


def test_parse_since() -> None:
    from skylift.cli.local_cmd import parse_since

    assert parse_since("90s") == 90
    assert parse_since("2h") == 7200
    assert parse_since(None) is None
    with pytest.raises(UsageError):
        parse_since("soon")


def test_nothing_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKYLIFT_HOME", str(tmp_path))
    assert running() is None
    assert status() is None
    assert stop() is False
    result = CliRunner().invoke(cli, ["local", "status", "--json"])
    assert (result.exit_code, json.loads(result.output)) == (3, {"running": False})
    assert CliRunner().invoke(cli, ["local", "logs", "--function", "f"]).exit_code == 1


def test_stale_state_is_reported(tmp_path: Path) -> None:
    paths = LocalPaths(tmp_path / "local")
    paths.ensure()
    paths.state_file.write_text(json.dumps({"pid": 2**22 + 17, "port": 1}))  # no such process
    assert running(paths) is None
    assert "stopped without `skylift local down`" in lifecycle._stale_notice({"pid": 1, "port": 2})


@pytest.mark.slow
def test_ensure_running_starts_and_stop_stops(tmp_path: Path) -> None:
    paths = LocalPaths(tmp_path / "local")
    paths.ensure()
    paths.state_file.write_text(json.dumps({"pid": 2**22 + 17, "port": 1}))  # a cloud that died
    cloud = ensure_running(0, paths=paths)
    try:
        assert cloud.notice is not None
        assert "are gone" in cloud.notice
        assert running(paths) == lifecycle.LocalCloud(**{**cloud.__dict__, "notice": None})
        assert (status(paths) or pytest.fail("no status")).pid == cloud.pid
    finally:
        assert stop(paths) is True
    assert running(paths) is None
    assert not paths.state_file.exists()


def test_without_moto_the_cloud_explains_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "moto" else real(name, *a)
    )
    with pytest.raises(LocalCloudError, match="needs moto") as caught:
        ensure_running(paths=LocalPaths(tmp_path / "local"))
    assert "skylift[local]" in (caught.value.hint or "")
