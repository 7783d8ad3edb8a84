"""Hints name commands aimed where the failing one was (--local, --endpoint-url)."""

from __future__ import annotations

import pytest

from skylift.cli.deploy_cmds import AwsOptions, _same_place


@pytest.mark.parametrize(
    ("opts", "expected"),
    [
        (AwsOptions(), "Run `skylift update dev` then `skylift undeploy dev`."),
        (
            AwsOptions(local=True),
            "Run `skylift update dev --local` then `skylift undeploy dev --local`.",
        ),
        (
            AwsOptions(endpoint_url="http://127.0.0.1:5000"),
            "Run `skylift update dev --endpoint-url http://127.0.0.1:5000` then "
            "`skylift undeploy dev --endpoint-url http://127.0.0.1:5000`.",
        ),
    ],
)
def test_hint_commands_follow_the_endpoint(opts: AwsOptions, expected: str) -> None:
    hint = "Run `skylift update dev` then `skylift undeploy dev`."
    assert _same_place(hint, opts) == expected


def test_other_commands_and_empty_hints_are_left_alone() -> None:
    local = AwsOptions(local=True)
    assert _same_place("Edit `skylift.toml`; see `skylift settings dev`.", local) == (
        "Edit `skylift.toml`; see `skylift settings dev`."
    )
    assert _same_place(None, local) is None
