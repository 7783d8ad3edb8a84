"""Fault injection: fail each mutating call in turn; the next run converges, undeploy cleans up."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest

from skylift.deploy.engine import deploy_stage, prepare, update_stage
from skylift.deploy.execute import StepFailed
from skylift.deploy.undeploy import undeploy_stage
from skylift.errors import AlreadyDeployedError
from tests.functional.deploy.conftest import Calls, leftovers, nothing_left

pytestmark = [pytest.mark.functional, pytest.mark.slow]


def reset(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=30).close()


def converge(stage: Any, artifact: Any, aws: Any) -> None:
    """What a user does after a failure: run deploy again, or update once it says so."""
    try:
        deploy_stage(stage, artifact, aws)
    except AlreadyDeployedError:
        update_stage(stage, artifact, aws)


def assert_failure_report(failure: StepFailed, stage: str) -> None:
    text = failure.message
    assert "injected failure" in text
    assert "Done:" in text
    assert f"Not done:\n  ✗ {failure.failed.describe()}" in text
    assert f"skylift undeploy {stage}" in (failure.hint or "")


def count_mutating(calls: Calls, action: Any) -> int:
    calls.clear()
    action()
    return len(calls.mutating)


@pytest.mark.parametrize("half", [0, 1], ids=["odd-calls", "even-calls"])
def test_deploy_fails_at_each_call_then_converges(
    half: int,
    moto: str,
    calls: Calls,
    aws_factory: Any,
    stage_factory: Any,
    artifact_factory: Any,
) -> None:
    """Split in two halves so parallel workers share the ~22 rounds."""
    stage = stage_factory(function_url_enabled=True)
    artifact = artifact_factory("v1")
    aws = aws_factory(stage)
    total = count_mutating(calls, lambda: deploy_stage(stage, artifact, aws))
    assert total >= 20
    for n in range(1 + half, total + 1, 2):
        reset(moto)
        calls.clear()
        calls.fail_at = n
        with pytest.raises(StepFailed) as failed:
            deploy_stage(stage, artifact, aws)
        assert_failure_report(failed.value, "dev")
        converge(stage, artifact, aws)
        assert prepare(stage, artifact, aws, verb="plan").plan.empty, f"not converged after #{n}"
        undeploy_stage(stage, aws, remove_logs=True)
        assert nothing_left(moto), (n, leftovers(moto))


def test_update_fails_at_each_call_then_converges(
    moto: str, calls: Calls, aws_factory: Any, stage_factory: Any, artifact_factory: Any
) -> None:
    before, after = stage_factory(), stage_factory(memory_size=256, apigateway_version="v2")
    old, new = artifact_factory("v1"), artifact_factory("v2")
    aws = aws_factory(before)
    deploy_stage(before, old, aws)
    total = count_mutating(calls, lambda: update_stage(after, new, aws))
    assert total >= 10
    for n in range(1, total + 1):
        reset(moto)
        deploy_stage(before, old, aws)
        calls.clear()
        calls.fail_at = n
        with pytest.raises(StepFailed) as failed:
            update_stage(after, new, aws)
        assert_failure_report(failed.value, "dev")
        assert "skylift update dev" in (failed.value.hint or "")
        update_stage(after, new, aws)
        assert prepare(after, new, aws, verb="plan").plan.empty, f"not converged after #{n}"
        undeploy_stage(after, aws, remove_logs=True)
        assert nothing_left(moto), (n, leftovers(moto))


def test_undeploy_fails_at_each_call_then_finishes(
    moto: str, calls: Calls, aws_factory: Any, stage_factory: Any, artifact_factory: Any
) -> None:
    stage = stage_factory(function_url_enabled=True, layers="auto")
    artifact = artifact_factory("v1", layer="deps")
    aws = aws_factory(stage)
    deploy_stage(stage, artifact, aws)
    total = count_mutating(calls, lambda: undeploy_stage(stage, aws, remove_logs=True))
    assert total >= 8
    for n in range(1, total + 1):
        reset(moto)
        deploy_stage(stage, artifact, aws)
        calls.clear()
        calls.fail_at = n
        with pytest.raises(StepFailed) as failed:
            undeploy_stage(stage, aws, remove_logs=True)
        assert "skylift undeploy dev" in (failed.value.hint or "")
        undeploy_stage(stage, aws, remove_logs=True)
        assert nothing_left(moto), (n, leftovers(moto))
