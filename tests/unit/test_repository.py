"""Repository hygiene that a merge can break without any other test noticing."""

from __future__ import annotations

import subprocess

from tests.conftest import REPO_ROOT

MARKERS = ("<<<<<<< ", ">>>>>>> ")


def test_no_merge_conflict_markers_in_tracked_text_files() -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.split(b"\0")
    offenders = []
    for name in filter(None, listed):
        path = REPO_ROOT / name.decode()
        if path.suffix not in {".py", ".md", ".toml", ".json", ".yaml", ".yml", ".txt", ".cfg"}:
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if line.startswith(MARKERS) or line == "=======":
                offenders.append(f"{name.decode()}:{number}")
    assert not offenders, f"merge conflict markers left in: {offenders}"
