"""What packaging hands to deploy: the archive(s) and the hash that identifies them."""

from __future__ import annotations

import base64
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class DependencyInfo:
    """One installed distribution, as `--explain` and the manifest show it."""

    name: str
    version: str
    wheel: str  # the wheel file it came from
    tag: str  # its wheel tag, e.g. cp312-cp312-manylinux_2_17_x86_64
    sha256: str  # of the wheel file
    files: int
    unzipped: int
    location: str = "function"  # function | slim | layer
    built_from: str | None = None  # sdist | directory when skylift built the wheel

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class BuildReport:
    """What went in, what stayed out and why: for `skylift package --explain`."""

    requirements: str  # where the requirements came from
    resolver: str  # uv | pip | none
    included: tuple[tuple[str, int], ...] = ()  # project files (path, size)
    excluded: tuple[tuple[str, str], ...] = ()  # (path, reason), project and dependencies
    dependencies: tuple[DependencyInfo, ...] = ()
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0

    def largest(self, count: int = 20) -> list[DependencyInfo]:
        return sorted(self.dependencies, key=lambda d: (-d.unzipped, d.name))[:count]

    def to_json(self) -> dict[str, Any]:
        return {
            "requirements": self.requirements,
            "resolver": self.resolver,
            "included": [{"path": p, "size": s} for p, s in self.included],
            "excluded": [{"path": p, "reason": r} for p, r in self.excluded],
            "dependencies": [d.to_json() for d in self.dependencies],
            "warnings": list(self.warnings),
            "seconds": round(self.seconds, 3),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BuildReport:
        return cls(
            requirements=str(data["requirements"]),
            resolver=str(data["resolver"]),
            included=tuple((str(i["path"]), int(i["size"])) for i in data["included"]),
            excluded=tuple((str(e["path"]), str(e["reason"])) for e in data["excluded"]),
            dependencies=tuple(DependencyInfo(**d) for d in data["dependencies"]),
            warnings=tuple(str(w) for w in data["warnings"]),
            seconds=float(data.get("seconds", 0.0)),
        )


@dataclass(frozen=True)
class Artifact:
    """A built deployment package.

    ``content_hash`` is the hex sha256 of the zip's bytes; builds are
    deterministic, so the same inputs give the same hash and deploy can skip an
    upload (and UpdateFunctionCode) whenever the hash is already there.
    """

    path: Path
    content_hash: str
    size: int
    handler: str
    runtime: str
    architecture: str
    manifest: dict[str, Any] = field(default_factory=dict)
    # slim_handler: the dependencies, loaded into /tmp at cold start.
    slim_archive: Path | None = None
    slim_hash: str | None = None
    # layers = "auto": the dependencies as a layer, keyed by their hash.
    layer_archive: Path | None = None
    layer_hash: str | None = None
    # Added by packaging for `package --explain`, the size report and the reuse check.
    unzipped_size: int = 0
    slim_size: int = 0
    layer_size: int = 0
    reused: bool = False
    report: BuildReport | None = None

    def to_json(self) -> dict[str, Any]:
        """What `skylift package --json` prints (the manifest stays in the zip)."""
        return {
            "path": str(self.path),
            "content_hash": self.content_hash,
            "code_sha256": self.code_sha256,
            "size": self.size,
            "unzipped_size": self.unzipped_size,
            "handler": self.handler,
            "runtime": self.runtime,
            "architecture": self.architecture,
            "slim_archive": str(self.slim_archive) if self.slim_archive else None,
            "slim_hash": self.slim_hash,
            "slim_size": self.slim_size or None,
            "layer_archive": str(self.layer_archive) if self.layer_archive else None,
            "layer_hash": self.layer_hash,
            "layer_size": self.layer_size or None,
            "reused": self.reused,
            "report": self.report.to_json() if self.report else None,
        }

    @property
    def code_sha256(self) -> str:
        """The zip's hash as Lambda reports it (base64 of the raw sha256 digest)."""
        return base64.b64encode(bytes.fromhex(self.content_hash)).decode("ascii")
