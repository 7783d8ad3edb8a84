"""Configuration updates with old versions pruned: version numbers are never reused.

moto numbers a new version len(versions)+1, so once deploy had pruned old
versions, a new version took the number of a live one: the alias kept the old
configuration, `plan` never settled and `undeploy` failed with a 500.
"""

from __future__ import annotations

import base64
import json
import urllib.request
from pathlib import Path

import pytest

from tests.functional.local.conftest import Cli

pytestmark = [pytest.mark.slow, pytest.mark.functional]


def get(url: str) -> tuple[int, bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=60) as response:
        return response.status, response.read()


def test_config_updates_with_pruned_versions_reach_live_traffic(
    cli: Cli, bottle_project: Path
) -> None:
    settings = bottle_project / "skylift.toml"
    base = settings.read_text() + "num_retained_versions = 2\n"
    settings.write_text(base)

    deployed = cli.json("deploy", "dev", "--local")
    url = deployed["urls"][0]["url"]
    function, alias = deployed["function"], deployed["alias"]
    lam = cli.client("lambda")
    seen = [int(deployed["version"])]
    for memory in (256, 320, 384, 448):
        settings.write_text(base + f"memory_size = {memory}\n")
        updated = cli.json("update", "dev", "--local")
        assert updated["changed"] is True
        seen.append(int(updated["version"]))
        live = lam.get_function_configuration(FunctionName=function, Qualifier=alias)
        assert (live["Version"], live["MemorySize"]) == (updated["version"], memory)

    assert seen == sorted(set(seen)), f"version numbers reused: {seen}"
    versions = [
        v["Version"] for v in lam.list_versions_by_function(FunctionName=function)["Versions"]
    ]
    assert versions[0] == "$LATEST"
    assert len(set(versions)) == len(versions) == 3  # $LATEST and the two retained
    assert versions[-1] == str(seen[-1])

    # Live traffic runs the newest configuration.
    assert get(url + "hello") == (200, b"Hello World!")
    tail = lam.invoke(FunctionName=function, Qualifier=alias, LogType="Tail", Payload=b"{}")
    assert tail["ExecutedVersion"] == str(seen[-1])
    assert "Memory Size: 448 MB" in base64.b64decode(tail["LogResult"]).decode()

    assert cli.json("plan", "dev", "--local")["steps"] == []
    cli.run("undeploy", "dev", "--local", "-y")
    gone = cli.run("status", "dev", "--local", "--json", check=False)
    assert (gone.returncode, json.loads(gone.stdout)["deployed"]) == (1, False)
