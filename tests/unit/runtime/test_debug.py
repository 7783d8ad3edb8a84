"""``debug`` (Zappa's setting): what a 500 answered by skylift shows, and what the log keeps.

Off: the body is the fixed message and the request id, nothing else. On: the error and
its traceback too. The traceback is in the log either way. A 500 the framework makes
itself (Flask's error page) is the framework's, whatever ``debug`` says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skylift.runtime import adapt
from skylift.runtime import handler as runtime_handler
from skylift.runtime.adapter import error_body
from tests.unit.runtime.conftest import Context, make_event, parse_response

SHORT = {"message": "Internal Server Error", "request_id": "req-7"}


def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: Any) -> Any:
    (tmp_path / "skylift_settings.json").write_text(json.dumps(settings))
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    return runtime_handler.lambda_handler


def answer_500(handler: Any, shape: str = "rest") -> dict[str, Any]:
    status, headers, body = parse_response(
        shape, handler(make_event(shape, "GET", "/x"), Context("req-7"))
    )
    assert status == 500
    assert headers["content-type"] == ["application/json"]
    shown: dict[str, Any] = json.loads(body)
    return shown


def assert_debug_body(shown: dict[str, Any], error: str, *in_traceback: str) -> None:
    assert shown["message"] == "Internal Server Error"
    assert shown["request_id"] == "req-7"
    assert shown["error"] == error
    assert shown["traceback"][0] == "Traceback (most recent call last):"
    text = "\n".join(shown["traceback"])
    for part in in_traceback:
        assert part in text
    assert shown["traceback"][-1] == error


def wsgi_raising(environ: Any, start_response: Any) -> list[bytes]:
    raise ValueError("bad basket")


async def asgi_raising(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        raise ValueError("bad basket")


@pytest.mark.parametrize("shape", ["rest", "http_v2", "alb_multi"])
@pytest.mark.parametrize("app", [wsgi_raising, asgi_raising], ids=["wsgi", "asgi"])
def test_adapt_shows_no_traceback_unless_asked(app: Any, shape: str, capsys: Any) -> None:
    quiet, loud = adapt(app, lifespan="off"), adapt(app, lifespan="off", debug=True)
    try:
        assert answer_500(quiet, shape) == SHORT
        assert "ValueError: bad basket" in capsys.readouterr().err
        shown = answer_500(loud, shape)
        assert_debug_body(shown, "ValueError: bad basket", 'raise ValueError("bad basket")')
        assert "ValueError: bad basket" in capsys.readouterr().err  # logged with debug on too
    finally:
        quiet.shutdown()
        loud.shutdown()


@pytest.mark.parametrize("debug", [True, False])
def test_an_invalid_answer_from_the_app_is_a_500_of_skylifts(debug: bool) -> None:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("OK", [])
        return [b"fine"]

    shown = answer_500(adapt(app, debug=debug))
    if debug:
        assert shown["error"] == "RuntimeError: the WSGI app gave an invalid status 'OK'"
    else:
        assert shown == SHORT


def test_the_framework_s_own_500_is_left_alone(capsys: Any) -> None:
    from tests.unit.runtime.apps.flask_app import app

    for debug in (True, False):
        answer = adapt(app, debug=debug)(make_event("rest", "GET", "/error"), Context("req-7"))
        status, _, body = parse_response("rest", answer)
        assert status == 500
        assert b"Traceback" not in body  # Flask's page, not skylift's
        assert b"req-7" not in body
    capsys.readouterr()


def test_summary_of_odd_exceptions() -> None:
    class Unprintable(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert json.loads(error_body("r", KeyError()))["error"] == "KeyError"
    assert json.loads(error_body("r", Unprintable()))["error"] == "Unprintable: <str() failed>"
    assert json.loads(error_body("r", None)) == {
        "message": "Internal Server Error",
        "request_id": "r",
    }


# -- the packaged handler: the setting, default true as in Zappa -----------------------


@pytest.mark.parametrize("debug", [None, True, False])
def test_an_app_that_cannot_be_imported(
    debug: bool | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_modules: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    (app_modules / "broken_app.py").write_text("raise ImportError('missing dependency: numpy')\n")
    settings: dict[str, Any] = {"app_function": "broken_app.app"}
    if debug is not None:
        settings["debug"] = debug
    shown = answer_500(project(tmp_path, monkeypatch, **settings))
    if debug is False:
        assert shown == SHORT
    else:  # unset is true, as in Zappa
        assert_debug_body(
            shown,
            "RuntimeError: the app could not be loaded: ImportError: missing dependency: numpy",
            "broken_app.py",
            "ImportError: missing dependency: numpy",
            "The above exception was the direct cause of the following exception:",
        )
    err = capsys.readouterr().err
    # Loaded for a request: the request's line holds the failure (as the cause), once.
    assert "[ERROR] init" not in err
    assert err.count("[ERROR] req-7 GET /dev/x failed: Traceback") == 1
    assert "broken_app.py" in err


@pytest.mark.parametrize("debug", [True, False])
def test_an_app_function_naming_nothing(
    debug: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_modules: Path
) -> None:
    (app_modules / "shop.py").write_text("application = None\n")
    handler = project(tmp_path, monkeypatch, app_function="shop.app", debug=debug)
    shown = answer_500(handler)
    if debug:
        assert shown["error"] == (
            "RuntimeError: the app could not be loaded: "
            "FunctionNotFound: module 'shop' has no attribute 'app'"
        )
    else:
        assert shown == SHORT


@pytest.mark.parametrize("debug", [True, False])
def test_no_app_in_the_settings(
    debug: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = answer_500(project(tmp_path, monkeypatch, debug=debug))
    if debug:
        assert "set app_function (module.app) or django_settings" in shown["error"]
    else:
        assert shown == SHORT


@pytest.mark.parametrize("debug", [True, False])
def test_an_environment_that_cannot_be_set_up(
    debug: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    handler = project(tmp_path, monkeypatch, remote_env="not-an-s3-url", debug=debug)
    shown = answer_500(handler)
    if debug:
        assert shown["error"].startswith(
            "RuntimeError: the execution environment could not be set up"
        )
        assert "The above exception was the direct cause" in "\n".join(shown["traceback"])
    else:
        assert shown == SHORT
    assert "[ERROR] init skylift could not set up the environment: Traceback" in (
        capsys.readouterr().err
    )


def test_an_unreadable_settings_file_uses_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "skylift_settings.json").write_text('{"debug": false,')
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    shown = answer_500(runtime_handler.lambda_handler)
    assert_debug_body(shown, shown["error"], "json.decoder.JSONDecodeError")
    assert shown["error"].startswith("RuntimeError: the execution environment could not be set")


@pytest.mark.parametrize("debug", [True, False])
def test_a_loaded_app_that_raises(
    debug: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_modules: Path
) -> None:
    (app_modules / "failing.py").write_text(
        "def app(environ, start_response):\n    raise LookupError('no such basket')\n"
    )
    handler = project(tmp_path, monkeypatch, app_function="failing.app", debug=debug)
    shown = answer_500(handler, "http_v2")
    if debug:
        assert_debug_body(shown, "LookupError: no such basket", "failing.py")
    else:
        assert shown == SHORT
