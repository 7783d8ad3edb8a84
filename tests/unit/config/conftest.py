"""Helpers for the settings tests: write a settings file into a project and load a stage."""

from __future__ import annotations

from pathlib import Path

import pytest

from skylift.config import Stage, load_stage
from skylift.errors import ConfigError
from tests.conftest import write


def load_text(project: Path, filename: str, text: str, stage: str = "dev") -> Stage:
    write(project / filename, text)
    return load_stage(stage, project)


def load_error(project: Path, filename: str, text: str, stage: str = "dev") -> ConfigError:
    write(project / filename, text)
    with pytest.raises(ConfigError) as info:
        load_stage(stage, project)
    return info.value
