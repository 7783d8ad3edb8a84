"""The local cloud against gunicorn: the same Bottle and Flask hello apps, warm, on 127.0.0.1.

For each app: package it with skylift (the real zip, skylift's runtime
inside), deploy it to a fresh background local cloud limited to 2 execution
environments (timed: the API calls and the first, cold, response), warm it
up, then load GET /hello through the gateway's REST API path and, on the same
machine, through ``gunicorn -w 2``. wrk does the loading (``--connections 2``
for latency, more for throughput); without wrk a bounded Python loop does.
Afterwards the local cloud's RSS is read from /proc.

Run: ``make bench-deps && .venv/bin/python bench/local.py`` (``--duration``,
``--json``). Targets (issue 6): p50 added latency <= 2 ms, >= 1,000 req/s
with 2 environments, deploy <= 3 s, local cloud RSS <= 500 MB. The CloudWatch
Invocations the local cloud recorded for each app are read back at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parent.parent
APPS = ("bottle_hello", "flask_hello")


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class AppResult:
    app: str
    package_s: float
    deploy_s: float
    first_response_s: float
    local_latency: Load
    local_throughput: Load
    gunicorn_latency: Load
    gunicorn_throughput: Load
    invocations_recorded: float = 0.0  # CloudWatch's Invocations sum after the local runs

    @property
    def added_p50_ms(self) -> float:
        return self.local_latency.p50_ms - self.gunicorn_latency.p50_ms


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- load generation -------------------------------------------------------------------------


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if match is None:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match[1]) * _UNITS[match[2]]


def wrk(url: str, connections: int, duration: float) -> Load:
    out = subprocess.run(
        [
            "wrk",
            f"-t{min(connections, 2)}",
            f"-c{connections}",
            f"-d{duration:.0f}s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    percentiles = dict(re.findall(r"^\s+(\d+)%\s+(\S+)$", out, re.MULTILINE))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    failed = int(errors[1]) if errors else 0
    if socket_errors:
        failed += sum(int(n) for n in socket_errors.groups())
    return Load(rps, _ms(percentiles["50"]), _ms(percentiles["99"]), failed)


def python_loop(url: str, connections: int, duration: float) -> Load:
    """A bounded keep-alive loop, for machines without wrk."""
    host, _, rest = url.removeprefix("http://").partition("/")
    address, _, port = host.partition(":")
    latencies: list[float] = []
    errors = [0]
    stop = time.monotonic() + duration

    def worker() -> None:
        conn = http.client.HTTPConnection(address, int(port))
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", "/" + rest)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except (OSError, http.client.HTTPException):
                errors[0] += 1
                conn = http.client.HTTPConnection(address, int(port))
            latencies.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    return Load(
        len(ordered) / duration,
        statistics.median(ordered),
        ordered[int(len(ordered) * 0.99)],
        errors[0],
    )


def load(url: str, connections: int, duration: float) -> Load:
    return (
        wrk(url, connections, duration)
        if shutil.which("wrk")
        else python_loop(url, connections, duration)
    )


def get(url: str) -> tuple[int, bytes]:
    host, _, rest = url.removeprefix("http://").partition("/")
    address, _, port = host.partition(":")
    conn = http.client.HTTPConnection(address, int(port), timeout=60)
    try:
        conn.request("GET", "/" + rest)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- the two servers ---------------------------------------------------------------------------


def package(app: str, workdir: Path) -> tuple[Any, float]:
    from skylift.config import load_stage
    from skylift.packaging import build

    project = workdir / app
    shutil.copytree(ROOT / "examples" / app, project)
    build(load_stage("dev", project))  # fills the wheel cache; the timed build below is a rebuild
    (project / ".skylift").exists() and shutil.rmtree(project / ".skylift")
    started = time.perf_counter()
    artifact = build(load_stage("dev", project), reuse_unchanged=False)
    return artifact, time.perf_counter() - started


def deploy(endpoint: str, app: str, artifact: Any) -> tuple[str, float, float]:
    """What `skylift deploy --local` does, through boto3; returns (url, deploy s, first response s)."""
    started = time.perf_counter()
    client = lambda service: boto3.client(  # noqa: E731
        service,
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="b",
        aws_secret_access_key="b",
    )
    name = app.replace("_", "-") + "-dev"
    s3, iam, lam, apigw = client("s3"), client("iam"), client("lambda"), client("apigateway")
    s3.create_bucket(Bucket=name)
    s3.upload_file(str(artifact.path), name, f"{artifact.content_hash}.zip")
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    lam.create_function(
        FunctionName=name,
        Runtime=artifact.runtime,
        Role=role,
        Handler=artifact.handler,
        Timeout=30,
        Code={"S3Bucket": name, "S3Key": f"{artifact.content_hash}.zip"},
        MemorySize=512,
    )
    version = lam.publish_version(FunctionName=name)["Version"]
    alias = lam.create_alias(FunctionName=name, Name="dev", FunctionVersion=version)["AliasArn"]
    api = apigw.create_rest_api(name=name)["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    proxy = apigw.create_resource(restApiId=api, parentId=root, pathPart="{proxy+}")["id"]
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{alias}/invocations"
    for resource in (root, proxy):
        apigw.put_method(
            restApiId=api, resourceId=resource, httpMethod="ANY", authorizationType="NONE"
        )
        apigw.put_integration(
            restApiId=api,
            resourceId=resource,
            httpMethod="ANY",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=uri,
        )
    apigw.create_deployment(restApiId=api, stageName="dev")
    lam.add_permission(  # as skylift deploy does: this API may invoke the alias
        FunctionName=name,
        Qualifier="dev",
        StatementId="skylift-rest-api",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api}/*",
    )
    deployed = time.perf_counter()
    url = f"{endpoint}/restapis/{api}/dev/_user_request_/hello"
    status, body = get(url)
    if (status, body) != (200, b"Hello World!"):
        raise SystemExit(f"{app}: GET /hello answered {status} {body[:200]!r}")
    return url, deployed - started, time.perf_counter() - deployed


def invocations(endpoint: str, app: str) -> float:
    """The function's Invocations in CloudWatch: every request the local cloud served."""
    cloudwatch = boto3.client(
        "cloudwatch",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="b",
        aws_secret_access_key="b",
    )
    now = time.time()
    found = cloudwatch.get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName="Invocations",
        Dimensions=[{"Name": "FunctionName", "Value": app.replace("_", "-") + "-dev"}],
        StartTime=now - 3600,
        EndTime=now + 120,
        Period=3600,
        Statistics=["Sum"],
    )
    return float(sum(point["Sum"] for point in found["Datapoints"]))


def gunicorn(app: str, port: int) -> subprocess.Popen[bytes]:
    binary = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(binary),
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT / "examples" / app),
            "app:app",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if get(f"http://127.0.0.1:{port}/hello")[0] == 200:
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start (is the bench extra installed? make bench-deps)")


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# --- the run -------------------------------------------------------------------------------------


def run(duration: float, connections: int) -> tuple[list[AppResult], dict[str, float]]:
    from skylift.local import ensure_running, stop
    from skylift.local.paths import LocalPaths

    workdir = Path(tempfile.mkdtemp(prefix="skylift-bench-local-"))
    os.environ["SKYLIFT_HOME"] = str(workdir / "home")
    os.environ["SKYLIFT_LOCAL_MAX_ENVIRONMENTS"] = "2"
    os.environ["SKYLIFT_CACHE_DIR"] = os.environ.get("SKYLIFT_CACHE_DIR") or str(workdir / "cache")
    results: list[AppResult] = []
    memory: dict[str, float] = {}
    cloud = ensure_running(0, paths=LocalPaths(workdir / "home" / "local"))
    try:
        for app in APPS:
            artifact, package_s = package(app, workdir)
            url, deploy_s, first_s = deploy(cloud.endpoint_url, app, artifact)
            load(url, connections, 2)  # warm both environments
            local_latency = load(url, 2, duration)
            local_throughput = load(url, connections, duration)
            port = free_port()
            server = gunicorn(app, port)
            try:
                direct = f"http://127.0.0.1:{port}/hello"
                load(direct, connections, 2)
                gunicorn_latency = load(direct, 2, duration)
                gunicorn_throughput = load(direct, connections, duration)
            finally:
                server.terminate()
                server.wait(10)
            results.append(
                AppResult(
                    app,
                    package_s,
                    deploy_s,
                    first_s,
                    local_latency,
                    local_throughput,
                    gunicorn_latency,
                    gunicorn_throughput,
                    invocations(cloud.endpoint_url, app),
                )
            )
        memory["local_cloud_rss_mb"] = rss_mb(cloud.pid)
        status = json.loads(get(f"{cloud.endpoint_url}/_skylift/status")[1])
        pids = [pid for env in status["environments"] for pid in env["pids"]]
        memory["environments"] = len(pids)
        memory["environments_rss_mb"] = sum(rss_mb(pid) for pid in pids)
    finally:
        stop(LocalPaths(workdir / "home" / "local"))
        shutil.rmtree(workdir, ignore_errors=True)
    return results, memory


def render(
    results: list[AppResult], memory: dict[str, float], duration: float, connections: int
) -> str:
    lines = [
        f"wrk {duration:.0f} s per run; latency at 2 connections, throughput at {connections}; "
        "local cloud capped at 2 environments, gunicorn -w 2",
        "",
        "| app | server | req/s (2 conn) | p50 | p99 | req/s ("
        + str(connections)
        + " conn) | errors |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        for server, lat, thr in (
            ("local cloud", r.local_latency, r.local_throughput),
            ("gunicorn", r.gunicorn_latency, r.gunicorn_throughput),
        ):
            lines.append(
                f"| {r.app} | {server} | {lat.requests_per_second:,.0f} | {lat.p50_ms:.2f} ms | "
                f"{lat.p99_ms:.2f} ms | {thr.requests_per_second:,.0f} | {lat.errors + thr.errors} |"
            )
    lines += [
        "",
        "| app | added p50 | package | deploy (API calls) | first (cold) response | CloudWatch Invocations |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.app} | {r.added_p50_ms:+.2f} ms | {r.package_s:.2f} s | {r.deploy_s:.2f} s "
            f"| {r.first_response_s:.2f} s | {r.invocations_recorded:,.0f} |"
        )
    lines += [
        "",
        f"local cloud RSS after the runs: {memory['local_cloud_rss_mb']:.0f} MB "
        f"(+ {memory['environments']:.0f} environments, {memory['environments_rss_mb']:.0f} MB together)",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load run")
    parser.add_argument(
        "--connections", type=int, default=8, help="connections for the throughput runs"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results, memory = run(args.duration, args.connections)
    if args.json:
        print(
            json.dumps(
                {
                    "results": [asdict(r) | {"added_p50_ms": r.added_p50_ms} for r in results],
                    "memory": memory,
                },
                indent=2,
            )
        )
    else:
        print(render(results, memory, args.duration, args.connections))


if __name__ == "__main__":
    main()
