"""Waiting for a function that is still being created or updated (real AWS takes seconds)."""

from __future__ import annotations

from typing import Any

import pytest

from skylift.aws import awslambda


class FakeLambda:
    def __init__(self, states: list[dict[str, Any]]) -> None:
        self.states = states
        self.calls = 0

    def get_function_configuration(self, FunctionName: str) -> dict[str, Any]:
        self.calls += 1
        return self.states.pop(0)


def test_waits_until_active_and_updated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(awslambda.time, "sleep", lambda _: None)
    fake = FakeLambda(
        [
            {"State": "Pending"},
            {"State": "Active", "LastUpdateStatus": "InProgress"},
            {"State": "Active", "LastUpdateStatus": "Successful"},
        ]
    )
    awslambda.wait_ready(fake, "fn", {"State": "Pending"})  # type: ignore[arg-type]
    assert fake.calls == 3


def test_ready_response_needs_no_call() -> None:
    fake = FakeLambda([])
    awslambda.wait_ready(fake, "fn", {"State": "Active", "LastUpdateStatus": "Successful"})  # type: ignore[arg-type]
    assert fake.calls == 0


def test_failed_update_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(awslambda.time, "sleep", lambda _: None)
    fake = FakeLambda(
        [{"State": "Active", "LastUpdateStatus": "Failed", "LastUpdateStatusReason": "bad zip"}]
    )
    with pytest.raises(RuntimeError, match="bad zip"):
        awslambda.wait_ready(fake, "fn", {"LastUpdateStatus": "InProgress"})  # type: ignore[arg-type]
