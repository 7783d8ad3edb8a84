"""Which Python runs a function: the runtime's own version when installed, else the host's.

A package built for python3.12 may hold cp312 binary wheels; running it on
another version works for pure-Python code only, so a mismatch is warned about.
pyenv's shims are skipped (they fail for versions that are not activated); its
versions directory is searched instead.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_PYTHON_RUNTIME = re.compile(r"^python(\d+)\.(\d+)$")


@dataclass(frozen=True)
class Interpreter:
    path: str
    version: str  # "3.12"
    wanted: str  # the runtime asked for, "python3.12"
    warning: str | None = None


def host_version() -> str:
    return f"{sys.version_info[0]}.{sys.version_info[1]}"


@functools.cache
def for_runtime(runtime: str | None) -> Interpreter:
    match = _PYTHON_RUNTIME.match(runtime or "")
    if match is None:
        return Interpreter(sys.executable, host_version(), runtime or "")
    wanted = f"{match[1]}.{match[2]}"
    if wanted == host_version():
        return Interpreter(sys.executable, wanted, runtime or "")
    for candidate in _candidates(wanted):
        if _reports_version(candidate) == wanted:
            return Interpreter(candidate, wanted, runtime or "")
    return Interpreter(
        sys.executable,
        host_version(),
        runtime or "",
        warning=(
            f"{runtime} is not installed on this machine; running the function with the host's "
            f"Python {host_version()} (binary wheels built for {runtime} may fail to import). "
            f"Install python{wanted} (e.g. `pyenv install {wanted}`) to run it exactly."
        ),
    )


def _candidates(version: str) -> list[str]:
    found: list[str] = []
    shims = os.sep + "shims"
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory or directory.rstrip(os.sep).endswith(shims):
            continue
        path = shutil.which(f"python{version}", path=directory)
        if path:
            found.append(path)
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    versions = pyenv_root / "versions"
    if versions.is_dir():
        for entry in sorted(versions.glob(f"{version}.*"), reverse=True):
            binary = entry / "bin" / f"python{version}"
            if binary.is_file():
                found.append(str(binary))
    return found


def _reports_version(path: str) -> str | None:
    try:
        result = subprocess.run(
            [path, "-I", "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() if result.returncode == 0 else None
