"""skylift: deploy Python web apps to AWS Lambda, and run them on a local cloud.

This module is copied into every deployment package next to ``skylift.runtime``,
so it must import nothing outside the standard library and cost nothing to import:
``task`` (``from skylift import task``) is imported on first use.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from typing import Any

    from skylift.runtime.tasks import task

__version__ = "0.1.0"

__all__ = ["__version__", "task"]


def __getattr__(name: str) -> Any:
    if name == "task":
        from skylift.runtime.tasks import task

        return task
    raise AttributeError(f"module 'skylift' has no attribute {name!r}")
