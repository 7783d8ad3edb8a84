"""The packaged entry point: settings, app loading, failures, environment set-up."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from skylift.runtime import handler as runtime_handler
from skylift.runtime.errors import EventError
from tests.unit.runtime.conftest import Context, make_event, parse_response

SRC = str(Path(runtime_handler.__file__).resolve().parents[2])
HELLO = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello " + environ["PATH_INFO"].encode()]
"""


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: Any) -> Any:
    (tmp_path / "skylift_settings.json").write_text(json.dumps(settings))
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    return runtime_handler.lambda_handler


def test_serves_the_app_named_by_app_function(tmp_path, monkeypatch, app_modules) -> None:  # type: ignore[no-untyped-def]
    (app_modules / "hello_app.py").write_text(HELLO)
    handler = project(
        tmp_path, monkeypatch, app_function="hello_app.app", stage="dev", project_name="shop"
    )
    answer = handler(make_event("http_v2", "GET", "/x"), Context())
    assert parse_response("http_v2", answer)[2] == b"hello /x"
    assert (os.environ["STAGE"], os.environ["PROJECT"], os.environ["SERVERTYPE"]) == (
        "dev",
        "shop",
        "AWS Lambda",
    )
    assert handler(make_event("rest", "GET", "/y"), Context())["statusCode"] == 200


def test_settings_options_reach_the_adapter(tmp_path, monkeypatch, app_modules) -> None:  # type: ignore[no-untyped-def]
    (app_modules / "hello_app.py").write_text(
        HELLO + "\ndef on_error(exc, event, context):\n    return True\n"
    )
    handler = project(
        tmp_path,
        monkeypatch,
        app_function="hello_app.app",
        base_path="api",
        binary_support=False,
        additional_text_mimetypes=["application/x-custom"],
        context_header_mappings={
            "X-Request-Id": "requestId",
            "X-None": "missing.path",
            "X-Obj": "identity",
        },
        exception_handler="hello_app.on_error",
        log_level="WARNING",
    )
    event = make_event("rest", "GET", "/api/items", domain="api.example.com")
    assert parse_response("rest", handler(event, Context()))[2] == b"hello /items"
    http = runtime_handler._runtime[0].http
    assert http is not None
    assert http.policy.binary_support is False
    import logging

    assert logging.getLogger().level == logging.WARNING
    logging.getLogger().setLevel(logging.WARNING)


def test_context_header_mappings_add_headers(tmp_path, monkeypatch, app_modules) -> None:  # type: ignore[no-untyped-def]
    (app_modules / "echo_header.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [])\n"
        "    return [environ.get('HTTP_X_REQUEST_ID', '-').encode(), b'|', environ.get('HTTP_X_OBJ', '-').encode()]\n"
    )
    handler = project(
        tmp_path,
        monkeypatch,
        app_function="echo_header.app",
        context_header_mappings={
            "X-Request-Id": "requestId",
            "X-None": "missing.path",
            "X-Obj": "identity",
        },
    )
    answer = handler(make_event("rest", "GET", "/"), Context())
    assert answer["body"] == "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b|-"


def test_an_app_that_fails_to_import_gives_500s_and_is_retried(
    tmp_path, monkeypatch, app_modules, capsys
) -> None:  # type: ignore[no-untyped-def]
    (app_modules / "broken_app.py").write_text("raise ImportError('missing dependency: numpy')\n")
    handler = project(tmp_path, monkeypatch, app_function="broken_app.app")
    answer = handler(make_event("rest", "GET", "/"), Context("req-9"))
    assert answer["statusCode"] == 500
    assert "req-9" in answer["body"]
    assert "missing dependency: numpy" in capsys.readouterr().err
    (app_modules / "broken_app.py").write_text(HELLO)
    sys.modules.pop("broken_app", None)
    assert handler(make_event("rest", "GET", "/ok"), Context())["statusCode"] == 200


def test_no_app_configured_is_a_clear_500(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    handler = project(tmp_path, monkeypatch)
    assert handler(make_event("rest", "GET", "/"), Context())["statusCode"] == 500
    assert "set app_function" in capsys.readouterr().err


def test_invalid_settings_file_fails_every_invocation_clearly(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "skylift_settings.json").write_text("{not json")
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    answer = runtime_handler.lambda_handler(make_event("rest", "GET", "/"), Context())
    assert answer["statusCode"] == 500
    with pytest.raises(EventError, match="could not be set up"):
        runtime_handler.lambda_handler({"skylift_invoke": "a.b"}, Context())
    assert runtime_handler._runtime == []  # not kept: the next invocation tries again


def test_settings_file_that_is_not_an_object_is_empty_settings(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "skylift_settings.json").write_text("[1, 2]")
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    assert runtime_handler.start().settings == {}


def test_no_settings_file_at_all(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    monkeypatch.chdir(tmp_path)
    assert runtime_handler.start().settings == {}


def test_zappa_lambda_handler_setting_takes_every_event(tmp_path, monkeypatch, app_modules) -> None:  # type: ignore[no-untyped-def]
    (app_modules / "own.py").write_text("def handle(event, context):\n    return {'own': event}\n")
    handler = project(tmp_path, monkeypatch, lambda_handler="own.handle")
    assert handler({"x": 1}, Context()) == {"own": {"x": 1}}


def test_asgi_app_gets_a_shutdown_hook_and_sigterm_inside_lambda(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    handler = project(
        tmp_path, monkeypatch, app_function="tests.unit.runtime.apps.starlette_app.app"
    )
    monkeypatch.setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    registered: list[Any] = []
    monkeypatch.setattr("atexit.register", registered.append)
    try:
        assert handler(make_event("http_v2", "GET", "/hello"), Context())["body"] == "Hello World!"
        on_sigterm = signal.getsignal(signal.SIGTERM)
        assert callable(on_sigterm)
        with pytest.raises(SystemExit):
            on_sigterm(signal.SIGTERM, None)  # type: ignore[operator]
        assert runtime_handler._runtime[0].http.bridge.loop is None  # type: ignore[union-attr]
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert registered


def test_sigterm_owned_by_someone_else_is_left_alone(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    handler = project(
        tmp_path, monkeypatch, app_function="tests.unit.runtime.apps.starlette_app.app"
    )
    monkeypatch.setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
    monkeypatch.setattr("atexit.register", lambda f: None)

    def mine(signum: int, frame: Any) -> None:
        pass

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        handler(make_event("http_v2", "GET", "/hello"), Context())
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)
        runtime_handler._runtime[0].http.shutdown()  # type: ignore[union-attr]


def test_django_settings_loads_djangos_own_app(tmp_path, monkeypatch, app_modules) -> None:  # type: ignore[no-untyped-def]
    from tests.unit.runtime.conftest import reset_django

    (app_modules / "shop_settings.py").write_text(
        "SECRET_KEY = 'x'\nALLOWED_HOSTS = ['*']\nROOT_URLCONF = 'tests.unit.runtime.apps.django_app'\n"
        "MIDDLEWARE = []\nINSTALLED_APPS = []\nDATABASES = {}\nLOGGING_CONFIG = None\n"
    )
    reset_django()
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    try:
        for app_type in ("wsgi", "asgi"):
            runtime_handler._runtime.clear()
            handler = project(
                tmp_path, monkeypatch, django_settings="shop_settings", app_type=app_type
            )
            answer = handler(make_event("rest", "GET", "/hello"), Context())
            assert parse_response("rest", answer)[2] == b"Hello World!"
            assert runtime_handler._runtime[0].http.kind == app_type  # type: ignore[union-attr]
            runtime_handler._runtime[0].http.shutdown()  # type: ignore[union-attr]
        out = handler({"skylift_command": "check --deploy --fail-level CRITICAL"}, Context())
        assert "System check identified" in out["output"] + out["errors"]
    finally:
        reset_django()


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_LAMBDA")}
    environ.update(PYTHONPATH=SRC, **env)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environ, timeout=60
    )


def test_importing_the_handler_imports_nothing_heavy() -> None:
    result = run_python(
        "import sys; before = set(sys.modules); import skylift.runtime.handler; "
        "print(sorted(m for m in set(sys.modules) - before if not m.startswith('skylift')))"
    )
    extra = eval(result.stdout)
    assert not {"typing", "asyncio", "json", "re", "boto3", "logging", "inspect"} & set(extra), (
        extra
    )


def test_inside_lambda_the_app_loads_during_init(tmp_path: Path) -> None:
    (tmp_path / "init_app.py").write_text("print('app imported')\n" + HELLO)
    (tmp_path / "skylift_settings.json").write_text(json.dumps({"app_function": "init_app.app"}))
    code = "import skylift.runtime.handler as h; print('loaded', h._runtime[0].http is not None)"
    inside = run_python(code, AWS_LAMBDA_RUNTIME_API="127.0.0.1:1", LAMBDA_TASK_ROOT=str(tmp_path))
    assert inside.stdout.split() == ["app", "imported", "loaded", "True"], inside.stderr
    lazy = run_python(
        "import skylift.runtime.handler as h; print(h._runtime)",
        AWS_LAMBDA_RUNTIME_API="127.0.0.1:1",
        SKYLIFT_LAZY_INIT="1",
        LAMBDA_TASK_ROOT=str(tmp_path),
    )
    assert lazy.stdout.strip() == "[]"
    broken = run_python(
        "import skylift.runtime.handler as h; print(h._runtime)",
        AWS_LAMBDA_RUNTIME_API="127.0.0.1:1",
        SKYLIFT_SLIM_ARCHIVE="not-an-s3-url",
        LAMBDA_TASK_ROOT=str(tmp_path),
    )
    assert broken.stdout.strip() == "[]"
    assert "not an s3://bucket/key URL" in broken.stderr


def test_package_level_lazy_exports() -> None:
    import skylift
    import skylift.runtime

    assert skylift.task is skylift.runtime.task
    assert callable(skylift.runtime.adapt)
    with pytest.raises(AttributeError):
        _ = skylift.nothing  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        _ = skylift.runtime.nothing  # type: ignore[attr-defined]
