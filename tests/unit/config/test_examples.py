"""Every example: its settings load, init would detect its app, and GET /hello answers.

The apps are driven by their framework's own test clients, in process (a fresh
module name each, so the examples' ``app`` modules do not collide); Django runs
in a subprocess, since a process can configure Django only once.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from skylift.config import load_stage
from skylift.config.detect import detect_apps
from tests.conftest import EXAMPLES

ALL = sorted(p.name for p in EXAMPLES.iterdir() if (p / "skylift.toml").exists())


def test_the_four_examples_exist() -> None:
    assert {"bottle_hello", "flask_hello", "fastapi_hello", "django_hello"} <= set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_example_is_a_complete_project(name: str) -> None:
    example = EXAMPLES / name
    requirements = (example / "requirements.txt").read_text().split()
    assert requirements
    stage = load_stage("dev", example)
    assert stage.warnings == ()
    s = stage.settings
    entry = s.django_settings or s.app_function
    # What `skylift init` would offer in this directory is what the example uses.
    assert detect_apps(example)[0].value == entry


@pytest.fixture
def example_module() -> Iterator[Any]:
    loaded: list[str] = []

    def load(name: str) -> ModuleType:
        module_name = f"skylift_example_{name}"
        spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / name / "app.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module  # Flask finds its root path through sys.modules
        loaded.append(module_name)
        spec.loader.exec_module(module)
        return module

    yield load
    for module_name in loaded:
        sys.modules.pop(module_name, None)


def test_flask_hello(example_module: Any) -> None:
    app = example_module("flask_hello").app
    response = app.test_client().get("/hello")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "Hello World!")


def test_bottle_hello(example_module: Any) -> None:
    from werkzeug.test import Client  # Bottle has no test client: any WSGI client will do

    app = example_module("bottle_hello").app
    response = Client(app).get("/hello")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "Hello World!")


# Starlette's test client now asks for the httpx2 package; httpx (in the dev extra) still works.
@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient` is deprecated")
def test_fastapi_hello(example_module: Any) -> None:
    from fastapi.testclient import TestClient

    app = example_module("fastapi_hello").app
    with TestClient(app) as client:
        response = client.get("/hello")
    assert (response.status_code, response.json()) == (200, {"message": "Hello World!"})


DJANGO_CHECK = """
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("check", fail_level="WARNING")
response = Client().get("/hello")
print(response.status_code, response.content.decode())
"""


def test_django_hello() -> None:
    example = EXAMPLES / "django_hello"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "hello_project.settings", "PYTHONPATH": ""}
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", DJANGO_CHECK],
        cwd=example,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "200 Hello World!"
