"""Turn a resolution into wheel files on disk: download into the cache, build pure sdists."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from skylift.errors import PackagingError
from skylift.packaging.cache import (
    built_wheel,
    cached_wheel,
    fetch_wheel,
    sha256_file,
)
from skylift.packaging.resolve import Locked, Resolution
from skylift.packaging.target import Target, wheel_tag_text, wheel_tags

# Files whose presence in an sdist means it compiles something.
_NATIVE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".pyx", ".rs", ".f", ".f90", ".cu", ".go")
_NATIVE_NAMES = ("Cargo.toml", "CMakeLists.txt", "meson.build")
_DOWNLOAD_THREADS = 8


@dataclass(frozen=True)
class Wheel:
    """A wheel file ready to be copied into the package."""

    name: str
    version: str
    path: Path
    sha256: str
    built_from: str | None = None  # "sdist" or "directory" when skylift built it

    @property
    def tag(self) -> str:
        return wheel_tag_text(self.path.name)


def fetch_all(
    resolution: Resolution,
    target: Target,
    cache_root: Path,
    uv: str | None,
    on_bytes: Callable[[int], None] | None = None,
    on_done: Callable[[str], None] | None = None,
) -> list[Wheel]:
    """Every resolved distribution as a wheel file, downloads running in parallel."""

    def one(locked: Locked) -> Wheel:
        wheel = _materialize(locked, target, cache_root, uv, on_bytes)
        if on_done:
            on_done(locked.name)
        return wheel

    with ThreadPoolExecutor(max_workers=_DOWNLOAD_THREADS) as pool:
        return list(pool.map(one, resolution.packages))


def missing_bytes(resolution: Resolution, cache_root: Path) -> int:
    """How many bytes still have to be downloaded (for the progress bar)."""
    return sum(
        p.size or 0
        for p in resolution.packages
        if p.kind != "directory"
        and not (p.sha256 and cached_wheel(cache_root, p.sha256, p.filename))
    )


def _materialize(
    locked: Locked,
    target: Target,
    cache_root: Path,
    uv: str | None,
    on_bytes: Callable[[int], None] | None,
) -> Wheel:
    if locked.kind == "directory":
        source = Path(locked.location)
        out = cache_root / "local" / hashlib.sha256(str(source).encode()).hexdigest()[:24]
        path = _build(source, locked.name, target, uv, cache_root, out)
        return Wheel(locked.name, _version_of(path), path, sha256_file(path), "directory")
    path = fetch_wheel(cache_root, locked.location, locked.sha256, locked.filename, on_bytes)
    digest = locked.sha256 or path.parent.name
    if locked.kind == "wheel":
        if not target.accepts(wheel_tags(path.name)):
            raise PackagingError(
                f"The resolver chose {path.name}, which does not run on {target.describe()}.",
                hint="Pin a version of this package that publishes a matching manylinux wheel.",
            )
        return Wheel(locked.name, locked.version, path, digest)
    hit = built_wheel(cache_root, digest)
    if hit is None:
        _refuse_native_sdist(path, locked, target)
        hit = _build(path, locked.name, target, uv, cache_root, cache_root / "built" / digest)
    return Wheel(locked.name, locked.version, hit, sha256_file(hit), "sdist")


def _refuse_native_sdist(sdist: Path, locked: Locked, target: Target) -> None:
    names = _archive_names(sdist)
    native = sorted(
        n for n in names if n.endswith(_NATIVE_SUFFIXES) or n.rsplit("/", 1)[-1] in _NATIVE_NAMES
    )
    if native:
        raise PackagingError(
            f"{locked.name} {locked.version} has no wheel for {target.describe()}, and its source "
            f"distribution contains native code ({native[0]}), which would be compiled for this "
            "machine, not for Lambda.",
            hint=f"Pin a version of {locked.name} that publishes manylinux wheels for "
            f"{target.runtime}/{target.architecture}, or build such a wheel and list its file.",
        )


def _archive_names(path: Path) -> list[str]:
    try:
        if path.name.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                return archive.namelist()
        with tarfile.open(path) as archive:
            return archive.getnames()
    except (OSError, tarfile.TarError, zipfile.BadZipFile) as exc:
        raise PackagingError(
            f"Cannot read the source distribution {path.name}: {exc}",
            hint="Delete it from the skylift cache (skylift's cache dir, `built/` and `wheels/`) and retry.",
        ) from exc


def _build(
    source: Path, name: str, target: Target, uv: str | None, cache_root: Path, out: Path
) -> Path:
    """Build a wheel from an sdist or a directory; only a pure-Python result is accepted."""
    if uv is None:
        raise PackagingError(
            f"{name} must be built from source, which needs uv, and uv is not installed.",
            hint="Install skylift with its dependencies (`pip install skylift`) so uv is present.",
        )
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    cmd = [
        uv, "build", "--wheel", "--out-dir", str(out),
        "--cache-dir", str(cache_root / "uv"),
        "--python", sys.executable, "--no-python-downloads",
        "--quiet", str(source),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wheels = sorted(out.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        detail = "\n".join(proc.stderr.strip().splitlines()[-10:])
        raise PackagingError(
            f"Building {name} from {source.name} failed:\n{detail}",
            hint=f"Fix the build of {name}, or pin a version that publishes a wheel.",
        )
    wheel = wheels[0]
    tags = wheel_tags(wheel.name)
    if not all(abi == "none" and plat == "any" for _, abi, plat in tags):
        shutil.rmtree(out, ignore_errors=True)
        raise PackagingError(
            f"{name} built as {wheel.name}: it has native code, compiled for this machine, "
            f"not for {target.describe()}.",
            hint=f"Use a version of {name} that publishes manylinux wheels for {target.runtime}.",
        )
    return wheel


def _version_of(wheel: Path) -> str:
    return wheel.name.split("-")[1]
