"""``extends``: Zappa's shallow merge, chains, cycles and unknown parents."""

from __future__ import annotations

from pathlib import Path

import pytest

from skylift.config import load_all_stages
from skylift.config.files import SettingsFile
from skylift.config.load import merge_extends
from skylift.errors import ConfigError
from tests.unit.config.conftest import load_error, load_text

CHAIN = """{
    "base": {"app_function": "app.app", "memory_size": 256,
             "environment_variables": {"A": "1", "B": "2"}, "tags": {"team": "x"}},
    "dev": {"extends": "base", "environment_variables": {"C": "3"}},
    "dev_eu": {"extends": "dev", "aws_region": "eu-west-1", "memory_size": 1024}
}"""


def test_child_keys_win_and_maps_are_replaced_not_merged(project: Path) -> None:
    stage = load_text(project, "zappa_settings.json", CHAIN, "dev")
    assert stage.settings.environment_variables == {"C": "3"}  # shallow, as in Zappa
    assert stage.settings.tags == {"team": "x"}
    assert stage.settings.memory_size == 256


def test_chain_of_three(project: Path) -> None:
    stage = load_text(project, "zappa_settings.json", CHAIN, "dev_eu")
    assert stage.settings.aws_region == "eu-west-1"
    assert stage.settings.memory_size == 1024
    assert stage.settings.environment_variables == {"C": "3"}
    assert stage.settings.app_function == "app.app"
    assert stage.raw["extends"] == "dev"


def test_origins_name_the_stage_that_set_each_key() -> None:
    import hjson

    parsed = SettingsFile(Path("z.json"), "zappa", hjson.loads(CHAIN))
    merged = merge_extends(parsed, "dev_eu")
    assert merged.chain == ("dev_eu", "dev", "base")
    assert merged.origins["memory_size"] == "dev_eu"
    assert merged.origins["environment_variables"] == "dev"
    assert merged.origins["app_function"] == "base"


def test_error_in_a_parent_names_where_it_was_set(project: Path) -> None:
    text = '{"base": {"memory_size": "big"}, "dev": {"extends": "base", "app_function": "a.b"}}'
    err = load_error(project, "zappa_settings.json", text)
    assert (
        "stage 'dev': key 'memory_size' (set in stage 'base', which 'dev' extends)" in err.message
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"dev": {"extends": "dev"}}', "circular extends: dev -> dev"),
        (
            '{"dev": {"extends": "a"}, "a": {"extends": "b"}, "b": {"extends": "a"}}',
            "circular extends: dev -> a -> b -> a",
        ),
        ('{"dev": {"extends": "bsae"}, "base": {}}', "key 'extends': 'bsae' is not a stage"),
        ('{"dev": {"extends": 3}}', "key 'extends': expected the name of another stage, got 3"),
        ('{"dev": {"extends": "base"}, "base": [1]}', "stage 'base' must be a mapping"),
    ],
)
def test_broken_extends(project: Path, text: str, message: str) -> None:
    assert message in load_error(project, "zappa_settings.json", text).message


def test_unknown_parent_suggests_the_nearest_stage(project: Path) -> None:
    err = load_error(project, "zappa_settings.json", '{"dev": {"extends": "bsae"}, "base": {}}')
    assert "Did you mean 'base'?" in (err.hint or "")


def test_empty_extends_ends_the_chain_as_in_zappa(project: Path) -> None:
    stage = load_text(
        project, "zappa_settings.json", '{"dev": {"extends": "", "app_function": "a.b"}}'
    )
    assert stage.settings.extends == ""


def test_unknown_stage_with_nearest_name(project: Path) -> None:
    err = load_error(project, "zappa_settings.json", CHAIN, "devv")
    assert "Stage 'devv' is not in" in err.message
    assert "stages: base, dev, dev_eu" in err.message
    assert (err.hint or "").startswith("Did you mean 'dev'?")
    assert err.exit_code == 2


def test_load_all_stages(project: Path) -> None:
    load_text(project, "zappa_settings.json", CHAIN)
    assert [s.name for s in load_all_stages(project)] == ["base", "dev", "dev_eu"]


def test_extends_in_skylift_toml(project: Path) -> None:
    text = '[stages.base]\napp_function = "a.b"\n\n[stages.prod]\nextends = "base"\nmemory_size = 2048\n'
    stage = load_text(project, "skylift.toml", text, "prod")
    assert (stage.settings.app_function, stage.settings.memory_size) == ("a.b", 2048)


def test_cycle_error_is_a_config_error(project: Path) -> None:
    err = load_error(project, "zappa_settings.json", '{"dev": {"extends": "dev"}}')
    assert isinstance(err, ConfigError)
    assert err.hint
