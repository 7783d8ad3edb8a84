"""Settings: skylift.toml, [tool.skylift] in pyproject.toml, or Zappa's files unchanged."""

from skylift.config.detect import Detected, detect_apps
from skylift.config.files import SEARCH_ORDER, SettingsFile, find_settings_file, read_settings_file
from skylift.config.load import load_all_stages, load_stage, open_settings, stage_names
from skylift.config.runtimes import ARCHITECTURES, SUPPORTED_RUNTIMES, default_runtime, glibc_for
from skylift.config.schema import KNOWN_KEYS, StageSettings
from skylift.config.stage import Stage, slugify
from skylift.config.write import render_settings

__all__ = [
    "ARCHITECTURES",
    "KNOWN_KEYS",
    "SEARCH_ORDER",
    "SUPPORTED_RUNTIMES",
    "Detected",
    "SettingsFile",
    "Stage",
    "StageSettings",
    "default_runtime",
    "detect_apps",
    "find_settings_file",
    "glibc_for",
    "load_all_stages",
    "load_stage",
    "open_settings",
    "read_settings_file",
    "render_settings",
    "slugify",
    "stage_names",
]
