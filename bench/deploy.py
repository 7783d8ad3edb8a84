"""Deploy and update examples/bottle_hello with skylift and with Zappa, side by side.

Run: `make bench-deps && .venv/bin/python bench/deploy.py`

Both tools run as their command lines, in subprocesses, against one plain moto
server on 127.0.0.1 (AWS_ENDPOINT_URL), one run each; skylift then does the
same against its local cloud (the targets are set there):
- deploy: first deployment, package caches cold (each tool packages the app);
- unchanged: `update` with nothing changed;
- edited: `update` after one project file changed.
Zappa needs a virtualenv holding the app's requirements and `touch: false`
(nothing serves the URL it would GET); `keep_warm: false` too, since skylift
does not create schedules yet. moto lacks ListFunctionUrlConfigs, which
`zappa update` calls last: a sitecustomize shim answers it with "no URLs", as
AWS does for a function without one. The moto server is warmed up first (its
first request per service loads code: not timed). Request counts are the
lines moto logged for each run. Both installations get their bytecode compiled
first, as pip does when it installs (uv and PYTHONDONTWRITEBYTECODE=1 skip it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "bottle_hello"
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"

# Zappa calls lambda:ListFunctionUrlConfigs at the end of every update; moto answers 404.
SHIM = """\
import botocore.client

_call = botocore.client.BaseClient._make_api_call


def _make_api_call(self, operation_name, api_params):
    if operation_name == "ListFunctionUrlConfigs":
        return {"FunctionUrlConfigs": []}
    return _call(self, operation_name, api_params)


botocore.client.BaseClient._make_api_call = _make_api_call
"""


def main() -> None:
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory(prefix="skylift-bench-deploy-") as tmp:
        root = Path(tmp)
        venv = _zappa_venv(root / "zappa-venv")
        _compile(Path(sys.prefix))
        _compile(venv)
        log = root / "moto.log"
        endpoint, server = _moto(log)
        try:
            _warm_up(endpoint)
            print(f"bottle_hello, {RUNTIME}/x86_64, moto at {endpoint}, one run each\n", flush=True)
            sky = _series("skylift", _skylift_runner(bin_dir, root, endpoint, "sky"), log)
            zap = _series("zappa", _zappa_runner(venv, root, endpoint), log)
        finally:
            server.terminate()
            server.wait(timeout=10)
        local = _on_local_cloud(bin_dir, root)
        _report(sky, zap, local)


def _on_local_cloud(bin_dir: Path, root: Path) -> dict[str, tuple[float, int]]:
    from skylift.local import ensure_running, stop
    from skylift.local.paths import LocalPaths

    paths = LocalPaths(root / "local-cloud")
    cloud = ensure_running(0, paths=paths)
    try:
        started = time.perf_counter()
        _warm_up(cloud.endpoint_url)  # like the moto server: the first call per service loads code
        print(f"  local cloud warm-up (not timed): {time.perf_counter() - started:.2f} s")
        runner = _skylift_runner(bin_dir, root, cloud.endpoint_url, "local")
        return _series("skylift (local cloud)", runner, None)
    finally:
        stop(paths)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _moto(log: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
            return endpoint, server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    sys.exit("the moto server did not start")


def _warm_up(endpoint: str) -> None:
    import boto3

    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    calls = {
        "s3": "list_buckets",
        "iam": "list_roles",
        "lambda": "list_functions",
        "apigateway": "get_rest_apis",
        "apigatewayv2": "get_apis",
        "logs": "describe_log_groups",
        "events": "list_rules",
        "cloudformation": "list_stacks",
        "sts": "get_caller_identity",
    }
    for service, call in calls.items():
        getattr(session.client(service, endpoint_url=endpoint), call)()


def _zappa_venv(path: Path) -> Path:
    """A virtualenv with zappa and the app's requirements, as Zappa needs (not timed)."""
    uv = Path(sys.executable).parent / "uv"
    subprocess.run([str(uv), "venv", "-q", "--python", sys.executable, str(path)], check=True)
    requirements = (EXAMPLE / "requirements.txt").read_text(encoding="utf-8").split()
    python = str(path / "bin" / "python")
    subprocess.run(
        [str(uv), "pip", "install", "-q", "--python", python, "zappa", *requirements], check=True
    )
    shim = path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(SHIM, encoding="utf-8")
    return path


def _compile(prefix: Path) -> None:
    """Write the .pyc files an install would have (not timed)."""
    for site in prefix.glob("lib/python3*/site-packages"):
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", "-j", "0", str(site), str(ROOT / "src")],
            stdout=subprocess.DEVNULL,
            check=False,
        )


def _project(path: Path, name: str) -> Path:
    shutil.copytree(EXAMPLE, path, ignore=shutil.ignore_patterns(".skylift", "__pycache__"))
    (path / "skylift.toml").unlink(missing_ok=True)
    stage = {
        "app_function": "app.app",
        "aws_region": "us-east-1",
        "project_name": name,
        "runtime": RUNTIME,
        "s3_bucket": f"{name}-code",
        "touch": False,
        "keep_warm": False,
    }
    (path / "zappa_settings.json").write_text(json.dumps({"dev": stage}), encoding="utf-8")
    return path


def _env(endpoint: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=endpoint,
        **extra,
    )
    env.pop("AWS_PROFILE", None)
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> None:
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")


def _skylift_runner(bin_dir: Path, root: Path, endpoint: str, name: str) -> tuple[Path, object]:
    project = _project(root / f"{name}-project", f"bench{name}")
    env = _env(endpoint, SKYLIFT_CACHE_DIR=str(root / f"{name}-cache"))
    env.pop("VIRTUAL_ENV", None)

    def run(verb: str) -> None:
        _run([str(bin_dir / "skylift"), verb, "dev", "-q"], project, env)

    return project, run


def _zappa_runner(venv: Path, root: Path, endpoint: str) -> tuple[Path, object]:
    project = _project(root / "zappa-project", "benchzappa")
    tmpdir = root / "zappa-tmp"
    tmpdir.mkdir()
    env = _env(
        endpoint,
        VIRTUAL_ENV=str(venv),
        PATH=f"{venv / 'bin'}:{os.environ['PATH']}",
        TMPDIR=str(tmpdir),
        PYTHONPATH=str(venv / "shim"),
    )

    def run(verb: str) -> None:
        _run([str(venv / "bin" / "zappa"), verb, "dev"], project, env)

    return project, run


REQUEST_LINE = re.compile(r'HTTP/1\.[01](?:\x1b\[0m)?" \d{3} ')


def _requests(log: Path | None) -> int:
    """How many requests moto has answered (one werkzeug log line each; 0 without a log)."""
    return len(REQUEST_LINE.findall(log.read_text(errors="replace"))) if log else 0


def _series(
    name: str, runner: tuple[Path, object], log: Path | None
) -> dict[str, tuple[float, int]]:
    project, run = runner
    assert callable(run)
    out: dict[str, tuple[float, int]] = {}
    for label, verb in (("deploy", "deploy"), ("unchanged", "update"), ("edited", "update")):
        if label == "edited":
            app = project / "app.py"
            app.write_text(app.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        before = _requests(log)
        start = time.perf_counter()
        run(verb)
        out[label] = (time.perf_counter() - start, _requests(log) - before)
        print(f"  {name} {label}: {out[label][0]:.2f} s, {out[label][1]} requests", flush=True)
    return out


def _report(
    sky: dict[str, tuple[float, int]],
    zap: dict[str, tuple[float, int]],
    local: dict[str, tuple[float, int]],
) -> None:
    print(f"\n{'':22}{'skylift':>10}{'zappa':>10}{'zappa/skylift':>16}{'requests':>16}")
    for title, key in (
        ("deploy", "deploy"),
        ("update, unchanged", "unchanged"),
        ("update, one edit", "edited"),
    ):
        (s, s_req), (z, z_req) = sky[key], zap[key]
        print(f"{title:22}{s:>9.2f}s{z:>9.2f}s{z / s:>15.1f}x{s_req:>8} /{z_req:>5}")
    print("\nskylift on its local cloud (targets: deploy <= 3 s, update unchanged <= 1 s):")
    for title, key in (
        ("deploy", "deploy"),
        ("update, unchanged", "unchanged"),
        ("update, one edit", "edited"),
    ):
        print(f"{title:22}{local[key][0]:>9.2f}s")


if __name__ == "__main__":
    main()
