"""The same deploy engine against skylift's local cloud: examples/bottle_hello, really served.

The cloud runs as its own background process (as ``deploy --local`` will start
it), so its moto state is apart from the moto server the other tests use.
Packaging is the real one (bottle comes from PyPI, into a per-run cache).
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest

from skylift.aws import Aws
from skylift.config import load_stage
from skylift.deploy.engine import DeployResult, run_stage
from skylift.deploy.status import stage_status
from skylift.deploy.undeploy import undeploy_stage
from tests.conftest import EXAMPLES
from tests.functional.deploy.conftest import Calls

pytestmark = [pytest.mark.functional, pytest.mark.slow]


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from skylift.local import ensure_running, stop
    from skylift.local.paths import LocalPaths

    paths = LocalPaths(tmp_path_factory.mktemp("local-cloud"))
    running = ensure_running(0, paths=paths)
    try:
        yield running
    finally:
        stop(paths)


@pytest.fixture
def project(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    cache = tmp_path_factory.getbasetemp().parent / "skylift-pypi-cache"
    cache.mkdir(exist_ok=True)
    monkeypatch.setenv("SKYLIFT_CACHE_DIR", str(cache))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    target = tmp_path / "bottle_hello"
    shutil.copytree(EXAMPLES / "bottle_hello", target, ignore=shutil.ignore_patterns(".skylift"))
    return target


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.read()


def test_bottle_hello_on_the_local_cloud(cloud: Any, project: Path, calls: Calls) -> None:
    stage = load_stage("dev", project)
    session = boto3.Session()
    session.events.register("before-call", calls.hook)
    aws = Aws.for_stage(stage, endpoint_url=cloud.endpoint_url, session=session)

    deployed = run_stage(stage, aws, verb="deploy")
    assert isinstance(deployed, DeployResult)
    urls = [u.url for u in deployed.urls]
    assert urls[0].startswith(f"{cloud.endpoint_url}/restapis/")
    assert get(urls[0] + "hello") == (200, b"Hello World!")
    assert deployed.touched is not None  # touch: GET / right after the deploy
    assert (deployed.touched.status, deployed.touched.warning) == (404, None)

    calls.clear()
    run_stage(stage, aws, verb="update")
    assert calls.mutating == []

    # Another front door: the HTTP API and a Function URL, both at the alias.
    s = stage.settings.model_copy(update={"apigateway_version": "v2", "function_url_enabled": True})
    moved = replace(stage, settings=s)
    result = run_stage(moved, aws, verb="update")
    assert isinstance(result, DeployResult)
    first = {u.kind: u.url for u in reversed(result.urls)}  # path style comes first
    assert first["function-url"].startswith(f"{cloud.endpoint_url}/_lambda_url/")
    assert get(first["http-api"] + "hello") == (200, b"Hello World!")
    assert get(first["function-url"] + "hello") == (200, b"Hello World!")

    assert stage_status(moved, aws).live_version == "2"
    undeploy_stage(moved, aws, remove_logs=True)
    lam = session.client("lambda", endpoint_url=cloud.endpoint_url, region_name="us-east-1")
    assert lam.list_functions()["Functions"] == []


def test_touch_warns_when_the_deployed_app_is_broken(
    cloud: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """app_function names no module: the deploy succeeds, and says every request fails."""
    from click.testing import CliRunner

    from skylift.cli.main import cli

    project = tmp_path / "broken"
    project.mkdir()
    monkeypatch.chdir(project)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.setenv("SKYLIFT_CACHE_DIR", str(tmp_path / "cache"))
    # No AWS credentials at all: --endpoint-url on 127.0.0.1 needs none, like --local.
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    settings = '[stages.dev]\napp_function = "nope.app"\naws_region = "us-east-1"\n'
    (project / "skylift.toml").write_text(settings + 'project_name = "broken"\n')
    (project / "app.py").write_text("app = None\n")

    def skylift(*args: str) -> Any:
        return CliRunner().invoke(cli, [*args, "--endpoint-url", cloud.endpoint_url])

    broken = skylift("deploy", "dev", "--json")
    assert broken.exit_code == 0, broken.output  # Zappa fails here; skylift warns
    assert "answered 500, a server error" in broken.stderr
    assert "/aws/lambda/broken-dev" in broken.stderr
    assert "skylift local logs --function broken-dev" in broken.stderr
    assert json.loads(broken.stdout)["touch"]["status"] == 500

    (project / "skylift.toml").write_text(settings + 'project_name = "broken"\ntouch = false\n')
    (project / "app.py").write_text("app = None  # changed\n")
    untouched = skylift("update", "dev", "--json")
    assert untouched.exit_code == 0, untouched.output
    assert "server error" not in untouched.stderr
    assert json.loads(untouched.stdout)["touch"] is None

    assert skylift("undeploy", "dev", "-y", "--remove-logs").exit_code == 0
