"""Resolve the project's requirements for the target platform, not the host.

uv does the resolving (``uv pip compile --format pylock.toml`` with
``--python-platform``/``--python-version``/``--only-binary :all:``): its lock
names the one file chosen for each package, with URL and sha256, so the wheels
themselves can be fetched into the shared cache and copied into the zip
without being unpacked. Packages with no wheel at all are retried as sdists
(built later only if they are pure Python). pip ``download --platform`` with
the runtime's full manylinux tag list is the fallback: when uv is missing, or
when uv's coarser glibc levels (2_17 for glibc-2.26 runtimes) find no wheel.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from skylift.errors import PackagingError
from skylift.packaging.cache import read_json, sha256_file, write_json
from skylift.packaging.requirements import Requirements, normalize
from skylift.packaging.target import Target

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_NO_WHEELS = (
    re.compile(r"Wheels are required for `([^`]+)`"),
    re.compile(
        r"(?:all versions of |\b)([A-Za-z0-9][A-Za-z0-9._-]*)(?:[=<>!~]=?\S*)? (?:has|have) no usable wheels"
    ),
)
_MAX_SDIST_RETRIES = 8
_RESOLVE_FORMAT = 1  # bump when the cached resolution's shape changes


@dataclass(frozen=True)
class Locked:
    """One resolved distribution and the file to install it from."""

    name: str
    version: str
    kind: str  # wheel | sdist | directory
    location: str  # URL, or a path (absolute) for local files and directories
    filename: str
    sha256: str | None = None
    size: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Resolution:
    resolver: str  # uv | pip
    packages: tuple[Locked, ...]


def resolve(
    requirements: Requirements,
    target: Target,
    cache_root: Path,
    project_dir: Path,
    *,
    refresh: bool = False,
) -> Resolution:
    """The distributions to install, from the cache when the inputs are unchanged."""
    if requirements.empty:
        return Resolution("none", ())
    key = _cache_key(requirements, target)
    cache_file = cache_root / "resolve" / f"{key}.json"
    if not refresh:
        cached = _load_cached(cache_file)
        if cached is not None:
            return cached
    forced = os.environ.get("SKYLIFT_RESOLVER", "").lower()
    uv = None if forced == "pip" else uv_binary()
    if uv is None:
        result = resolve_with_pip(requirements, target, cache_root, project_dir)
    else:
        result = _resolve_with_uv_then_pip(uv, requirements, target, cache_root, project_dir)
    write_json(
        cache_file,
        {"resolver": result.resolver, "packages": [p.to_json() for p in result.packages]},
    )
    return result


def _cache_key(requirements: Requirements, target: Target) -> str:
    index_env = {
        k: v
        for k, v in os.environ.items()
        if k.startswith(("UV_INDEX", "UV_EXTRA", "PIP_INDEX", "PIP_EXTRA", "UV_FIND", "PIP_FIND"))
    }
    payload = json.dumps(
        [
            _RESOLVE_FORMAT,
            requirements.fingerprint,
            str(requirements.file),
            target.runtime,
            target.architecture,
            requirements.left_out(),
            sorted(index_env.items()),
            os.environ.get("SKYLIFT_RESOLVER", ""),
        ],
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _load_cached(path: Path) -> Resolution | None:
    data = read_json(path)
    if not isinstance(data, dict):
        return None
    try:
        packages = tuple(Locked(**p) for p in data["packages"])
    except (KeyError, TypeError):
        return None
    # A local file the lock points at may be gone since; then resolve again.
    if any(
        p.kind != "wheel"
        and not p.location.startswith(("http:", "https:"))
        and not Path(p.location).exists()
        for p in packages
    ):
        return None
    return Resolution(str(data.get("resolver", "uv")), packages)


def uv_binary() -> str | None:
    try:
        import uv

        return str(uv.find_uv_bin())
    except (ImportError, FileNotFoundError):
        return None


def _resolve_with_uv_then_pip(
    uv: str, requirements: Requirements, target: Target, cache_root: Path, project_dir: Path
) -> Resolution:
    try:
        return resolve_with_uv(uv, requirements, target, cache_root, project_dir)
    except UvTooOldError:
        return resolve_with_pip(requirements, target, cache_root, project_dir)
    except NoWheelError as exc:
        if target.uv_glibc_exact:
            raise
        # uv can only say glibc 2.17 for the 2.26 runtimes; pip knows every level.
        try:
            return resolve_with_pip(requirements, target, cache_root, project_dir)
        except PackagingError:
            raise exc from None


class NoWheelError(PackagingError):
    """A package has no wheel for the target and its sdist cannot be used."""


class UvTooOldError(PackagingError):
    """The installed uv lacks an option skylift needs (pylock output, --excludes)."""


def resolve_with_uv(
    uv: str, requirements: Requirements, target: Target, cache_root: Path, project_dir: Path
) -> Resolution:
    no_binary: list[str] = []
    with tempfile.TemporaryDirectory(prefix="skylift-resolve-") as tmp:
        excludes = Path(tmp, "excludes.txt")
        excludes.write_text("\n".join(requirements.left_out()) + "\n", encoding="utf-8")
        for _ in range(_MAX_SDIST_RETRIES):
            proc = _run_uv_compile(
                uv, requirements, target, cache_root, project_dir, excludes, no_binary
            )
            if proc.returncode == 0:
                return Resolution("uv", _parse_pylock(proc.stdout, project_dir))
            if "unexpected argument" in proc.stderr or "invalid value" in proc.stderr:
                raise UvTooOldError(_clean(proc.stderr), hint="Upgrade uv: pip install -U uv.")
            missing = _packages_without_wheels(proc.stderr)
            fresh = [name for name in missing if normalize(name) not in no_binary]
            if not fresh:
                raise _uv_error(proc.stderr, target, missing)
            # No wheel at all for these: let uv take their sdists; build.py accepts pure ones only.
            no_binary.extend(normalize(name) for name in fresh)
    raise _uv_error(proc.stderr, target, no_binary)


def _run_uv_compile(
    uv: str,
    requirements: Requirements,
    target: Target,
    cache_root: Path,
    project_dir: Path,
    excludes: Path,
    no_binary: list[str],
) -> subprocess.CompletedProcess[str]:
    source = str(requirements.file) if requirements.file else "-"
    cmd = [
        uv, "pip", "compile", source,
        "--format", "pylock.toml",
        "--python-platform", target.uv_platform,
        "--python-version", target.python_version,
        "--only-binary", ":all:",
        "--excludes", str(excludes),
        "--cache-dir", str(cache_root / "uv"),
        "--no-header", "--quiet", "--color", "never",
        # Builds (metadata of sdists) run on this interpreter; without these two, uv
        # downloads a managed CPython of the target version first.
        "--python", sys.executable, "--no-python-downloads",
    ]  # fmt: skip
    for name in no_binary:
        cmd += ["--no-binary", name]
    stdin = None if requirements.file else "\n".join(requirements.lines) + "\n"
    return subprocess.run(
        cmd, input=stdin, capture_output=True, text=True, cwd=project_dir, check=False
    )


def _packages_without_wheels(stderr: str) -> list[str]:
    found: list[str] = []
    for pattern in _NO_WHEELS:
        found.extend(m.group(1) for m in pattern.finditer(stderr))
    return list(dict.fromkeys(found))


def _uv_error(stderr: str, target: Target, missing: list[str]) -> PackagingError:
    detail = _clean(stderr)
    if missing:
        names = ", ".join(sorted(set(missing)))
        return NoWheelError(
            f"No usable wheel of {names} for {target.describe()}:\n{detail}",
            hint=f"Pin a version of {names} that publishes manylinux wheels for {target.runtime} "
            f"on {target.architecture}, or change `runtime`/`architecture`.",
        )
    return PackagingError(
        f"Cannot resolve the requirements for {target.describe()}:\n{detail}",
        hint="Fix the requirement named above (name, version or syntax) and package again.",
    )


def _clean(stderr: str) -> str:
    lines = [line.rstrip() for line in stderr.strip().splitlines() if line.strip()]
    return "\n".join(lines[-12:])


def _parse_pylock(text: str, project_dir: Path) -> tuple[Locked, ...]:
    data = tomllib.loads(text)
    out: list[Locked] = []
    for pkg in data.get("packages", []):
        out.append(_locked_from_pylock(pkg, project_dir))
    return tuple(sorted(out, key=lambda p: normalize(p.name)))


def _locked_from_pylock(pkg: dict[str, Any], project_dir: Path) -> Locked:
    name = str(pkg["name"])
    version = str(pkg.get("version", ""))
    if pkg.get("wheels"):
        return _file_entry(name, version, "wheel", pkg["wheels"][0], project_dir)
    if pkg.get("sdist"):
        return _file_entry(name, version, "sdist", pkg["sdist"], project_dir)
    if pkg.get("directory"):
        path = (project_dir / pkg["directory"]["path"]).resolve()
        return Locked(name, version, "directory", str(path), path.name)
    if pkg.get("archive"):
        entry = _file_entry(name, version, "sdist", pkg["archive"], project_dir)
        if entry.filename.endswith(".whl"):  # a wheel file given by path or URL
            return _file_entry(name, version, "wheel", pkg["archive"], project_dir)
        return entry
    raise PackagingError(
        f"Cannot install {name}: skylift packages wheels, sdists and local directories, "
        "not version-control requirements.",
        hint=f"Build a wheel of {name} and point the requirement at its file or an index.",
    )


def _file_entry(
    name: str, version: str, kind: str, entry: dict[str, Any], project_dir: Path
) -> Locked:
    location = str(entry.get("url") or (project_dir / str(entry["path"])).resolve())
    filename = str(entry.get("name") or location.rstrip("/").rsplit("/", 1)[-1])
    hashes = entry.get("hashes") or {}
    size = entry.get("size")
    return Locked(
        name, version, kind, location, filename, hashes.get("sha256"), int(size) if size else None
    )


def resolve_with_pip(
    requirements: Requirements, target: Target, cache_root: Path, project_dir: Path
) -> Resolution:
    """``pip download`` with every platform tag the runtime accepts (binary wheels only)."""
    with tempfile.TemporaryDirectory(prefix="skylift-pip-") as tmp:
        dest = Path(tmp, "wheels")
        cmd = [
            sys.executable, "-m", "pip", "download",
            "--only-binary=:all:", "--dest", str(dest),
            "--python-version", target.python_version, "--implementation", "cp",
            "--abi", target.cp, "--abi", "abi3", "--abi", "none",
            "--progress-bar", "off", "--quiet", "--disable-pip-version-check",
        ]  # fmt: skip
        for plat in target.platforms:
            cmd += ["--platform", plat]
        if requirements.file:
            cmd += ["-r", str(requirements.file)]
            stdin = None
        else:
            cmd += ["-r", "/dev/stdin"]
            stdin = "\n".join(requirements.lines) + "\n"
        proc = subprocess.run(
            cmd, input=stdin, capture_output=True, text=True, cwd=project_dir, check=False
        )
        if proc.returncode != 0:
            raise PackagingError(
                f"pip could not download wheels for {target.describe()}:\n{_clean(proc.stderr)}",
                hint="Fix the requirement named above, or pin a version that ships manylinux wheels.",
            )
        return Resolution("pip", _store_downloads(dest, requirements, cache_root))


def _store_downloads(
    dest: Path, requirements: Requirements, cache_root: Path
) -> tuple[Locked, ...]:
    left_out = {normalize(n) for n in requirements.left_out()}
    out: list[Locked] = []
    for wheel in sorted(dest.glob("*.whl")):
        name, version = wheel.name.split("-")[:2]
        if normalize(name) in left_out:
            continue
        digest = sha256_file(wheel)
        final = cache_root / "wheels" / digest / wheel.name
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(wheel, final)
        out.append(
            Locked(name, version, "wheel", str(final), wheel.name, digest, final.stat().st_size)
        )
    return tuple(out)
