"""Which project files go into the package, and why the others stay out.

``exclude`` has Zappa's meaning (``shutil.ignore_patterns``): fnmatch patterns
tested against the name of every file and folder, at any depth.
``exclude_glob`` patterns are relative to the project root (``**`` spans
folders); a matching folder leaves out everything below it. Some things never
go in whatever the settings say: version control, virtualenvs, caches,
secrets (``.env*``, keys, ``.aws``), node_modules, build output, the settings
file itself (it holds environment variables), and anything outside the project.
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

# Zappa's ZIP_EXCLUDES: names it never packs from a project.
ZAPPA_EXCLUDES: tuple[str, ...] = (
    "*.exe", "*.DS_Store", "*.Python", "*.git", ".git/*", "*.zip", "*.tar.gz", "*.hg",
    "pip", "docutils*", "setuputils*", "__pycache__/*",
)  # fmt: skip
# Zappa's, plus wheel files: dependencies are installed from them, never packed as files.
DEFAULT_EXCLUDES: tuple[str, ...] = (*ZAPPA_EXCLUDES, "*.whl")
# Never packed, whatever the settings: (pattern on a name, reason).
ALWAYS_EXCLUDED: tuple[tuple[str, str], ...] = (
    (".git", "version control"),
    (".hg", "version control"),
    (".svn", "version control"),
    ("__pycache__", "bytecode cache"),
    ("*.pyc", "bytecode"),
    ("*.pyo", "bytecode"),
    (".env*", "secrets (.env files)"),
    ("*.pem", "secrets (keys and certificates)"),
    ("*.key", "secrets (keys and certificates)"),
    ("id_rsa*", "secrets (keys and certificates)"),
    ("id_ed25519*", "secrets (keys and certificates)"),
    (".aws", "secrets (AWS credentials)"),
    (".ssh", "secrets (SSH keys)"),
    ("node_modules", "node_modules"),
    (".skylift", "skylift build output"),
    (".tox", "tool cache"),
    (".nox", "tool cache"),
    (".mypy_cache", "tool cache"),
    (".pytest_cache", "tool cache"),
    (".ruff_cache", "tool cache"),
    (".hypothesis", "tool cache"),
)


@dataclass(frozen=True)
class ProjectFile:
    rel: str  # POSIX path inside the package
    path: Path  # where to read it
    size: int
    mtime_ns: int
    executable: bool


@dataclass
class Selection:
    files: list[ProjectFile] = field(default_factory=list)
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)


@dataclass(frozen=True)
class Rules:
    """Exclusion rules, applied to project files and (user rules only) to dependencies."""

    exclude: tuple[str, ...] = ()
    exclude_glob: tuple[str, ...] = ()
    extra_paths: frozenset[str] = frozenset()  # exact relative paths to leave out

    def user_reason(self, rel: str) -> str | None:
        """Why the user's settings leave ``rel`` out (checked on each path component)."""
        found = self.user_match(rel)
        return found[1] if found else None

    def user_match(self, rel: str) -> tuple[str, str] | None:
        """(the path that matched, with "/" when a folder, reason) or None."""
        parts = rel.split("/")
        for pattern in self.exclude:
            for i, part in enumerate(parts):
                if fnmatch.fnmatch(part, pattern):
                    return _matched(parts, i), f"exclude: {pattern}"
        for pattern in self.exclude_glob:
            regex = _glob_regex(pattern.removeprefix("./"))
            for i in range(len(parts)):
                if regex.fullmatch("/".join(parts[: i + 1])):
                    return _matched(parts, i), f"exclude_glob: {pattern}"
        return None


def _matched(parts: list[str], i: int) -> str:
    return "/".join(parts[: i + 1]) + ("/" if i < len(parts) - 1 else "")


def select_files(project: Path, rules: Rules) -> Selection:
    """Walk the project (sorted, so the result does not depend on the file system)."""
    root = project.resolve()
    selection = Selection()
    _walk(root, root, "", rules, selection)
    return selection


def _walk(root: Path, folder: Path, prefix: str, rules: Rules, out: Selection) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        out.excluded.append((prefix or ".", f"unreadable: {exc.strerror}"))
        return
    for entry in entries:
        rel = f"{prefix}{entry.name}"
        reason = _fixed_reason(entry.name, rel, rules)
        if reason is None and entry.is_symlink():
            reason = _symlink_reason(root, Path(entry.path), entry)
        if reason is None and entry.is_dir() and (Path(entry.path) / "pyvenv.cfg").exists():
            reason = "virtualenv"
        if reason is None:
            reason = rules.user_reason(rel)
        if reason is not None:
            out.excluded.append((rel + ("/" if entry.is_dir() else ""), reason))
            continue
        if entry.is_dir():
            _walk(root, Path(entry.path), rel + "/", rules, out)
        elif entry.is_file():
            info = entry.stat()
            out.files.append(
                ProjectFile(
                    rel=rel,
                    path=Path(entry.path),
                    size=info.st_size,
                    mtime_ns=info.st_mtime_ns,
                    executable=bool(info.st_mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)),
                )
            )
        else:
            out.excluded.append((rel, "not a regular file"))


def _fixed_reason(name: str, rel: str, rules: Rules) -> str | None:
    for pattern, reason in ALWAYS_EXCLUDED:
        if fnmatch.fnmatch(name, pattern):
            return reason
    if rel in rules.extra_paths:
        return "settings file or build output"
    for pattern in DEFAULT_EXCLUDES:
        if fnmatch.fnmatch(name, pattern):
            return f"default exclude: {pattern}"
    return None


def _symlink_reason(root: Path, path: Path, entry: os.DirEntry[str]) -> str | None:
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return "broken symlink"
    if not real.is_relative_to(root):
        return "symlink pointing outside the project"
    if entry.is_dir():
        return "symlink to a folder (packed once, under its real path)"
    return None


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """A glob as a regex over POSIX relative paths: ``**`` spans folders, ``*`` does not."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(char))
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))
