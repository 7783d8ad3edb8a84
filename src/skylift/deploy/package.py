"""The one seam between deploy and packaging: build the stage's artifact."""

from __future__ import annotations

from skylift.config import Stage
from skylift.packaging import Artifact, build
from skylift.packaging.progress import Reporter


def build_artifact(stage: Stage, reporter: Reporter | None = None) -> Artifact:
    """The stage's package (reused when nothing changed: then no upload, no new code)."""
    return build(stage, reporter=reporter)
