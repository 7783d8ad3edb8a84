"""The one seam between deploy and packaging: build the stage's artifact."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import cast

from skylift.config import Stage
from skylift.errors import PackagingError
from skylift.packaging import Artifact


def build_artifact(stage: Stage) -> Artifact:
    """``skylift.packaging.build(stage)``, looked up when called.

    Looked up by name so the deploy engine stands on its own while packaging
    grows; the CLI verbs are the only callers, tests pass artifacts directly.
    """
    build = getattr(importlib.import_module("skylift.packaging"), "build", None)
    if build is None:
        raise PackagingError(
            "This skylift has no packaging (skylift.packaging.build is missing).",
            hint="Install a complete skylift, or call the deploy library with a built Artifact.",
        )
    return cast(Callable[[Stage], Artifact], build)(stage)
