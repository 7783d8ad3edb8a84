"""Rollback refusals name the stage (with --all, several are checked) and its commands."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from skylift.deploy.names import Names
from skylift.deploy.rollback import plan_rollback
from skylift.errors import DeployError, UsageError
from tests.unit.deploy.support import deployed, make_desired

PROD = Names(project="hello", stage="prod", function="hello-prod")


def test_a_refused_rollback_names_its_stage(tmp_path: Path) -> None:
    current = replace(deployed(make_desired(tmp_path), versions=1), alias_version="1")
    with pytest.raises(DeployError, match=r"^Stage 'prod' cannot roll back 1 version"):
        plan_rollback(PROD, current, 1)


def test_the_n_hint_names_the_stage_given(tmp_path: Path) -> None:
    current = deployed(make_desired(tmp_path), versions=2)
    with pytest.raises(UsageError) as err:
        plan_rollback(PROD, current, 0)
    assert "`skylift rollback prod -n 1`" in (err.value.hint or "")
