"""A plain moto server on a free 127.0.0.1 port (one per test worker), reset for each test."""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from skylift.aws import Aws
from skylift.config import Stage
from tests.unit.deploy.support import make_artifact, make_stage

READ_PREFIXES = ("Get", "List", "Describe", "Head")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    # moto's werkzeug logs every request; tests read only what they assert on.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # skylift attaches no AWS managed policy (its role policy is generated and inline), so
    # the server runs without MOTO_IAM_LOAD_MANAGED_POLICIES, which costs seconds per reset.
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto(moto_server: str) -> str:
    """The endpoint of an empty moto server."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
    return moto_server


class Calls:
    """Every AWS operation a session makes, and a switch to fail one of them."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.fail_at: int | None = None  # the n-th mutating call (1-based) raises

    def hook(self, model: Any, **_: Any) -> None:
        self.names.append(model.name)
        if self.fail_at is not None and len(self.mutating) == self.fail_at:
            self.fail_at = None
            raise ClientError(
                {"Error": {"Code": "ServiceUnavailable", "Message": "injected failure"}},
                model.name,
            )

    @property
    def mutating(self) -> list[str]:
        return [n for n in self.names if not n.startswith(READ_PREFIXES)]

    def clear(self) -> None:
        self.names.clear()


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def aws_factory(moto: str, calls: Calls) -> Any:
    """Build an ``Aws`` for a stage against moto, with every call recorded in ``calls``."""

    def make(stage: Stage) -> Aws:
        session = boto3.Session()
        session.events.register("before-call", calls.hook)
        return Aws.for_stage(stage, endpoint_url=moto, session=session)

    return make


@pytest.fixture
def stage_factory(tmp_path: Path) -> Any:
    def make(**settings: Any) -> Stage:
        return make_stage(tmp_path, **settings)

    return make


@pytest.fixture
def artifact_factory(tmp_path: Path) -> Any:
    def make(code: str = "v1", **kwargs: Any) -> Any:
        return make_artifact(tmp_path / "artifacts", code, **kwargs)

    return make


_CLIENTS: dict[tuple[str, str], Any] = {}


def aws_client(endpoint: str, name: str) -> Any:
    """A plain boto3 client on the moto server (cached: building one costs ~30 ms)."""
    key = (endpoint, name)
    if key not in _CLIENTS:
        _CLIENTS[key] = boto3.Session().client(name, endpoint_url=endpoint, region_name="us-east-1")
    return _CLIENTS[key]


def leftovers(endpoint: str, *, logs: bool = True) -> dict[str, list[str]]:
    """Everything of any stage still in the moto server (empty lists: nothing left)."""

    def client(name: str) -> Any:
        return aws_client(endpoint, name)

    found = {
        "functions": [f["FunctionName"] for f in client("lambda").list_functions()["Functions"]],
        "layers": [x["LayerName"] for x in client("lambda").list_layers()["Layers"]],
        "rest_apis": [a["name"] for a in client("apigateway").get_rest_apis()["items"]],
        "http_apis": [a["Name"] for a in client("apigatewayv2").get_apis()["Items"]],
        "roles": [r["RoleName"] for r in client("iam").list_roles()["Roles"]],
        "buckets": [b["Name"] for b in client("s3").list_buckets()["Buckets"]],
        "rules": [r["Name"] for r in client("events").list_rules()["Rules"]],
    }
    if logs:
        found["log_groups"] = [
            g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"]
        ]
    return found


def nothing_left(endpoint: str, *, logs: bool = True) -> bool:
    return not any(leftovers(endpoint, logs=logs).values())
