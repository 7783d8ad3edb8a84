"""The code that runs inside Lambda. STANDARD LIBRARY ONLY: copied into every package.

Public API: :func:`adapt` (a Lambda handler for any WSGI/ASGI app), :func:`task`
(async tasks), and the packaged entry point ``skylift.runtime.handler.lambda_handler``.
Names are imported on first use, so importing this package costs nothing.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from typing import Any

    from skylift.runtime.adapter import adapt
    from skylift.runtime.tasks import task

__all__ = ["adapt", "task"]


def __getattr__(name: str) -> Any:
    if name == "adapt":
        from skylift.runtime.adapter import adapt

        return adapt
    if name == "task":
        from skylift.runtime.tasks import task

        return task
    raise AttributeError(f"module 'skylift.runtime' has no attribute {name!r}")
