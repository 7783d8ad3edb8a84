"""The runtime's own settings file, ``skylift_settings.json`` at the package root.

Packaging writes it from the stage's resolved settings, keeping only the keys
below; the handler reads it once per execution environment. Environment
variables are not in it: deploy puts them in the function's configuration, so
changing one never changes the artifact.

This module is imported on every cold start: ``json`` and ``pathlib`` are imported
only when the file is read.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

SETTINGS_FILENAME = "skylift_settings.json"

# Identity keys written next to the settings: the stage and the names derived from it.
IDENTITY_KEYS: tuple[str, ...] = ("stage", "project_name", "function_name")

# Settings the runtime acts on, by their Zappa names.
RUNTIME_SETTING_KEYS: tuple[str, ...] = (
    "app_function",
    "app_type",
    "django_settings",
    "lambda_handler",
    "exception_handler",
    "settings_file",
    "include",
    "log_level",
    "debug",
    "raw_invoke_enabled",
    "binary_support",
    "additional_text_mimetypes",
    "context_header_mappings",
    "events",
    "keep_warm",
    "authorizer",
    "cognito",
    "async_source",
    "async_response_table",
    "remote_env",
    "remote_env_bucket",
    "remote_env_file",
    "slim_handler",
    "apigateway_version",
    "base_path",
    "domain",
    "aws_region",
)


def settings_path() -> Path:
    """Where the settings file is: the task root on Lambda, else the working directory."""
    from pathlib import Path

    return Path(os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()) / SETTINGS_FILENAME


def load_runtime_settings(path: Path | None = None) -> dict[str, Any]:
    """The settings the package was built with; empty when there is no file (tests, adapt())."""
    import json

    target = path or settings_path()
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return data if isinstance(data, dict) else {}
