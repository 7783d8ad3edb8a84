"""What packaging hands to deploy: the archive(s) and the hash that identifies them."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


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

    @property
    def code_sha256(self) -> str:
        """The zip's hash as Lambda reports it (base64 of the raw sha256 digest)."""
        return base64.b64encode(bytes.fromhex(self.content_hash)).decode("ascii")
