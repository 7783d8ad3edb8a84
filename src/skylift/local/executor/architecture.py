"""Whether a package's native code can run on this machine.

The local cloud runs a function's code with host binaries, whatever its
``Architectures`` says. Pure Python runs anywhere; a package holding compiled
extensions for another architecture (an arm64 stage's aarch64 wheels on an
x86_64 laptop) fails at its first import with an unhelpful ImportError. This
names the problem instead: the packager's manifest (``.skylift/manifest.json``)
says which wheels went in and for which platform; a package without one is
judged by the ELF headers of its shared objects (and a custom runtime's
``bootstrap``).
"""

from __future__ import annotations

import functools
import io
import json
import os
import platform
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

MANIFEST = ".skylift/manifest.json"
LAMBDA_ARCHITECTURES = ("x86_64", "arm64")
_MACHINES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}
# ELF e_machine values (the System V ABI's registry)
_ELF_MACHINES = {3: "i386", 40: "arm", 62: "x86_64", 183: "arm64"}
_ELF_HEAD = 20


def host_architecture() -> str:
    """This machine in Lambda's words (``x86_64`` or ``arm64``), else what the OS calls it."""
    machine = platform.machine().lower()
    return _MACHINES.get(machine, machine)


def mismatch_message(function_architecture: str, built_for: str, host: str) -> str:
    message = (
        f"this package was built for {built_for}; the local cloud runs {host} code: "
        f'set architecture = "{host}" for local runs, or run on an {built_for} machine'
    )
    if built_for != function_architecture:
        message += f" (the function's Architectures is {function_architecture})"
    return message


def problem_in_tree(
    function_architecture: str, roots: tuple[Path, ...], host: str | None = None
) -> str | None:
    """Why the unpacked code (task root, then layers) cannot run here, or None."""
    host = host or host_architecture()
    if function_architecture == host or host not in LAMBDA_ARCHITECTURES:
        return None
    foreign = sorted(_tree_architectures(roots) - {host})
    if not foreign:
        return None
    return mismatch_message(function_architecture, _preferred(foreign, function_architecture), host)


def problem_in_zips(
    function_architecture: str, archives: Iterable[bytes], host: str | None = None
) -> str | None:
    """The same question for zips not unpacked yet (checked when a function is created)."""
    host = host or host_architecture()
    if function_architecture == host or host not in LAMBDA_ARCHITECTURES:
        return None
    found: set[str] = set()
    for data in archives:
        found |= _zip_architectures(data)
    foreign = sorted(found - {host})
    if not foreign:
        return None
    return mismatch_message(function_architecture, _preferred(foreign, function_architecture), host)


def _preferred(foreign: list[str], function_architecture: str) -> str:
    return function_architecture if function_architecture in foreign else foreign[0]


@functools.lru_cache(maxsize=256)
def _tree_architectures(roots: tuple[Path, ...]) -> frozenset[str]:
    # Unpacked trees are named by their content hash and never change: cache by path.
    found: set[str] = set()
    for root in roots:
        manifest = root / MANIFEST
        if manifest.is_file():
            try:
                found |= manifest_architectures(json.loads(manifest.read_bytes()))
                continue
            except (OSError, ValueError):
                pass  # unreadable: judge by the files themselves
        for path in _native_candidates(root):
            try:
                with open(path, "rb") as handle:
                    found |= _elf_architecture(handle.read(_ELF_HEAD))
            except OSError:
                continue
    return frozenset(found)


def _native_candidates(root: Path) -> Iterator[Path]:
    for directory, _dirs, files in os.walk(root):
        for name in files:
            if _is_candidate(name):
                yield Path(directory, name)


def _is_candidate(name: str) -> bool:
    base = name.rsplit("/", 1)[-1]
    return base.endswith(".so") or ".so." in base or base == "bootstrap"


def _zip_architectures(data: bytes) -> set[str]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return set()
    with archive:
        names = set(archive.namelist())
        if MANIFEST in names:
            try:
                return set(manifest_architectures(json.loads(archive.read(MANIFEST))))
            except (ValueError, KeyError, zipfile.BadZipFile):
                pass
        found: set[str] = set()
        for name in names:
            if _is_candidate(name) and not name.endswith("/"):
                with archive.open(name) as handle:
                    found |= _elf_architecture(handle.read(_ELF_HEAD))
        return found


def manifest_architectures(manifest: Any) -> frozenset[str]:
    """The architectures of the platform-specific wheels a skylift manifest lists."""
    found: set[str] = set()
    dependencies = manifest.get("dependencies") if isinstance(manifest, dict) else None
    for dependency in dependencies or []:
        tag = dependency.get("tag") if isinstance(dependency, dict) else None
        if not isinstance(tag, str):
            continue
        for plat in tag.rsplit("-", 1)[-1].split("."):
            architecture = _platform_architecture(plat)
            if architecture:
                found.add(architecture)
    return frozenset(found)


def _platform_architecture(plat: str) -> str | None:
    """``manylinux_2_17_aarch64`` -> arm64; ``any`` -> None (pure Python)."""
    lowered = plat.lower()
    if lowered == "any":
        return None
    for suffix, architecture in (
        ("aarch64", "arm64"),
        ("arm64", "arm64"),
        ("x86_64", "x86_64"),
        ("amd64", "x86_64"),
    ):
        if lowered.endswith(suffix):
            return architecture
    return lowered.rsplit("_", 1)[-1] or None


def _elf_architecture(head: bytes) -> set[str]:
    if len(head) < _ELF_HEAD or head[:4] != b"\x7fELF":
        return set()
    order: Literal["little", "big"] = "little" if head[5] == 1 else "big"
    machine = int.from_bytes(head[18:20], order)
    return {_ELF_MACHINES.get(machine, f"elf-machine-{machine}")}
