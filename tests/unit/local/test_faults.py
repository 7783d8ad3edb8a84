"""Fault behaviour: a killed environment fails its own request only; idle ones are reaped."""

from __future__ import annotations

import os
import signal
import threading
import time

from tests.unit.local.conftest import HttpResult, Local
from tests.unit.local.test_gateway_rest import deploy

SLOW = """
import time
def handler(event, context):
    if event["path"] == "/slow":
        time.sleep(20)
    return {"statusCode": 200, "body": "served"}
"""


def test_killing_an_environment_mid_request_is_a_502_for_that_request_only(local: Local) -> None:
    api, _ = deploy(local, SLOW, timeout=30)
    url = f"/restapis/{api}/dev/_user_request_"
    assert local.request(url + "/fast").body == b"served"
    functions = api_functions(local, api)
    results: list[HttpResult] = []
    worker = threading.Thread(target=lambda: results.append(local.request(url + "/slow")))
    worker.start()

    def busy_pid() -> int | None:
        for env in local.cloud.executor.environments():
            if env.current is not None and env.spec.function_name in functions:
                return env.pid
        return None

    pid = local.wait_for(busy_pid)
    os.kill(pid, signal.SIGKILL)
    worker.join(timeout=15)
    assert results[0].status == 502
    assert results[0].json() == {"message": "Internal server error"}
    assert local.request(url + "/fast").body == b"served"


def api_functions(local: Local, api: str) -> set[str]:
    apigw = local.client("apigateway")
    names = set()
    for resource in apigw.get_resources(restApiId=api)["items"]:
        for method in resource.get("resourceMethods") or {}:
            uri = apigw.get_integration(
                restApiId=api, resourceId=resource["id"], httpMethod=method
            )["uri"]
            names.add(uri.split(":function:")[1].split(":")[0].split("/")[0])
    return names


def test_idle_environments_are_reaped(local: Local) -> None:
    name = local.function("def handler(e, c):\n    return 1\n")
    local.invoke(name)
    envs = [env for env in local.cloud.executor.environments() if env.spec.function_name == name]
    assert len(envs) == 1
    pools = list(local.cloud.executor._pools.values())
    for pool in pools:
        if pool.spec.function_name == name:
            pool.reap(0)
    assert envs[0].dead.wait(5)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(
        e.spec.function_name == name for e in local.cloud.executor.environments()
    ):
        time.sleep(0.05)
    assert not [e for e in local.cloud.executor.environments() if e.spec.function_name == name]
    assert local.invoke(name)[1] == 1  # and a new one starts on demand


def test_concurrent_requests_get_their_own_environments(local: Local) -> None:
    code = "import os, time\ndef handler(e, c):\n    time.sleep(0.5)\n    return os.getpid()\n"
    name = local.function(code)
    pids: list[int] = []
    threads = [
        threading.Thread(target=lambda: pids.append(local.invoke(name)[1])) for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(pids)) == 3
