"""Zappa's ``callbacks`` (settings, zip, post) and ``prebuild_script``: user functions by dotted path.

The function is looked up as Zappa does: first as a module under the project
directory, then as an importable module. skylift calls them with what each
moment has: ``settings`` and ``prebuild_script`` get the Stage, ``zip`` gets
the archive's path, ``post`` gets whatever deploy passes (the deployed stage).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skylift.config import Stage
from skylift.errors import PackagingError

POSITIONS = ("settings", "zip", "post")


def callback_path(stage: Stage, position: str) -> str | None:
    callbacks = stage.settings.callbacks
    if callbacks is None:
        return None
    value = getattr(callbacks, position, None)
    return str(value) if value else None


def run_callback(stage: Stage, position: str, argument: Any) -> bool:
    """Call ``callbacks.<position>`` if the stage sets it; whether one ran."""
    dotted = callback_path(stage, position)
    if dotted is None:
        return False
    _call(stage.project_dir, dotted, f"callbacks.{position}", argument)
    return True


def run_prebuild_script(stage: Stage) -> bool:
    dotted = stage.settings.prebuild_script
    if not dotted:
        return False
    _call(stage.project_dir, dotted, "prebuild_script", stage)
    return True


def _call(project_dir: Path, dotted: str, setting: str, argument: Any) -> None:
    func = load_function(project_dir, dotted, setting)
    try:
        func(argument)
    except Exception as exc:
        raise PackagingError(
            f"{setting} {dotted} failed: {type(exc).__name__}: {exc}",
            hint=f"Fix the function, or remove `{setting}` from the settings.",
        ) from exc


def load_function(project_dir: Path, dotted: str, setting: str) -> Callable[[Any], Any]:
    module_name, _, attr = dotted.rpartition(".")
    root = str(project_dir.resolve())
    added = root not in sys.path
    stale = sys.modules.get(module_name)
    if stale is not None and str(getattr(stale, "__file__", "")).startswith(root + "/"):
        del sys.modules[module_name]  # the project's file may have changed since: load it anew
    if added:
        sys.path.insert(0, root)
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise PackagingError(
            f"{setting}: cannot import module {module_name!r} ({type(exc).__name__}: {exc}).",
            hint=f"The module must be in the project directory or installed; fix `{setting}`.",
        ) from exc
    finally:
        if added:
            sys.path.remove(root)
    func = getattr(module, attr, None)
    if not callable(func):
        raise PackagingError(
            f"{setting}: module {module_name!r} has no function {attr!r}.",
            hint=f"Fix `{setting}` to name a function, as module.function.",
        )
    return func  # type: ignore[no-any-return]
