"""Which dependencies a project declares, and where it declares them.

First found wins: the ``requirements`` setting (a file path, or a list of
requirement lines), ``requirements.txt``, the static ``[project].dependencies``
of ``pyproject.toml``, and finally, as Zappa does, the distributions installed
in the active virtualenv, minus development tools and what only they need.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from skylift.config import Stage
from skylift.errors import PackagingError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

# Provided by every Lambda Python runtime; shipped only when the user pins them.
RUNTIME_PROVIDED: tuple[str, ...] = ("boto3", "botocore", "s3transfer", "jmespath")
# Never packaged as a dependency: skylift's runtime is copied in from the installed skylift.
ALWAYS_LEFT_OUT: tuple[str, ...] = ("skylift",)

# Tools a virtualenv holds for development, never for the function.
_DEV_TOOLS = re.compile(
    r"^(pip|setuptools|wheel|uv|skylift|zappa|pytest|pytest-.*|mypy|mypy-extensions|ruff|black|"
    r"flake8|isort|pylint|coverage|tox|nox|pre-commit|ipython|ipdb|jupyter.*|hypothesis|moto|"
    r"boto3-stubs|botocore-stubs|mypy-boto3-.*|types-.*|virtualenv|pipdeptree|twine|build|"
    r"hatchling|poetry|pip-tools|bandit|pyright|debugpy)$"
)
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*===?\s*[^\s,;*]+\s*(;.*)?$")
_INCLUDE = re.compile(r"^\s*(-r|-c|--requirement|--constraint)(\s+|=)(\S+)")


def normalize(name: str) -> str:
    """PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass(frozen=True)
class Requirements:
    """The project's requirement inputs, as uv and pip will read them."""

    source: str  # setting | requirements.txt | pyproject.toml | virtualenv | none
    description: str
    lines: tuple[str, ...] = ()
    file: Path | None = None  # a requirements file handed to the resolver as is
    fingerprint: str = ""  # identifies the inputs: same fingerprint, same resolution
    pinned: frozenset[str] = field(default_factory=frozenset)

    @property
    def empty(self) -> bool:
        return self.file is None and not any(_is_requirement(line) for line in self.lines)

    def left_out(self) -> list[str]:
        """Packages the resolver must leave out: the runtime's own, unless pinned."""
        names = [n for n in RUNTIME_PROVIDED if n not in self.pinned]
        return [*names, *ALWAYS_LEFT_OUT]


def find_requirements(stage: Stage) -> Requirements:
    project = stage.project_dir
    setting = stage.settings.requirements
    if isinstance(setting, str):
        return _from_file(project / setting, "setting", f"`requirements` setting ({setting})")
    if isinstance(setting, list):
        return _from_lines(tuple(setting), "setting", "`requirements` setting", project)
    if (project / "requirements.txt").is_file():
        return _from_file(project / "requirements.txt", "requirements.txt", "requirements.txt")
    from_pyproject = _from_pyproject(project / "pyproject.toml")
    if from_pyproject is not None:
        return from_pyproject
    return _from_virtualenv(project)


def _from_file(path: Path, source: str, description: str) -> Requirements:
    if not path.is_file():
        raise PackagingError(
            f"The requirements file {path} does not exist.",
            hint="Fix the `requirements` setting, or remove it to use requirements.txt.",
        )
    lines = tuple(_read_with_includes(path, set()))
    return Requirements(
        source=source,
        description=description,
        lines=lines,
        file=path,
        fingerprint=_digest(lines),
        pinned=_pinned(lines),
    )


def _read_with_includes(path: Path, seen: set[Path]) -> list[str]:
    """The file's lines followed by those of the files it includes with -r/-c (for hashing)."""
    resolved = path.resolve()
    if resolved in seen:
        return []
    seen.add(resolved)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise PackagingError(
            f"Cannot read the requirements file {path}: {exc.strerror}.",
            hint="Check the path in the `requirements` setting or the -r line that names it.",
        ) from exc
    out = list(lines)
    for line in lines:
        match = _INCLUDE.match(line)
        if match:
            out.extend(_read_with_includes(path.parent / match.group(3), seen))
    return out


def _from_lines(
    lines: tuple[str, ...], source: str, description: str, project: Path
) -> Requirements:
    hashed = list(lines)
    for line in lines:
        match = _INCLUDE.match(line)
        if match:
            hashed.extend(_read_with_includes(project / match.group(3), set()))
    return Requirements(
        source=source,
        description=description,
        lines=lines,
        fingerprint=_digest(hashed),
        pinned=_pinned(lines),
    )


def _from_pyproject(path: Path) -> Requirements | None:
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PackagingError(
            f"Cannot read {path}: {exc}", hint="Fix the TOML syntax of pyproject.toml."
        ) from exc
    project = data.get("project")
    if not isinstance(project, dict):
        return None
    if "dependencies" in project.get("dynamic", []):
        raise PackagingError(
            f"{path} declares its dependencies as dynamic, so skylift cannot read them.",
            hint="Write a requirements.txt (or set `requirements`) listing what the function needs.",
        )
    deps = project.get("dependencies")
    if not isinstance(deps, list) or not all(isinstance(d, str) for d in deps):
        return None
    lines = tuple(deps)
    return Requirements(
        source="pyproject.toml",
        description="[project].dependencies of pyproject.toml",
        lines=lines,
        fingerprint=_digest(lines),
        pinned=_pinned(lines),
    )


def _from_virtualenv(project: Path) -> Requirements:
    venv = _active_virtualenv()
    if venv is None:
        return Requirements(source="none", description="no requirements found", fingerprint="none")
    site = _site_packages(venv)
    dists = _installed(site)
    lines = tuple(f"{name}=={version}" for name, version in sorted(_roots(dists).items()))
    return Requirements(
        source="virtualenv",
        description=f"packages installed in the virtualenv {venv}",
        lines=lines,
        fingerprint=_digest(lines),
    )


def _active_virtualenv() -> Path | None:
    env = os.environ.get("VIRTUAL_ENV")
    if env and Path(env, "pyvenv.cfg").is_file():
        return Path(env)
    if sys.prefix != sys.base_prefix:
        return Path(sys.prefix)
    return None


def _site_packages(venv: Path) -> list[str]:
    return [str(p) for p in sorted((venv / "lib").glob("python3*/site-packages"))]


@dataclass(frozen=True)
class _Dist:
    version: str
    requires: frozenset[str]
    editable: bool


def _installed(paths: list[str]) -> dict[str, _Dist]:
    dists: dict[str, _Dist] = {}
    for dist in metadata.distributions(path=paths):
        name = dist.metadata["Name"]
        if not name:
            continue
        requires = frozenset(
            normalize(m.group(1))
            for req in dist.requires or []
            if "extra ==" not in req and (m := _NAME.match(req))
        )
        dists[normalize(name)] = _Dist(dist.version, requires, _is_editable(dist))
    return dists


def _is_editable(dist: metadata.Distribution) -> bool:
    text = dist.read_text("direct_url.json")
    if not text:
        return False
    try:
        info: Any = json.loads(text)
    except ValueError:
        return False
    return bool(isinstance(info, dict) and info.get("dir_info", {}).get("editable"))


def _roots(dists: dict[str, _Dist]) -> dict[str, str]:
    """Top-level distributions (required by no other one) that are not development tools."""
    required = {req for dist in dists.values() for req in dist.requires}
    return {
        name: dist.version
        for name, dist in dists.items()
        if name not in required and not dist.editable and not _DEV_TOOLS.match(name)
    }


def _is_requirement(line: str) -> bool:
    stripped = line.split("#", 1)[0].strip()
    return bool(stripped) and not stripped.startswith(("--index", "--extra-index", "-i ", "-f "))


def _pinned(lines: tuple[str, ...] | list[str]) -> frozenset[str]:
    return frozenset(normalize(m.group(1)) for line in lines if (m := _PIN.match(line)))


def _digest(lines: tuple[str, ...] | list[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
