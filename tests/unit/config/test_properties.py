"""Properties of settings loading, over generated settings.

1. Any mapping (JSON-like values under known and unknown keys, extends
   included) either loads or raises a SkyliftError: never anything else.
2. For every file format, any stage mapping written in that format reads back
   unchanged, and valid stages validate to the same settings.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skylift.config import KNOWN_KEYS, StageSettings, load_stage, read_settings_file
from skylift.config.files import SettingsFile
from skylift.config.load import stage_from_file
from skylift.config.runtimes import SUPPORTED_RUNTIMES
from skylift.config.write import FILENAMES, render_settings
from skylift.errors import ConfigError, SkyliftError

T = TypeVar("T")

# Text a settings file can hold: no surrogates (not UTF-8) and no NUL.
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)
NUMBERS = st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False, allow_infinity=False)
SCALARS = st.none() | st.booleans() | NUMBERS | TEXT
JSON_LIKE = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
KEYS = st.sampled_from(sorted(KNOWN_KEYS)) | TEXT
STAGE_BODY = st.dictionaries(KEYS, JSON_LIKE, max_size=8)
STAGE_NAMES = st.sampled_from(["dev", "prod", "base", "dev_eu"])


def outcome(call: Callable[[], T]) -> T | SkyliftError:
    """The call's result, or the SkyliftError it raised; anything else propagates (a bug)."""
    try:
        return call()
    except SkyliftError as exc:
        return exc


@settings(max_examples=200, deadline=None)
@given(stages=st.dictionaries(STAGE_NAMES, STAGE_BODY | JSON_LIKE, min_size=1, max_size=3))
def test_any_mapping_loads_or_raises_a_skylift_error(stages: dict[str, Any]) -> None:
    parsed = SettingsFile(Path("/project/zappa_settings.json"), "zappa", stages)
    for name in stages:
        stage = outcome(lambda name=name: stage_from_file(parsed, name, Path("/project")))
        if isinstance(stage, SkyliftError):
            assert stage.message
            assert stage.hint
            continue
        assert isinstance(stage.settings, StageSettings)
        stage.resolved()
        assert stage.function_name


@settings(max_examples=200, deadline=None)
@given(body=st.dictionaries(st.sampled_from(sorted(KNOWN_KEYS)), JSON_LIKE, max_size=12))
def test_any_known_key_with_any_value_loads_or_raises(body: dict[str, Any]) -> None:
    body.pop("extends", None)
    parsed = SettingsFile(Path("/project/skylift.toml"), "skylift", {"dev": body})
    result = outcome(lambda: stage_from_file(parsed, "dev", Path("/project")))
    if isinstance(result, SkyliftError):
        assert "stage 'dev'" in result.message


SYNTAX_PIECES = [
    *"{}[]:,\"\\ \n\t#/*=-+.!&<>?|ab01e'",
    "yes",
    "2024-13-45",
    "1e400",
    "[stages.dev]",
    "!!binary",
    "dev:",
]
SYNTAX = st.lists(st.sampled_from(SYNTAX_PIECES), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(
    text=SYNTAX,
    name=st.sampled_from(
        ["zappa_settings.json", "zappa_settings.yaml", "skylift.toml", "zappa_settings.toml"]
    ),
)
def test_any_text_parses_or_raises_a_config_error(text: str, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_text(text, encoding="utf-8")
        result = outcome(lambda: read_settings_file(path))
    if isinstance(result, SkyliftError):
        assert isinstance(result, ConfigError)
        assert str(path) in result.message
        assert result.hint


# -- round trips ----------------------------------------------------------------------


def _no_none(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, dict):
        return all(_no_none(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_none(v) for v in value)
    return True


def _same(a: Any, b: Any, *, hjson_numbers: bool = False) -> bool:
    """Equal, types included. hjson (Zappa's JSON reader) reads a whole float such as 1.0
    back as the int 1: with ``hjson_numbers`` an int equal to the float counts as the same."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(
            _same(a[k], b[k], hjson_numbers=hjson_numbers) for k in a
        )
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(
            _same(x, y, hjson_numbers=hjson_numbers) for x, y in zip(a, b, strict=True)
        )
    if hjson_numbers and type(a) is int and type(b) is float:
        return a == b
    return type(a) is type(b) and a == b


ANY_STAGES = st.dictionaries(
    TEXT.filter(bool), st.dictionaries(TEXT, JSON_LIKE, max_size=6), min_size=1, max_size=3
)


def _round_trip(fmt: Any, stages: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / FILENAMES[fmt]
        path.write_text(render_settings(stages, fmt), encoding="utf-8")
        return read_settings_file(path).stages


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stages=ANY_STAGES)
def test_zappa_json_round_trip(stages: dict[str, Any]) -> None:
    assert _same(_round_trip("zappa-json", stages), stages, hjson_numbers=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stages=ANY_STAGES)
def test_zappa_yaml_round_trip(stages: dict[str, Any]) -> None:
    assert _same(_round_trip("zappa-yaml", stages), stages)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stages=ANY_STAGES.filter(_no_none), fmt=st.sampled_from(["skylift", "pyproject", "zappa-toml"])
)
def test_toml_round_trips(stages: dict[str, Any], fmt: str) -> None:
    assert _same(_round_trip(fmt, stages), stages)


# Valid stages, built from the schema's own kinds of values.
VALID_BODY = st.fixed_dictionaries(
    {"app_function": st.sampled_from(["app.app", "pkg.web.application", "my-app.api"])},
    optional={
        "memory_size": st.integers(128, 10240),
        "timeout_seconds": st.integers(1, 900),
        "runtime": st.sampled_from(SUPPORTED_RUNTIMES),
        "architecture": st.sampled_from(["x86_64", "arm64"]),
        "keep_warm": st.booleans(),
        "apigateway_version": st.sampled_from(["v1", "v2"]),
        "environment_variables": st.dictionaries(TEXT, TEXT, max_size=4),
        "exclude": st.lists(TEXT, max_size=4),
        "tags": st.dictionaries(TEXT, TEXT, max_size=3),
        "cors": st.booleans() | st.fixed_dictionaries({"allowed_origin": TEXT}),
        "aws_region": st.sampled_from(["us-east-1", "eu-west-3", "ap-southeast-2"]),
        "layers": st.lists(TEXT, max_size=2),
        "events": st.lists(
            st.fixed_dictionaries(
                {
                    "function": st.just("tasks.run"),
                    "expression": st.sampled_from(["rate(1 day)", "cron(0 1 * * ? *)"]),
                }
            ),
            max_size=2,
        ),
        "vpc_config": st.fixed_dictionaries({"SubnetIds": st.lists(TEXT, max_size=2)}),
    },
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=VALID_BODY, fmt=st.sampled_from(sorted(FILENAMES)))
def test_valid_stage_loads_back_to_the_same_settings(body: dict[str, Any], fmt: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / FILENAMES[fmt]).write_text(render_settings({"dev": body}, fmt), encoding="utf-8")
        stage = load_stage("dev", project)
    assert stage.settings == StageSettings.model_validate(body)
    assert stage.raw == body
