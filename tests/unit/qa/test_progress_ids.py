"""Deploy's progress lines show the ids AWS assigned earlier in the run, not placeholders."""

from __future__ import annotations

from typing import Any

import pytest

from skylift.deploy import execute as execute_module
from skylift.deploy.model import Later
from skylift.deploy.plan import Plan
from skylift.deploy.run import Run
from skylift.deploy.steps import CreateProxyResource, PutMethod, Step


def test_progress_shows_ids_known_by_then(monkeypatch: pytest.MonkeyPatch) -> None:
    api = Later("rest_api_id")
    steps = (
        CreateProxyResource(api_id=api, parent_id=Later("root_resource_id")),
        PutMethod(api_id=api, resource_id=Later("proxy_id"), path="/", authorization="NONE"),
    )

    def fake_run(step: Step, run: Run) -> None:
        run.known.update(rest_api_id="abc123", root_resource_id="r00t", proxy_id="p1")

    monkeypatch.setattr(execute_module, "run_step", fake_run)
    shown: list[str] = []
    none: Any = None
    execute_module.execute(
        Plan(stage="dev", verb="deploy", steps=steps),
        none,
        lambda i, n, step: shown.append(step.describe()),
    )
    # Before the first step nothing is known: the plan's placeholder is all there is.
    assert shown == ["create api resource <rest_api_id> /{proxy+}", "put api method abc123 ANY /"]
