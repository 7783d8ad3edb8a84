"""Direct invocations: ``skylift invoke``, ``skylift manage``, raw Python, async tasks.

Payload keys (sent by the CLI verbs and by ``@task``; Zappa's keys are accepted too):

    {"skylift_invoke": "module.func", "payload": <any JSON>}    call a function
    {"skylift_command": "migrate --noinput"}                   Django management command
    {"skylift_raw": "print(1 + 1)"}                            raw Python (raw_invoke_enabled)
    {"skylift_task": "module.func", "args": [...], "kwargs": {...}}   an @task call

Zappa: {"command": "module.func"}, {"manage": "migrate"}, {"raw_command": "..."}.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from typing import Any


INVOKE = "skylift_invoke"
COMMAND = "skylift_command"
RAW = "skylift_raw"
TASK = "skylift_task"
ZAPPA_COMMAND = "command"
ZAPPA_MANAGE = "manage"
ZAPPA_RAW = "raw_command"

_KINDS = (TASK, INVOKE, COMMAND, RAW, ZAPPA_COMMAND, ZAPPA_MANAGE, ZAPPA_RAW)


def kind(event: dict[str, Any]) -> str | None:
    """Which direct invocation ``event`` is, by its key; None when it is not one."""
    for key in _KINDS:
        if event.get(key):
            return key
    return None


def command_args(value: Any) -> list[str]:
    """A management command as argv: a string is split like a shell would, a list is kept."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    if isinstance(value, str) and value.strip():
        import shlex

        return shlex.split(value)
    raise ValueError("the management command must be a non-empty string or list of strings")
