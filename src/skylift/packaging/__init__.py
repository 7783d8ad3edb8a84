"""Building the deployment package: target wheels, project files, deterministic zip.

The public API is ``build(stage) -> Artifact``; everything else is internal.
"""

from skylift.packaging.artifact import Artifact, BuildReport, DependencyInfo
from skylift.packaging.build import DEFAULT_HANDLER, MANIFEST_NAME, build
from skylift.packaging.callbacks import run_callback

__all__ = [
    "DEFAULT_HANDLER",
    "MANIFEST_NAME",
    "Artifact",
    "BuildReport",
    "DependencyInfo",
    "build",
    "run_callback",
]
