"""Building the deployment package: target wheels, project files, deterministic zip."""

from skylift.packaging.artifact import Artifact

__all__ = ["Artifact"]
