"""Reusing the last artifact when nothing that goes into it changed.

The fingerprint covers every input of a build: skylift's version and runtime
files, the target, the settings (except environment variables, which never
enter the zip), the requirement inputs, and each project file's path, size,
mtime and mode. Same fingerprint and the archives still on disk with their
hashes: the previous Artifact is returned without resolving or zipping.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import skylift
from skylift.config import Stage
from skylift.packaging.artifact import Artifact, BuildReport
from skylift.packaging.cache import read_json, sha256_file, write_json
from skylift.packaging.contents import runtime_files
from skylift.packaging.files import ProjectFile
from skylift.packaging.requirements import Requirements
from skylift.packaging.target import Target

_FORMAT = 1
# Settings that never change the artifact (deploy puts them in the function configuration).
_NOT_IN_PACKAGE = ("environment_variables", "aws_environment_variables")


def fingerprint(
    stage: Stage,
    target: Target,
    level: int,
    requirements: Requirements,
    files: list[ProjectFile],
    output: Path,
) -> str:
    settings = {k: v for k, v in stage.resolved()["settings"].items() if k not in _NOT_IN_PACKAGE}
    runtime = []
    for name, path in runtime_files():
        info = path.stat()
        runtime.append([name, info.st_size, info.st_mtime_ns])
    payload: list[Any] = [
        _FORMAT,
        skylift.__version__,
        target.runtime,
        target.architecture,
        level,
        stage.name,
        stage.function_name,
        settings,
        requirements.source,
        str(requirements.file),
        requirements.fingerprint,
        str(output),
        runtime,
        [[f.rel, f.size, f.mtime_ns, f.executable] for f in files],
    ]
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record_path(cache_root: Path, output: Path) -> Path:
    key = hashlib.sha256(str(output).encode("utf-8")).hexdigest()[:32]
    return cache_root / "artifacts" / f"{key}.json"


def load(cache_root: Path, output: Path, print_: str) -> Artifact | None:
    """The previous artifact at ``output`` if it was built from the same inputs and is intact."""
    record = read_json(_record_path(cache_root, output))
    if not isinstance(record, dict) or record.get("format") != _FORMAT:
        return None
    if record.get("fingerprint") != print_:
        return None
    try:
        artifact = _artifact_from_json(record["artifact"])
    except (KeyError, TypeError, ValueError):
        return None
    archives = [
        (artifact.path, artifact.content_hash),
        (artifact.slim_archive, artifact.slim_hash),
        (artifact.layer_archive, artifact.layer_hash),
    ]
    for path, digest in archives:
        if path is not None and (not path.is_file() or sha256_file(path) != digest):
            return None
    return artifact


def save(cache_root: Path, artifact: Artifact, print_: str) -> None:
    write_json(
        _record_path(cache_root, artifact.path),
        {"format": _FORMAT, "fingerprint": print_, "artifact": _artifact_to_json(artifact)},
    )


def _artifact_to_json(a: Artifact) -> dict[str, Any]:
    data = a.to_json()
    data["manifest"] = a.manifest
    return data


def _artifact_from_json(data: dict[str, Any]) -> Artifact:
    def path(key: str) -> Path | None:
        value = data.get(key)
        return Path(value) if value else None

    report = data.get("report")
    return Artifact(
        path=Path(data["path"]),
        content_hash=str(data["content_hash"]),
        size=int(data["size"]),
        handler=str(data["handler"]),
        runtime=str(data["runtime"]),
        architecture=str(data["architecture"]),
        manifest=dict(data.get("manifest") or {}),
        slim_archive=path("slim_archive"),
        slim_hash=data.get("slim_hash"),
        layer_archive=path("layer_archive"),
        layer_hash=data.get("layer_hash"),
        unzipped_size=int(data.get("unzipped_size") or 0),
        slim_size=int(data.get("slim_size") or 0),
        layer_size=int(data.get("layer_size") or 0),
        reused=True,
        report=BuildReport.from_json(report) if isinstance(report, dict) else None,
    )
