"""What deploy says it does not create yet: keep_warm only where the user expects the schedule."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from skylift.deploy.desired import unsupported_warnings
from tests.unit.deploy.support import make_stage


def keep_warm_warned(stage_dir: Path, source: str = "skylift.toml", **settings: object) -> bool:
    stage = replace(make_stage(stage_dir, **settings), source=stage_dir / source)
    return any("keep_warm is on" in w for w in unsupported_warnings(stage))


@pytest.mark.parametrize(
    ("source", "settings", "warned"),
    [
        ("skylift.toml", {}, False),  # never asked for: no noise on every deploy
        ("skylift.toml", {"keep_warm": True}, True),
        ("skylift.toml", {"keep_warm": False}, False),
        ("zappa_settings.json", {}, True),  # Zappa makes the schedule by default
        ("zappa_settings.yaml", {"keep_warm": False}, False),
    ],
)
def test_keep_warm_warning(
    tmp_path: Path, source: str, settings: dict[str, object], warned: bool
) -> None:
    assert keep_warm_warned(tmp_path, source, **settings) is warned


def test_keep_warm_warning_names_the_schedule(tmp_path: Path) -> None:
    stage = make_stage(tmp_path, keep_warm=True, keep_warm_expression="rate(5 minutes)")
    [warning] = unsupported_warnings(stage)
    assert "rate(5 minutes)" in warning
    assert "keep_warm = false" in warning
