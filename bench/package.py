"""Package the same Flask + NumPy project with skylift and with `zappa package`, side by side.

Run: `make bench-deps && .venv/bin/python bench/package.py`

Both tools run as their command lines, in subprocesses, against one project:
- cold: empty caches (skylift's SKYLIFT_CACHE_DIR; Zappa's wheel and PyPI-info
  caches live under TMPDIR, so a fresh TMPDIR), everything downloaded from PyPI;
- unchanged: the same command again with nothing changed;
- touched: warm caches, one project file edited (skylift rebuilds the zip).
Zappa needs a virtualenv holding the project's requirements: the script makes
one in a temp dir (not timed). One run each; sizes and ratios are printed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

APP = """\
import numpy as np
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return {"hello": "world", "sum": int(np.arange(10).sum())}
"""
REQUIREMENTS = "flask\nnumpy\n"
RUNTIME = f"python{sys.version_info.major}.{sys.version_info.minor}"


def main() -> None:
    bin_dir = Path(sys.executable).parent
    skylift = bin_dir / "skylift"
    if shutil.which("zappa", path=str(bin_dir)) is None:
        sys.exit("zappa is not installed: run `make bench-deps` first.")
    with tempfile.TemporaryDirectory(prefix="skylift-bench-") as tmp:
        root = Path(tmp)
        project = _project(root / "project")
        venv = _zappa_venv(root / "venv")
        print(f"project: Flask + NumPy, runtime {RUNTIME}/x86_64, one run each\n", flush=True)
        results = {
            "skylift": _series(
                lambda: _skylift(skylift, project, root), project, root / "sky-cache"
            ),
            "zappa": _series(lambda: _zappa(venv, project, root), project, root / "zappa-tmp"),
        }
        _report(results, root)


def _project(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "app.py").write_text(APP, encoding="utf-8")
    (path / "requirements.txt").write_text(REQUIREMENTS, encoding="utf-8")
    settings = {
        "dev": {
            "app_function": "app.app",
            "runtime": RUNTIME,
            "s3_bucket": "bench-bucket",
            "project_name": "bench",
            "aws_region": "us-east-1",
        }
    }
    (path / "zappa_settings.json").write_text(json.dumps(settings), encoding="utf-8")
    return path


def _zappa_venv(path: Path) -> Path:
    """A virtualenv with zappa and the project's requirements, as Zappa needs (not timed)."""
    uv = Path(sys.executable).parent / "uv"
    subprocess.run([str(uv), "venv", "-q", "--python", sys.executable, str(path)], check=True)
    subprocess.run(
        [
            str(uv),
            "pip",
            "install",
            "-q",
            "--python",
            str(path / "bin" / "python"),
            "zappa",
            "flask",
            "numpy",
        ],
        check=True,
    )
    return path


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        **extra,
    )
    return env


def _skylift(skylift: Path, project: Path, root: Path) -> Path:
    out = root / "skylift.zip"
    env = _env(SKYLIFT_CACHE_DIR=str(root / "sky-cache"))
    env.pop("VIRTUAL_ENV", None)
    subprocess.run(
        [str(skylift), "package", "dev", "-q", "-o", str(out)],
        cwd=project,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out


def _zappa(venv: Path, project: Path, root: Path) -> Path:
    out = root / "zappa.zip"
    tmpdir = root / "zappa-tmp"
    tmpdir.mkdir(exist_ok=True)
    env = _env(
        VIRTUAL_ENV=str(venv), PATH=f"{venv / 'bin'}:{os.environ['PATH']}", TMPDIR=str(tmpdir)
    )
    proc = subprocess.run(
        [str(venv / "bin" / "zappa"), "package", "dev", "-o", str(out)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"zappa package failed:\n{proc.stdout}\n{proc.stderr}")
    return out


def _series(run: object, project: Path, cache: Path) -> dict[str, object]:
    assert callable(run)
    shutil.rmtree(cache, ignore_errors=True)
    timings: dict[str, object] = {}
    for label in ("cold", "unchanged", "touched"):
        if label == "touched":
            app = project / "app.py"
            app.write_text(app.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        start = time.perf_counter()
        out = run()
        timings[label] = time.perf_counter() - start
        timings["zip"] = out
        timings[f"{label}_size"] = out.stat().st_size
        if label == "touched":  # leave the project as it was for the other tool
            app.write_text(APP, encoding="utf-8")
    return timings


def _report(results: dict[str, dict[str, object]], root: Path) -> None:
    sky, zap = results["skylift"], results["zappa"]
    rows = [("cold cache", "cold"), ("unchanged", "unchanged"), ("one file edited", "touched")]
    print(f"{'':18}{'skylift':>12}{'zappa':>12}{'zappa/skylift':>16}")
    for title, key in rows:
        s, z = float(sky[key]), float(zap[key])  # type: ignore[arg-type]
        print(f"{title:18}{s:>11.2f}s{z:>11.2f}s{z / s:>15.1f}x")
    s_size, z_size = int(sky["cold_size"]), int(zap["cold_size"])  # type: ignore[call-overload]
    s_files, z_files = _count(Path(str(sky["zip"]))), _count(Path(str(zap["zip"])))
    print(
        f"{'zip size':18}{s_size / 2**20:>10.1f}Mi{z_size / 2**20:>10.1f}Mi"
        f"{s_size / z_size:>14.2f} (skylift/zappa)"
    )
    print(f"{'files in zip':18}{s_files:>12}{z_files:>12}")
    print(
        f"{'numpy in zip':18}{_numpy(Path(str(sky['zip']))):>12}{_numpy(Path(str(zap['zip']))):>12}"
    )
    print(
        "\ntargets: cold >= 5x faster, unchanged >= 20x faster, zip <= 0.5x of Zappa's "
        f"({root} is removed on exit)"
    )


def _count(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return len(archive.infolist())


def _numpy(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("numpy-") and name.endswith(".dist-info/METADATA"):
                return name.split("/")[0].removesuffix(".dist-info").split("-")[1]
    return "-"


if __name__ == "__main__":
    main()
