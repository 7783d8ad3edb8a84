"""Every settings format, read the way Zappa 0.63 reads it, and the search order."""

from __future__ import annotations

from pathlib import Path

import pytest

from skylift.config import SEARCH_ORDER, find_settings_file, load_stage, read_settings_file
from skylift.errors import ConfigError, ConfigNotFoundError
from tests.conftest import write
from tests.unit.config.conftest import load_error, load_text


def test_skylift_toml(project: Path) -> None:
    stage = load_text(
        project,
        "skylift.toml",
        '[stages.dev]\napp_function = "app.app"\nmemory_size = 1024\n\n'
        '[stages.dev.environment_variables]\nGREETING = "hi"\n',
    )
    assert stage.settings.memory_size == 1024
    assert stage.settings.environment_variables == {"GREETING": "hi"}
    assert stage.source == project / "skylift.toml"


def test_pyproject_tool_skylift(project: Path) -> None:
    stage = load_text(
        project,
        "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.skylift.stages.dev]\napp_function = "app.app"\n',
    )
    assert stage.settings.app_function == "app.app"


def test_pyproject_without_skylift_table_is_skipped(project: Path) -> None:
    write(project / "pyproject.toml", '[project]\nname = "x"\n')
    write(project / "zappa_settings.json", '{"dev": {"app_function": "app.app"}}')
    assert find_settings_file(project).name == "zappa_settings.json"


def test_broken_pyproject_with_skylift_table_names_the_line(project: Path) -> None:
    err = load_error(project, "pyproject.toml", "[tool.skylift.stages.dev]\napp_function = app\n")
    assert "pyproject.toml: invalid TOML at line 2" in err.message
    assert "app_function = app" in err.message


def test_zappa_json_is_hjson_comments_and_trailing_commas(project: Path) -> None:
    text = """{
        // a comment, as Zappa's README writes them
        "dev": {
            "app_function": "app.app",  # another kind of comment
            "keep_warm": false,
            "exclude": ["tests", "*.gz",],
        },
    }"""
    stage = load_text(project, "zappa_settings.json", text)
    assert stage.settings.keep_warm is False
    assert stage.settings.exclude == ["tests", "*.gz"]


def test_zappa_yaml_is_yaml_1_1_with_anchors_and_merge_keys(project: Path) -> None:
    text = """
common: &common
  app_function: app.app
  keep_warm: no
  xray_tracing: yes
  environment_variables:
    MODE: common
dev:
  <<: *common
  memory_size: 1024
"""
    stage = load_text(project, "zappa_settings.yaml", text)
    assert stage.settings.keep_warm is False
    assert stage.settings.xray_tracing is True
    assert stage.settings.memory_size == 1024
    assert stage.settings.environment_variables == {"MODE": "common"}


def test_zappa_yml(project: Path) -> None:
    stage = load_text(project, "zappa_settings.yml", "dev:\n  app_function: a.b\n")
    assert stage.settings.app_function == "a.b"


def test_zappa_toml(project: Path) -> None:
    stage = load_text(project, "zappa_settings.toml", '[dev]\napp_function = "a.b"\n')
    assert stage.settings.app_function == "a.b"


def test_search_order_prefers_skylift_then_zappa_json_toml_yml_yaml(project: Path) -> None:
    for name in reversed(SEARCH_ORDER):
        if name == "pyproject.toml":
            write(project / name, '[tool.skylift.stages.dev]\napp_function = "a.b"\n')
        else:
            write(project / name, "")
        assert find_settings_file(project).name == name
    assert SEARCH_ORDER[2:] == (
        "zappa_settings.json",
        "zappa_settings.toml",
        "zappa_settings.yml",
        "zappa_settings.yaml",
    )


def test_no_settings_file(project: Path) -> None:
    with pytest.raises(ConfigNotFoundError) as info:
        load_stage("dev", project)
    assert "skylift init" in (info.value.hint or "")
    assert info.value.exit_code == 2


def test_explicit_settings_file_relative_to_project(project: Path, tmp_path: Path) -> None:
    write(project / "conf" / "other.json", '{"dev": {"app_function": "a.b"}}')
    assert load_stage("dev", project, "conf/other.json").source.name == "other.json"
    with pytest.raises(ConfigNotFoundError):
        load_stage("dev", project, "missing.json")


def test_unknown_extension(project: Path) -> None:
    write(project / "settings.ini", "[dev]\n")
    with pytest.raises(ConfigError, match=r"unknown extension '\.ini'"):
        load_stage("dev", project, "settings.ini")


@pytest.mark.parametrize(
    ("filename", "text", "where", "shown"),
    [
        (
            "skylift.toml",
            "[stages.dev]\napp_function = app.app\n",
            "line 2, column 16",
            "app_function",
        ),
        ("zappa_settings.json", '{\n "dev": {\n  "a": [1, 2}\n }\n}\n', "line 3", '"a": [1, 2}'),
        ("zappa_settings.yaml", "dev:\n  a: 1\n   b: 2\n", "line 3, column 5", "b: 2"),
        ("zappa_settings.toml", "[dev]\nkeep_warm = nope\n", "line 2", "keep_warm = nope"),
    ],
)
def test_bad_syntax_names_file_line_and_shows_it(
    project: Path, filename: str, text: str, where: str, shown: str
) -> None:
    err = load_error(project, filename, text)
    first_line = err.message.splitlines()[0]
    assert str(project / filename) in first_line
    assert f"at {where}" in first_line
    assert shown in err.message.splitlines()[1]
    assert err.hint
    assert err.exit_code == 2


@pytest.mark.parametrize(
    ("filename", "text", "message"),
    [
        ("zappa_settings.json", "[1, 2]", "mapping of stage names"),
        ("zappa_settings.yaml", "", "an empty document"),
        ("zappa_settings.json", "{}", "holds no stages"),
        ("skylift.toml", '[stage.dev]\napp_function = "a.b"\n', "no stages found under [stages]"),
        ("skylift.toml", "stages = {dev = 1}\n", "[stages.dev] must be a table"),
        ("zappa_settings.json", '{"dev": "app.app"}', "stage 'dev' must be a mapping"),
    ],
)
def test_wrong_shapes(project: Path, filename: str, text: str, message: str) -> None:
    assert message in load_error(project, filename, text).message


def test_values_come_back_as_written(project: Path) -> None:
    stage = load_text(
        project,
        "zappa_settings.json",
        '{"dev": {"app_function": "a.b", "profile_name": null, "aws_kms_key_arn": "",'
        ' "dead_letter_arn": "", "num_retained_versions": null, "aws_region": ""}}',
    )
    s = stage.settings
    assert s.profile_name is None
    assert s.aws_kms_key_arn == ""
    assert s.dead_letter_arn == ""
    assert s.num_retained_versions is None
    assert s.aws_region == ""
    assert stage.raw["profile_name"] is None


def test_yaml_dates_are_reported_as_dates(project: Path) -> None:
    err = load_error(
        project,
        "zappa_settings.yaml",
        "dev:\n  app_function: a.b\n  lambda_description: 2024-01-02\n",
    )
    assert "got the date 2024-01-02" in err.message


def test_read_settings_file_keeps_plain_dicts(project: Path) -> None:
    write(project / "zappa_settings.json", '{"dev": {"tags": {"a": "b"}, "events": [{"x": 1}]}}')
    parsed = read_settings_file(project / "zappa_settings.json")
    assert type(parsed.stages["dev"]["tags"]) is dict
    assert type(parsed.stages["dev"]["events"][0]) is dict
    assert parsed.layout == "zappa"
