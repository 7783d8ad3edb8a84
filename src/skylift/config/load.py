"""Load and validate stages: extends, defaults, type checks, helpful messages.

Everything here runs before any AWS call: a bad file, an unknown stage or a
wrong value ends in a ``ConfigError`` naming the file, the stage and the key.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skylift.config.files import SettingsFile, find_settings_file, read_settings_file
from skylift.config.runtimes import RETIRED_RUNTIMES, SUPPORTED_RUNTIMES, default_runtime
from skylift.config.schema import StageSettings
from skylift.config.stage import Stage
from skylift.config.types import API_STAGE_NAME
from skylift.config.validation import (
    InvalidSettingsError,
    UnknownKey,
    unknown_keys,
    validate_stage,
)
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
    merged = merge_extends(parsed, stage)
    unknown = unknown_keys(merged.raw)
    try:
        settings = validate_stage(merged.raw, parsed.path, stage, merged.origins)
        stage_obj = Stage(
            name=stage,
            settings=settings,
            project_dir=project_dir.resolve(),
            source=parsed.path,
            raw=merged.raw,
            origins=merged.origins,
            warnings=tuple(_warnings(merged, settings, unknown, parsed.path, stage)),
        )
        _require_entry_point(stage_obj)
    except InvalidSettingsError as exc:
        raise _with_unknown_keys(exc, unknown, merged, parsed.path, stage) from None
    return stage_obj


@dataclass(frozen=True)
class MergedStage:
    """A stage's keys after ``extends``, and which stage of the chain set each one."""

    raw: dict[str, Any]
    origins: dict[str, str]
    chain: tuple[str, ...]


def merged_stage(parsed: SettingsFile, stage: str) -> dict[str, Any]:
    """The stage's mapping after ``extends``: shallow, child keys win, as Zappa merges."""
    return merge_extends(parsed, stage).raw


def merge_extends(parsed: SettingsFile, stage: str) -> MergedStage:
    """Follow ``extends`` from ``stage`` to the root. Zappa's merge is shallow: a child's
    ``environment_variables`` replaces the parent's whole map, it is not merged into it."""
    if stage not in parsed.stages:
        raise _unknown_stage(parsed, stage)
    chain: list[str] = []
    name: str | None = stage
    raw: dict[str, Any] = {}
    origins: dict[str, str] = {}
    while name is not None:
        if name in chain:
            cycle = " -> ".join([*chain, name])
            raise ConfigError(
                f"{parsed.path}: stage '{stage}' has a circular extends: {cycle}.",
                hint="Remove one of the extends so the chain ends.",
            )
        if name not in parsed.stages:
            raise _unknown_parent(parsed, chain[-1], name)
        chain.append(name)
        body = parsed.stages[name]
        if not isinstance(body, dict):
            raise ConfigError(
                f"{parsed.path}: stage '{name}' must be a mapping of settings, not {_kind(body)}.",
                hint='Write the stage as {"app_function": "app.app", ...}.',
            )
        for key, value in body.items():
            if key not in raw:
                raw[key] = value
                origins[key] = name
        name = _parent(parsed, name, body.get("extends"))
    return MergedStage(raw, origins, tuple(chain))


def _parent(parsed: SettingsFile, name: str, parent: Any) -> str | None:
    if parent is None or parent == "":
        return None  # Zappa stops at any false-ish extends
    if not isinstance(parent, str):
        raise ConfigError(
            f"{parsed.path}: stage '{name}': key 'extends': expected the name of another "
            f"stage, got {parent!r}.",
            hint=f"Stages in the file: {', '.join(parsed.stages)}.",
        )
    return parent


def _unknown_stage(parsed: SettingsFile, stage: str) -> UnknownStageError:
    known = list(parsed.stages)
    close = difflib.get_close_matches(stage, known, n=1, cutoff=0.5)
    hint = f"Did you mean '{close[0]}'? " if close else ""
    return UnknownStageError(
        f"Stage '{stage}' is not in {parsed.path} (stages: {', '.join(known) or 'none'}).",
        hint=hint + "Pick one of the stages listed, or add it to the settings file.",
    )


def _unknown_parent(parsed: SettingsFile, child: str, parent: str) -> ConfigError:
    close = difflib.get_close_matches(parent, list(parsed.stages), n=1, cutoff=0.5)
    guess = f"Did you mean '{close[0]}'? " if close else ""
    return ConfigError(
        f"{parsed.path}: stage '{child}': key 'extends': '{parent}' is not a stage.",
        hint=f"{guess}Stages in the file: {', '.join(parsed.stages)}.",
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"[:80]


# -- warnings: the stage loads, but something deserves a look ------------------


def _warnings(
    merged: MergedStage,
    settings: StageSettings,
    unknown: list[UnknownKey],
    path: Path,
    stage: str,
) -> list[str]:
    found = [_unknown_warning(u, merged, path, stage) for u in unknown]
    for key, text in _value_warnings(settings, stage):
        found.append(f"{_where(merged, path, stage, key)}: {text}")
    return found


def _where(merged: MergedStage, path: Path, stage: str, key: str | int | None) -> str:
    """Each warning names the stage that wrote the key, so a key inherited through extends
    reads the same from every stage that inherits it (``settings --all`` prints it once)."""
    origin = merged.origins.get(key, stage) if isinstance(key, str) else stage
    return f"{path.name}: stage '{origin}'"


def _unknown_warning(unknown: UnknownKey, merged: MergedStage, path: Path, stage: str) -> str:
    where = _where(merged, path, stage, unknown.path[0])
    return f"{where}: {_unknown(unknown.key, unknown.nearest)}"


def _with_unknown_keys(
    exc: InvalidSettingsError,
    unknown: list[UnknownKey],
    merged: MergedStage,
    path: Path,
    stage: str,
) -> InvalidSettingsError:
    """The error, and the unknown keys of the stage with it: a misspelt key is often why a
    required one is missing, so they are not held back until the error is fixed."""
    if not unknown:
        return exc
    lines = "".join(f"\nWarning: {_unknown_warning(u, merged, path, stage)}" for u in unknown)
    hint = exc.hint
    for u in unknown:
        cause = next((p for p in exc.paths if u.may_be(p)), None)
        if cause is not None:
            hint = (
                f"'{u.key}' looks like a misspelling of '{u.nearest}': rename it "
                "(unknown keys are ignored)."
            )
            break
    return InvalidSettingsError(exc.message + lines, hint=hint, paths=exc.paths)


def _unknown(key: str, nearest: str | None) -> str:
    guess = f"; did you mean '{nearest}'?" if nearest else "."
    return f"unknown key '{key}' is ignored{guess}"


def _value_warnings(settings: StageSettings, stage: str) -> list[tuple[str | None, str]]:
    """(the key the warning is about, or None for the stage itself; the warning)."""
    out: list[tuple[str | None, str]] = []
    if settings.runtime in RETIRED_RUNTIMES:
        out.append(
            (
                "runtime",
                f"runtime '{settings.runtime}' is no longer accepted by Lambda; deploy will "
                f"refuse it. Use '{default_runtime()}' (supported: "
                f"{', '.join(SUPPORTED_RUNTIMES)}).",
            )
        )
    if settings.app_function and settings.app_function.endswith(".py"):
        out.append(
            (
                "app_function",
                f"app_function '{settings.app_function}' names a file; it should name the "
                "app object in it, e.g. 'app.app'.",
            )
        )
    if settings.iam_authorization and settings.authorizer:
        out.append((None, "iam_authorization and authorizer are both set; IAM is used."))
    if not API_STAGE_NAME.fullmatch(stage):
        out.append(
            (
                None,
                "API Gateway stage names allow only letters, digits and '_'; "
                "rename the stage before deploying it.",
            )
        )
    return out


def _require_entry_point(stage: Stage) -> None:
    s = stage.settings
    if not stage.serves_http or s.app_function or s.lambda_handler or s.django_settings:
        return
    raise InvalidSettingsError(
        f"{stage.source}: stage '{stage.name}': key 'app_function' is missing; the stage "
        "serves HTTP (API Gateway or a Function URL) and needs the app to call.",
        hint='Set app_function to your app\'s dotted path, e.g. "app.app" '
        "(or django_settings for Django), or run `skylift init`.",
        paths=[("app_function",)],
    )
