"""A stage with an error still shows its unknown keys: a misspelt key is often the cause."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from skylift.cli.main import cli
from skylift.config.files import SettingsFile
from skylift.config.load import stage_from_file
from skylift.errors import ConfigError
from tests.conftest import write


def error(stages: dict[str, Any], stage: str = "dev") -> ConfigError:
    parsed = SettingsFile(Path("/p/zappa_settings.json"), "zappa", stages)
    with pytest.raises(ConfigError) as info:
        stage_from_file(parsed, stage, Path("."))
    return info.value


def test_a_misspelt_app_function_is_named_with_the_missing_key_error() -> None:
    exc = error({"dev": {"app_functoin": "app.app"}})
    assert "key 'app_function' is missing" in exc.message
    assert (
        "zappa_settings.json: stage 'dev': unknown key 'app_functoin' is ignored; "
        "did you mean 'app_function'?" in exc.message
    )
    assert exc.hint is not None
    assert exc.hint.startswith("'app_functoin' looks like a misspelling of 'app_function'")


def test_unknown_keys_are_listed_with_invalid_values() -> None:
    exc = error({"dev": {"app_function": "a.b", "memroy_size": 1024, "timeout_seconds": "x"}})
    lines = exc.message.splitlines()
    assert "key 'timeout_seconds': expected a whole number" in lines[0]
    assert any(
        "unknown key 'memroy_size' is ignored; did you mean 'memory_size'?" in line
        for line in lines[1:]
    )
    # the unknown key is not the cause of this error: the usual hint stays
    assert exc.hint is not None
    assert exc.hint.startswith("Fix the value in the settings file")


def test_a_misspelt_nested_key_is_named_with_the_error_it_causes() -> None:
    exc = error(
        {
            "dev": {
                "app_function": "a.b",
                "events": [{"functoin": "a.b", "expression": "rate(1 day)"}],
            }
        }
    )
    assert "key 'events[0].function': is required but missing" in exc.message
    assert "unknown key 'events[0].functoin' is ignored; did you mean 'function'?" in exc.message
    assert exc.hint is not None
    assert exc.hint.startswith("'events[0].functoin' looks like a misspelling of 'function'")


def test_an_inherited_unknown_key_names_the_stage_that_wrote_it() -> None:
    exc = error({"base": {"app_functon": "a.b"}, "dev": {"extends": "base", "memory_size": "big"}})
    assert "stage 'base': unknown key 'app_functon' is ignored" in exc.message


def test_an_error_without_unknown_keys_is_unchanged() -> None:
    exc = error({"dev": {"app_function": "a.b", "memory_size": "big"}})
    assert "unknown key" not in exc.message
    assert "\n" not in exc.message


def test_settings_shows_the_unknown_key_with_the_error(project: Path) -> None:
    write(project / "skylift.toml", '[stages.dev]\napp_funtion = "app.app"\n')
    result = CliRunner().invoke(cli, ["settings", "dev"])
    assert result.exit_code == 2
    assert "unknown key 'app_funtion' is ignored; did you mean 'app_function'?" in result.stderr
    assert "key 'app_function' is missing" in result.stderr
    assert "Traceback" not in result.output
