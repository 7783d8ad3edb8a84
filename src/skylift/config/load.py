"""Load and validate stages: extends, defaults, type checks, helpful messages.

Everything here runs before any AWS call: a bad file, an unknown stage or a
wrong value ends in a ``ConfigError`` naming the file, the stage and the key.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from skylift.config.files import SettingsFile, find_settings_file, read_settings_file
from skylift.config.runtimes import RETIRED_RUNTIMES, SUPPORTED_RUNTIMES, default_runtime
from skylift.config.schema import KNOWN_KEYS, StageSettings
from skylift.config.stage import Stage
from skylift.errors import ConfigError, UnknownStageError


def open_settings(
    project_dir: Path | str = ".", settings_file: Path | str | None = None
) -> SettingsFile:
    """Find (or take) the settings file and parse it."""
    project = Path(project_dir)
    if settings_file is None:
        return read_settings_file(find_settings_file(project))
    path = Path(settings_file)
    if not path.is_absolute() and not path.exists() and (project / path).exists():
        path = project / path
    return read_settings_file(path)


def stage_names(
    project_dir: Path | str = ".", settings_file: Path | str | None = None
) -> list[str]:
    return list(open_settings(project_dir, settings_file).stages)


def load_stage(
    stage: str,
    project_dir: Path | str = ".",
    settings_file: Path | str | None = None,
) -> Stage:
    """The validated settings of ``stage``; raises ``ConfigError`` with a hint otherwise."""
    parsed = open_settings(project_dir, settings_file)
    return stage_from_file(parsed, stage, Path(project_dir))


def load_all_stages(
    project_dir: Path | str = ".", settings_file: Path | str | None = None
) -> list[Stage]:
    parsed = open_settings(project_dir, settings_file)
    return [stage_from_file(parsed, name, Path(project_dir)) for name in parsed.stages]


def stage_from_file(parsed: SettingsFile, stage: str, project_dir: Path) -> Stage:
    raw = merged_stage(parsed, stage)
    warnings = _unknown_key_warnings(raw, parsed.path, stage)
    settings = validate_stage(raw, parsed.path, stage)
    warnings += _runtime_warnings(settings, parsed.path, stage)
    stage_obj = Stage(
        name=stage,
        settings=settings,
        project_dir=project_dir.resolve(),
        source=parsed.path,
        raw=raw,
        warnings=tuple(warnings),
    )
    _require_entry_point(stage_obj)
    return stage_obj


def merged_stage(parsed: SettingsFile, stage: str) -> dict[str, Any]:
    """The stage's mapping after ``extends``: shallow, child keys win, as Zappa merges."""
    if stage not in parsed.stages:
        known = list(parsed.stages)
        close = difflib.get_close_matches(stage, known, n=1)
        hint = f"Did you mean '{close[0]}'? " if close else ""
        raise UnknownStageError(
            f"Stage '{stage}' is not in {parsed.path} (stages: {', '.join(known) or 'none'}).",
            hint=hint + "Pick one of the stages listed, or add it to the settings file.",
        )
    chain: list[str] = []
    name: str | None = stage
    merged: dict[str, Any] = {}
    while name is not None:
        if name in chain:
            cycle = " -> ".join([*chain, name])
            raise ConfigError(
                f"{parsed.path}: stage '{stage}' has a circular extends: {cycle}.",
                hint="Remove one of the extends so the chain ends.",
            )
        chain.append(name)
        if name not in parsed.stages:
            raise ConfigError(
                f"{parsed.path}: stage '{chain[-2]}' extends '{name}', which is not a stage.",
                hint=f"Stages in the file: {', '.join(parsed.stages)}.",
            )
        body = parsed.stages[name]
        if not isinstance(body, dict):
            raise ConfigError(
                f"{parsed.path}: stage '{name}' must be a mapping of settings, not "
                f"{type(body).__name__} {body!r}.",
                hint='Write the stage as {"app_function": "app.app", ...}.',
            )
        merged = {**body, **merged}
        parent = body.get("extends")
        if parent is not None and not isinstance(parent, str):
            raise ConfigError(
                f"{parsed.path}: stage '{name}', key 'extends': expected a stage name, "
                f"got {parent!r}.",
                hint="extends names another stage of the same file.",
            )
        name = parent or None
    return merged


def validate_stage(raw: dict[str, Any], path: Path, stage: str) -> StageSettings:
    try:
        return StageSettings.model_validate(raw)
    except ValidationError as exc:
        problems = [_describe(err) for err in exc.errors(include_url=False)]
        first = problems[0]
        more = "".join(f"\n  - {p}" for p in problems[1:])
        raise ConfigError(
            f"{path}: stage '{stage}': {first}{more}",
            hint="Fix the value in the settings file; docs/settings.md lists every key "
            "with its type and default.",
        ) from None


def _describe(err: Any) -> str:
    loc = ".".join(str(part) for part in err["loc"] if not _is_union_tag(part))
    value = err.get("input")
    msg = str(err["msg"])
    msg = msg[0].lower() + msg[1:] if msg else msg
    if err["type"] == "string_pattern_mismatch" and "pattern" in err.get("ctx", {}):
        msg = "expected a dotted path such as 'module.attribute'"
    return f"key '{loc}': {msg} (got {_show(value)})"


def _is_union_tag(part: Any) -> bool:
    # pydantic puts the union member tried into the location (e.g. 'CorsSpec',
    # "literal['auto']"); those are noise for someone editing a settings file.
    return isinstance(part, str) and (
        part[:1].isupper() or part.startswith(("literal[", "list[", "bool", "str", "dict["))
    )


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _unknown_key_warnings(raw: dict[str, Any], path: Path, stage: str) -> list[str]:
    warnings = []
    for key in raw:
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.6)
        nearest = f"; did you mean '{close[0]}'?" if close else "."
        warnings.append(f"{path.name}: stage '{stage}': unknown key '{key}' is ignored{nearest}")
    return warnings


def _runtime_warnings(settings: StageSettings, path: Path, stage: str) -> list[str]:
    runtime = settings.runtime
    if runtime in SUPPORTED_RUNTIMES:
        return []
    if runtime in RETIRED_RUNTIMES:
        return [
            f"{path.name}: stage '{stage}': runtime '{runtime}' is no longer accepted by "
            f"Lambda; deploy will refuse it. Use '{default_runtime()}' (supported: "
            f"{', '.join(SUPPORTED_RUNTIMES)})."
        ]
    raise ConfigError(
        f"{path}: stage '{stage}': key 'runtime': '{runtime}' is not a Lambda Python runtime.",
        hint=f"Use one of: {', '.join(SUPPORTED_RUNTIMES)}.",
    )


def _require_entry_point(stage: Stage) -> None:
    s = stage.settings
    if not stage.serves_http or s.app_function or s.lambda_handler or s.django_settings:
        return
    raise ConfigError(
        f"{stage.source}: stage '{stage.name}': key 'app_function' is missing; the stage "
        "serves HTTP (API Gateway or a Function URL) and needs the app to call.",
        hint='Set app_function to your app\'s dotted path, e.g. "app.app" '
        "(or django_settings for Django), or run `skylift init`.",
    )
