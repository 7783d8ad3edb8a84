"""Exceptions the runtime raises out of the Lambda handler on purpose.

Raising is how Lambda is told to retry (records, async invocations) or how API Gateway
is told to deny (authorizers). Everything else is answered, never raised.
"""

from __future__ import annotations

__all__ = ["EventError", "FunctionNotFound", "Unauthorized", "UnhandledRecords"]


class EventError(Exception):
    """A deliberate failure of one invocation, with a message saying what to fix."""


class Unauthorized(EventError):
    """API Gateway maps an authorizer that raises exactly "Unauthorized" to a 401."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


class UnhandledRecords(EventError):
    """Records no configured function takes: raised so the service keeps them (retry, DLQ)."""


class FunctionNotFound(EventError):
    """A dotted path in the settings or the event names nothing importable."""
