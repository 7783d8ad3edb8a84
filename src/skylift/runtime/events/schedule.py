"""EventBridge scheduled events (rules and EventBridge Scheduler): keep-warm pings and schedules.

The event names its rule in ``resources`` (``arn:aws:events:…:rule/NAME``). Rule names
follow Zappa's convention: they end with ``-<function>`` (the dotted path from the
``events`` setting), and keep-warm rules end with ``-keep-warm`` (Zappa's end with
``handler.keep_warm_callback``).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from typing import Any


KEEP_WARM_SUFFIXES = ("-keep-warm", "keep_warm_callback")


def matches(event: dict[str, Any]) -> bool:
    if event.get("detail-type") == "Scheduled Event":
        return True
    return event.get("source") in ("aws.events", "aws.scheduler") and bool(rule_name(event))


def rule_name(event: dict[str, Any]) -> str:
    """The rule (or schedule) name from the event's first resource ARN, '' when none."""
    resources = event.get("resources")
    if isinstance(resources, list) and resources and isinstance(resources[0], str):
        return resources[0].rsplit("/", 1)[-1]
    return ""


def is_keep_warm(event: dict[str, Any]) -> bool:
    return matches(event) and rule_name(event).endswith(KEEP_WARM_SUFFIXES)


def scheduled_function(name: str, events: Any) -> str | None:
    """The function a schedule rule runs: one of the scheduled entries in ``events``.

    The rule name ends with ``-<function>`` (Zappa's naming) or ``-<name>`` (the entry's
    ``name``). Only functions listed in ``events`` are ever run.
    """
    if not name or not isinstance(events, list):
        return None
    scheduled = [
        e
        for e in events
        if isinstance(e, dict)
        and isinstance(e.get("function"), str)
        and (e.get("expression") or e.get("expressions"))
    ]
    tail = name.rsplit("-", 1)[-1]
    for entry in scheduled:
        if entry["function"] == tail or name == entry["function"]:
            return str(entry["function"])
    for entry in scheduled:
        label = entry.get("name")
        if isinstance(label, str) and label and (name == label or name.endswith("-" + label)):
            return str(entry["function"])
    return None
