"""Finding the settings file and reading it into ``{stage: {key: value}}``.

Each format is read the way Zappa 0.63 reads it, so a file that loads there
loads here: JSON through hjson (comments, trailing commas), YAML through
PyYAML's safe loader (YAML 1.1 booleans, anchors, ``<<`` merge keys), TOML.
skylift's own files keep stages under ``[stages.NAME]`` (skylift.toml) or
``[tool.skylift.stages.NAME]`` (pyproject.toml).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skylift.errors import ConfigError, ConfigNotFoundError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

# Zappa's own files in Zappa's order of preference (json, toml, yml, yaml).
SEARCH_ORDER: tuple[str, ...] = (
    "skylift.toml",
    "pyproject.toml",
    "zappa_settings.json",
    "zappa_settings.toml",
    "zappa_settings.yml",
    "zappa_settings.yaml",
)


@dataclass(frozen=True)
class SettingsFile:
    """A parsed settings file: its path, its layout and its stages as written."""

    path: Path
    layout: str  # "skylift", "pyproject" or "zappa"
    stages: dict[str, Any]


def find_settings_file(project_dir: Path) -> Path:
    """The first settings file in ``SEARCH_ORDER`` (pyproject.toml only with [tool.skylift])."""
    for name in SEARCH_ORDER:
        candidate = project_dir / name
        if not candidate.is_file():
            continue
        if name == "pyproject.toml" and not _has_skylift_table(candidate):
            continue
        return candidate
    raise ConfigNotFoundError(
        f"No settings file in {project_dir.resolve()}: looked for {', '.join(SEARCH_ORDER)}.",
        hint="Run `skylift init` to create skylift.toml, or pass -s/--settings-file.",
    )


def _has_skylift_table(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        if "tool.skylift" in text:
            _parse_toml(path, text)  # raises, naming the line: the settings are in there
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and "skylift" in tool


def read_settings_file(path: Path) -> SettingsFile:
    """Parse ``path`` by its extension and pick out the stages by its layout."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigNotFoundError(
            f"Settings file {path} does not exist.",
            hint="Check the path given to -s/--settings-file, or run `skylift init`.",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"Cannot read settings file {path}: {exc}.",
            hint="The settings file must be a readable UTF-8 text file.",
        ) from None
    suffix = path.suffix.lower()
    if suffix == ".toml":
        data = _parse_toml(path, text)
    elif suffix in {".yaml", ".yml"}:
        data = _parse_yaml(path, text)
    elif suffix == ".json":
        data = _parse_json(path, text)
    else:
        raise ConfigError(
            f"Settings file {path} has an unknown extension {suffix!r}.",
            hint="Use .toml, .json, .yaml or .yml.",
        )
    return _pick_stages(path, data)


def _pick_stages(path: Path, data: Any) -> SettingsFile:
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"{path}: the file must hold a mapping of stage names to settings, not {_kind(data)}.",
            hint='Write it like {"dev": {"app_function": "app.app", ...}}.',
        )
    layout = _layout(path, data)
    if layout == "pyproject":
        tool = data.get("tool")
        table = tool.get("skylift") if isinstance(tool, Mapping) else None
        stages = table.get("stages") if isinstance(table, Mapping) else None
        return SettingsFile(path, "pyproject", _stage_table(path, stages, "[tool.skylift.stages]"))
    if layout == "skylift":
        return SettingsFile(path, "skylift", _stage_table(path, data.get("stages"), "[stages]"))
    if not data:
        raise ConfigError(
            f"{path}: the file holds no stages.",
            hint='Add a stage, e.g. {"dev": {"app_function": "app.app"}}, or run `skylift init`.',
        )
    return SettingsFile(path, "zappa", {str(name): _plain(body) for name, body in data.items()})


def _layout(path: Path, data: Mapping[str, Any]) -> str:
    """By the file's name; a file given with -s under another name, by its contents."""
    name = path.name.lower()
    if name == "pyproject.toml":
        return "pyproject"
    if name == "skylift.toml":
        return "skylift"
    if name.startswith("zappa_settings"):
        return "zappa"
    tool = data.get("tool")
    if isinstance(tool, Mapping) and "skylift" in tool:
        return "pyproject"
    if path.suffix.lower() == ".toml" and set(data) == {"stages"}:
        return "skylift"
    return "zappa"


def _stage_table(path: Path, stages: Any, where: str) -> dict[str, Any]:
    if not isinstance(stages, Mapping) or not stages:
        raise ConfigError(
            f"{path}: no stages found under {where}.",
            hint=f'Add a stage, e.g. {where[:-1]}.dev] with app_function = "app.app".',
        )
    for name, body in stages.items():
        if not isinstance(body, Mapping):
            raise ConfigError(
                f"{path}: {where[:-1]}.{name}] must be a table of settings, not {_kind(body)}.",
                hint=f'Write it as {where[:-1]}.{name}] followed by lines like app_function = "app.app".',
            )
    return {str(name): _plain(body) for name, body in stages.items()}


def _plain(value: Any) -> Any:
    """OrderedDicts (hjson) to dicts, recursively, keeping every value as written."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _parse_toml(path: Path, text: str) -> Any:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
        # tomllib ends its message with "(at line L, column C)"; put the place first.
        reason = str(exc)
        match = re.search(r"\s*\(at line (\d+), column (\d+)\)$", reason)
        line = col = None
        if match:
            line, col = int(match.group(1)), int(match.group(2))
            reason = reason[: match.start()]
        raise _syntax_error(path, text, "TOML", line, col, reason, _TOML_HINT) from None


def _parse_yaml(path: Path, text: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, RecursionError, OverflowError) as exc:
        # PyYAML raises ValueError for impossible dates (2024-02-30) it resolved implicitly.
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise _syntax_error(path, text, "YAML", line, col, problem, _YAML_HINT) from None


def _parse_json(path: Path, text: str) -> Any:
    import hjson

    try:
        return hjson.loads(text)
    except Exception as exc:
        # hjson also fails with IndexError and OverflowError (1e400) on malformed input;
        # whatever it raises, the file is not valid JSON to it, nor to Zappa.
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        reason = getattr(exc, "msg", None) or str(exc) or type(exc).__name__
        raise _syntax_error(path, text, "JSON", line, col, reason, _JSON_HINT) from None


_TOML_HINT = 'Fix the line shown; TOML strings need quotes: key = "value".'
_YAML_HINT = "Check the indentation and quoting around the line shown."
_JSON_HINT = "Check for a missing comma, quote or brace at or just before the line shown."


def _syntax_error(
    path: Path,
    text: str,
    fmt: str,
    line: int | None,
    col: int | None,
    reason: str,
    hint: str,
) -> ConfigError:
    reason = reason.strip().rstrip(".")
    if line is None:
        return ConfigError(f"{path}: invalid {fmt}: {reason}.", hint=hint)
    where = f"line {line}" + (f", column {col}" if col else "")
    message = f"{path}: invalid {fmt} at {where}: {reason}."
    lines = text.splitlines()
    if 0 < line <= len(lines) and lines[line - 1].strip():
        message += f"\n  {line} | {lines[line - 1][:120]}"
    return ConfigError(message, hint=hint)


def _kind(value: Any) -> str:
    if value is None:
        return "an empty document"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"
