"""Wrong types and values: one message naming file, stage, key, value and what is allowed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skylift.config import KNOWN_KEYS, StageSettings, load_stage
from skylift.config.files import SettingsFile
from skylift.config.load import stage_from_file
from skylift.errors import ConfigError, SkyliftError

FIXTURES = Path(__file__).parent / "fixtures"


def load(settings: dict[str, Any], stage: str = "dev") -> Any:
    body = {"app_function": "app.app", **settings}
    parsed = SettingsFile(Path("/p/zappa_settings.json"), "zappa", {stage: body})
    return stage_from_file(parsed, stage, Path("."))


def error(settings: dict[str, Any]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(settings)
    return info.value


def test_every_key_zappa_documents_loads_without_a_warning() -> None:
    stage = load_stage("dev", FIXTURES, FIXTURES / "zappa_every_key.json")
    assert stage.warnings == ()
    raw = stage.raw
    assert set(raw) <= KNOWN_KEYS
    s = stage.settings
    assert s.events[1].event_source is not None
    assert s.events[1].event_source.arn == "arn:aws:s3:::my-bucket"
    assert s.events[3].event_source is not None
    assert s.events[3].event_source.filters == {"interests": ["python"]}
    assert s.function_url_config is not None
    assert s.function_url_config.cors
    assert s.efs_config is not None
    assert s.efs_config[0].LocalMountPath == "/mnt/data"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"memory_size": "512"},
            "key 'memory_size': expected a whole number from 128 to 10240, got the string \"512\"",
        ),
        ({"memory_size": 64}, "expected a whole number from 128 to 10240, got the number 64"),
        ({"timeout_seconds": 30.5}, "key 'timeout_seconds': expected a whole number from 1 to 900"),
        (
            {"keep_warm": "false"},
            "key 'keep_warm': expected true or false, got the string \"false\"",
        ),
        ({"debug": 1}, "key 'debug': expected true or false, got the number 1"),
        ({"apigateway_version": "V2"}, 'expected one of "v1", "v2", got the string "V2"'),
        ({"architecture": "amd64"}, 'expected one of "x86_64", "arm64"'),
        ({"runtime": "python3.99"}, "key 'runtime': expected one of \"python3.9\""),
        (
            {"app_function": "app:app"},
            "key 'app_function': expected a dotted path such as 'app.app'",
        ),
        ({"app_function": "app"}, "expected a dotted path"),
        ({"cors": [1]}, "key 'cors': expected true, false, or a mapping of allowed_headers"),
        (
            {"cors": {"max_age": "x"}},
            "key 'cors.max_age': expected a whole number of at least 0, got the string",
        ),
        ({"layers": "x"}, "key 'layers': expected a list of strings or \"auto\""),
        ({"layers": [1]}, "key 'layers[0]': expected a string, got the number 1"),
        (
            {"environment_variables": {"DEBUG": True}},
            "key 'environment_variables.DEBUG': expected a string, got true",
        ),
        (
            {"environment_variables": {"my var": 1}},
            "key 'environment_variables['my var']': expected a string",
        ),
        ({"environment_variables": ["A=1"]}, "expected a mapping of names to strings, got a list"),
        ({"exclude": "tests"}, "key 'exclude': expected a list of strings, got the string"),
        (
            {"events": [{"function": "a.b"}]},
            "key 'events[0]': an event needs 'expression', 'expressions' or 'event_source'",
        ),
        ({"events": [{"expression": "rate(1 minute)"}]}, "key 'events[0].function': is required"),
        (
            {"events": [{"function": "a.b", "event_source": {"arn": "arn:aws:kafka:x"}}]},
            "key 'events[0].event_source.arn': expected the ARN of",
        ),
        (
            {"events": [{"function": "a.b", "expression": "every 5 minutes"}]},
            "expected a schedule such as 'rate(4 minutes)'",
        ),
        ({"keep_warm_expression": "rate(4)"}, "key 'keep_warm_expression': expected a schedule"),
        ({"s3_bucket": "My_Bucket"}, "key 's3_bucket': expected an S3 bucket name"),
        ({"aws_region": "US-EAST-1"}, "key 'aws_region': expected an AWS region name"),
        ({"project_name": "my project"}, "key 'project_name': expected up to 80 letters"),
        ({"cache_cluster_size": 1.7}, "key 'cache_cluster_size': expected one of 0.5, 1.6"),
        (
            {"ephemeral_storage": {"Size": 100}},
            "key 'ephemeral_storage.Size': expected a whole number from 512",
        ),
        ({"ephemeral_storage": {}}, "key 'ephemeral_storage.Size': is required but missing"),
        (
            {"vpc_config": {"SubnetIds": ["s"]}, "efs_config": [{"LocalMountPath": "/data"}]},
            "key 'efs_config[0].LocalMountPath': expected a path under /mnt/",
        ),
        ({"efs_config": True}, "key 'efs_config': needs vpc_config"),
        (
            {"vpc_config": {}, "efs_config": [{}, {}]},
            "key 'efs_config[1].LocalMountPath': '/mnt/efs' is mounted twice",
        ),
        ({"alb_enabled": True}, "key 'alb_vpc_config': alb_enabled needs alb_vpc_config"),
        (
            {"binary_support": False, "additional_text_mimetypes": ["a/b"]},
            "key 'additional_text_mimetypes': needs binary_support",
        ),
        ({"websocket_handler_module": "ws.py"}, "is a file name"),
        ({"function_url_config": {"authorizer": "IAM"}}, 'expected one of "NONE", "AWS_IAM"'),
        ({"log_level": "debug"}, "key 'log_level': expected one of \"CRITICAL\""),
        ({"num_retained_versions": 0}, "expected a whole number of at least 1"),
        (
            {"endpoint_configuration": ["REGION"]},
            "key 'endpoint_configuration[0]': expected one of",
        ),
    ],
)
def test_wrong_value_messages(settings: dict[str, Any], expected: str) -> None:
    err = error(settings)
    assert err.message.startswith("/p/zappa_settings.json: stage 'dev'")
    assert expected in err.message
    assert err.exit_code == 2
    assert err.hint


def test_no_pydantic_internals_in_messages() -> None:
    err = error({"cors": [1], "layers": {"a": 1}, "function_url_config": {"cors": 5}})
    for noise in (
        "CorsSpec",
        "literal[",
        "Input should",
        "pydantic",
        "union",
        "FunctionUrlCorsSpec",
    ):
        assert noise not in err.message


def test_several_problems_are_listed_in_key_order() -> None:
    err = error({"timeout_seconds": 0, "memory_size": 1, "debug": "yes"})
    lines = err.message.splitlines()
    assert lines[0].endswith("stage 'dev' has 3 invalid settings:")
    assert [line.split("'")[1] for line in lines[1:]] == ["debug", "memory_size", "timeout_seconds"]


def test_null_where_no_null_is_allowed_points_at_the_default() -> None:
    err = error({"memory_size": None})
    assert "key 'memory_size': expected a whole number from 128 to 10240, got null" in err.message
    assert err.hint == "Remove 'memory_size' to use its default (512), or give a value."


def test_colon_in_app_function_hints_at_the_dot() -> None:
    assert "Write 'app.app'" in (error({"app_function": "app:app"}).hint or "")


@pytest.mark.parametrize(
    "settings",
    [
        {"profile_name": None, "aws_region": None, "s3_bucket": None, "domain": None},
        {"exclude": None, "exclude_glob": None, "additional_text_mimetypes": None},
        {"cors": True},
        {"cors": {"allowed_origin": "https://a.example", "allowed_headers": ["X-A"]}},
        {"efs_config": {"Arn": "arn:x"}, "vpc_config": {"SubnetIds": ["s"]}},
        {"authorizer": {"type": "token", "function": "auth.check"}},
        {"function_url_enabled": True, "function_url_config": {"cors": True}},
        {"layers": "auto"},
        {"cache_cluster_size": "6.1"},
        {"runtime": "python3.9", "architecture": "arm64"},
        {"app_function": "my-app.app"},
        {"events": [{"function": "a.b", "expressions": ["rate(1 day)", "cron(0 12 * * ? *)"]}]},
    ],
)
def test_values_zappa_accepts_load(settings: dict[str, Any]) -> None:
    load(settings)


def test_null_collections_read_as_empty_and_other_forms_are_normalised() -> None:
    s = load({"exclude": None, "efs_config": True, "vpc_config": {}}).settings
    assert s.exclude == []
    assert [e.LocalMountPath for e in s.efs_config] == ["/mnt/efs"]
    assert load({"authorizer": {"type": "token"}}).settings.authorizer.type == "TOKEN"


def test_delete_zip_is_zappas_older_name_and_wins() -> None:
    s = load({"delete_zip": False, "delete_local_zip": True}).settings
    assert s.delete_local_zip is False


def test_defaults_are_zappas() -> None:
    s = StageSettings.model_validate({})
    assert (s.memory_size, s.timeout_seconds, s.architecture) == (512, 30, "x86_64")
    assert (s.keep_warm, s.keep_warm_expression) == (True, "rate(4 minutes)")
    assert (s.apigateway_version, s.apigateway_enabled, s.binary_support) == ("v1", True, True)
    assert (s.profile_name, s.log_level, s.debug, s.manage_roles) == (None, "DEBUG", True, True)
    assert s.function_url_config is None
    s = StageSettings.model_validate({"function_url_config": {}})
    assert s.function_url_config is not None
    assert s.function_url_config.cors
    assert s.function_url_config.cors.allowedHeaders == ["*"]


# -- warnings ------------------------------------------------------------------


def test_unknown_key_warns_with_nearest_known_key() -> None:
    stage = load({"memroy_size": 1024, "zzzzzz": 1})
    assert (
        "zappa_settings.json: stage 'dev': unknown key 'memroy_size' is ignored; did you mean "
        "'memory_size'?" in stage.warnings
    )
    assert "zappa_settings.json: stage 'dev': unknown key 'zzzzzz' is ignored." in stage.warnings
    assert stage.settings.memory_size == 512
    assert "memroy_size" not in stage.resolved()["settings"]


def test_unknown_nested_key_warns_with_nearest() -> None:
    stage = load(
        {
            "vpc_config": {"SubnetId": ["s"]},
            "events": [{"function": "a.b", "expresion": "x", "expression": "rate(1 day)"}],
        }
    )
    assert any(
        "unknown key 'vpc_config.SubnetId' is ignored; did you mean 'SubnetIds'?" in w
        for w in stage.warnings
    )
    assert any(
        "unknown key 'events[0].expresion' is ignored; did you mean 'expression'?" in w
        for w in stage.warnings
    )


def test_retired_runtime_loads_with_a_warning_naming_a_supported_one() -> None:
    stage = load({"runtime": "python3.8"})
    (warning,) = stage.warnings
    assert "runtime 'python3.8' is no longer accepted by Lambda; deploy will refuse it" in warning
    assert "Use 'python3." in warning


def test_other_warnings() -> None:
    assert any("names a file" in w for w in load({"app_function": "app.py"}).warnings)
    both = load({"iam_authorization": True, "authorizer": {"function": "a.b"}}).warnings
    assert any("IAM is used" in w for w in both)
    parsed = SettingsFile(Path("/p/z.json"), "zappa", {"dev-eu": {"app_function": "a.b"}})
    assert any(
        "stage names allow only" in w for w in stage_from_file(parsed, "dev-eu", Path(".")).warnings
    )


# -- the entry point -----------------------------------------------------------


def test_missing_app_function_is_an_error_where_the_stage_serves_http() -> None:
    parsed = SettingsFile(Path("/p/z.json"), "zappa", {"dev": {"memory_size": 256}})
    with pytest.raises(ConfigError) as info:
        stage_from_file(parsed, "dev", Path("."))
    assert "stage 'dev': key 'app_function' is missing" in info.value.message
    assert info.value.exit_code == 2


@pytest.mark.parametrize(
    "body",
    [
        {"apigateway_enabled": False},
        {"use_apigateway": False},
        {"django_settings": "mysite.settings"},
        {"lambda_handler": "handler.main"},
    ],
)
def test_app_function_not_needed(body: dict[str, Any]) -> None:
    parsed = SettingsFile(Path("/p/z.json"), "zappa", {"dev": body})
    stage_from_file(parsed, "dev", Path("."))


def test_function_url_alone_needs_an_app() -> None:
    parsed = SettingsFile(
        Path("/p/z.json"),
        "zappa",
        {"dev": {"apigateway_enabled": False, "function_url_enabled": True}},
    )
    with pytest.raises(SkyliftError, match="app_function"):
        stage_from_file(parsed, "dev", Path("."))


def test_resolved_is_json_ready() -> None:
    resolved = load({"tags": {"a": "b"}}).resolved()
    assert json.loads(json.dumps(resolved)) == resolved
    assert resolved["settings"]["tags"] == {"a": "b"}
    assert resolved["stage"] == "dev"
