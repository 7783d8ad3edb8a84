"""App detection on small fixture projects, one per framework; nothing is imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from skylift.config.detect import detect_apps, detect_django_settings
from tests.conftest import write

FRAMEWORKS = [
    ("Flask", "from flask import Flask\n\napp = Flask(__name__)\n", "app.app"),
    ("Bottle", "import bottle\n\napp = bottle.Bottle()\n", "app.app"),
    (
        "Bottle",
        "from bottle import default_app, route\n\napplication = default_app()\n",
        "app.application",
    ),
    ("FastAPI", "from fastapi import FastAPI\n\napi = FastAPI(title='x')\n", "app.api"),
    (
        "Starlette",
        "from starlette.applications import Starlette\n\napp = Starlette(routes=[])\n",
        "app.app",
    ),
    ("Quart", "from quart import Quart\n\napp = Quart(__name__)\n", "app.app"),
    (
        "Pyramid",
        "from pyramid.config import Configurator\n\n"
        "with Configurator() as config:\n    config.add_route('hello', '/hello')\n"
        "    app = config.make_wsgi_app()\n",
        "app.app",
    ),
]


@pytest.mark.parametrize(("framework", "source", "value"), FRAMEWORKS)
def test_each_framework(tmp_path: Path, framework: str, source: str, value: str) -> None:
    write(tmp_path / "app.py", source)
    (found,) = detect_apps(tmp_path)
    assert (found.framework, found.key, found.value) == (framework, "app_function", value)
    assert found.path == Path("app.py")
    assert found.interface == ("ASGI" if framework in {"FastAPI", "Starlette", "Quart"} else "WSGI")


def test_django_project_via_manage_py(tmp_path: Path) -> None:
    write(
        tmp_path / "manage.py",
        "import os, sys\n\ndef main():\n"
        "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n",
    )
    write(tmp_path / "mysite" / "__init__.py", "")
    write(tmp_path / "mysite" / "settings.py", "ROOT_URLCONF = 'mysite.urls'\n")
    write(tmp_path / "mysite" / "wsgi.py", "from django.core.wsgi import get_wsgi_application\n")
    (found,) = detect_django_settings(tmp_path)
    assert (found.framework, found.key, found.value) == (
        "Django",
        "django_settings",
        "mysite.settings",
    )
    assert str(found) == "mysite.settings (Django, manage.py)"


def test_django_settings_without_manage_py(tmp_path: Path) -> None:
    write(tmp_path / "proj" / "settings.py", "INSTALLED_APPS = []\n")
    write(tmp_path / "other" / "settings.py", "DEBUG = True\n")  # not Django's
    assert [d.value for d in detect_apps(tmp_path)] == ["proj.settings"]


def test_aliases_annotations_and_nested_packages(tmp_path: Path) -> None:
    write(
        tmp_path / "web" / "__init__.py", "import flask as fl\n\napplication = fl.Flask(__name__)\n"
    )
    write(
        tmp_path / "web" / "api" / "main.py",
        "from fastapi import FastAPI as F\n\napp: F = F()\n",
    )
    values = [d.value for d in detect_apps(tmp_path)]
    assert values == ["web.application", "web.api.main.app"]


def test_ranked_app_files_first_and_tests_last(tmp_path: Path) -> None:
    flask = "from flask import Flask\n{name} = Flask(__name__)\n"
    write(tmp_path / "tests" / "test_app.py", flask.format(name="app"))
    write(tmp_path / "helpers.py", flask.format(name="other"))
    write(tmp_path / "app.py", flask.format(name="app"))
    assert [d.value for d in detect_apps(tmp_path)] == [
        "app.app",
        "helpers.other",
        "tests.test_app.app",
    ]


@pytest.mark.parametrize(
    "source",
    [
        "class Flask:\n    pass\n\napp = Flask()\n",  # not flask's Flask
        "from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n",
        "from flask import Flask\n\napp = make_app(Flask)\n",
        "import pyramid\n\nx = 1\n",
        "def broken(:\n",  # a syntax error is skipped, not raised
        "print 'python 2'\n",
    ],
)
def test_not_an_app(tmp_path: Path, source: str) -> None:
    write(tmp_path / "app.py", source)
    assert detect_apps(tmp_path) == []


def test_virtualenvs_hidden_and_vendored_directories_are_skipped(tmp_path: Path) -> None:
    flask = "from flask import Flask\napp = Flask(__name__)\n"
    write(tmp_path / "myenv" / "pyvenv.cfg", "home = /usr\n")
    write(tmp_path / "myenv" / "lib" / "site.py", flask)
    write(tmp_path / ".venv" / "app.py", flask)
    write(tmp_path / "node_modules" / "x" / "app.py", flask)
    write(tmp_path / "build" / "lib" / "app.py", flask)
    (tmp_path / "binary.py").write_bytes(b"\xff\xfe\x00garbage")
    assert detect_apps(tmp_path) == []
