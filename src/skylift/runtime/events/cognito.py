"""Cognito user pool triggers: routed by ``triggerSource`` to the ``cognito.triggers`` setting."""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from typing import Any


def matches(event: dict[str, Any]) -> bool:
    return isinstance(event.get("triggerSource"), str) and "userPoolId" in event


def trigger_function(event: dict[str, Any], cognito: Any) -> str | None:
    """The function configured for the event's trigger source, None when there is none.

    Zappa matches the whole source (``PreSignUp_SignUp``); a configured prefix before the
    first underscore (``PreSignUp``) matches every variant of that trigger too.
    """
    triggers = cognito.get("triggers") if isinstance(cognito, dict) else None
    if not isinstance(triggers, list):
        return None
    source = event["triggerSource"]
    for exact in (True, False):
        for trigger in triggers:
            if not isinstance(trigger, dict) or not isinstance(trigger.get("function"), str):
                continue
            name = trigger.get("source")
            if (name == source) if exact else (name == source.split("_", 1)[0]):
                return str(trigger["function"])
    return None
