"""Routing of the events that are not HTTP requests, by the stage's settings.

Schedules run the function named in ``events``; records go to the function mapped to
their source ARN; direct invocations (``skylift_invoke``, Django commands, raw Python:
what Zappa's ``invoke``/``manage`` send, and what skylift's will) and @task messages run
here; authorizer and Cognito events go to their configured functions. Anything else
is logged and answered with an error.
"""

from __future__ import annotations

import sys

from skylift.runtime.adapter import keep_warm_answer, log_exception, unknown_event
from skylift.runtime.errors import EventError, Unauthorized, UnhandledRecords
from skylift.runtime.events import authorizer, cognito, command, records, schedule
from skylift.runtime.loader import call_with_event, import_function

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Settings = dict[str, Any]

__all__ = ["route"]


def route(settings: Settings, event: dict[str, Any], context: Any, warm: Callable[[], Any]) -> Any:
    """Answer one non-HTTP event. ``warm`` loads the app (keep-warm, Django setup)."""
    if schedule.matches(event):
        if schedule.is_keep_warm(event):
            warm()
            return keep_warm_answer()
        return _guarded(settings, event, context, _scheduled)
    kind = command.kind(event)
    if kind is not None:
        if kind in (command.TASK, command.ZAPPA_COMMAND):
            return _guarded(settings, event, context, _task_or_function)
        return _direct(settings, kind, event, context, warm)
    if records.matches(event):
        return _guarded(settings, event, context, _records)
    if authorizer.matches(event):
        return _authorize(settings, event, context)
    if cognito.matches(event):
        return _guarded(settings, event, context, _cognito)
    return unknown_event(event, context)


def _guarded(
    settings: Settings,
    event: dict[str, Any],
    context: Any,
    run: Callable[[Settings, dict[str, Any], Any], Any],
) -> Any:
    """Run, letting a failure through (Lambda retries) unless ``exception_handler`` takes it."""
    try:
        return run(settings, event, context)
    except Exception as exc:
        rid = getattr(context, "aws_request_id", None) or "-"
        log_exception(f"{type(exc).__name__} while handling the event", exc, rid)
        if _exception_handled(settings, exc, event, context):
            return None
        raise


def _exception_handled(settings: Settings, exc: Exception, event: Any, context: Any) -> bool:
    """Zappa's ``exception_handler(exc, event, context)``: a true result swallows the error."""
    path = settings.get("exception_handler")
    if not path:
        return False
    try:
        return bool(import_function(path)(exc, event, context))
    except Exception as handler_exc:
        rid = getattr(context, "aws_request_id", None) or "-"  # what finds the first failure
        log_exception("exception_handler failed", handler_exc, rid)
        return False


def _scheduled(settings: Settings, event: dict[str, Any], context: Any) -> Any:
    name = schedule.rule_name(event)
    function = schedule.scheduled_function(name, settings.get("events"))
    if function is None:
        raise EventError(
            f"no function in the stage's events is scheduled by rule {name or '(none)'!r}: "
            "a rule's name must end with -<function> for a function listed in events"
        )
    return call_with_event(import_function(function), event, context)


def _task_or_function(settings: Settings, event: dict[str, Any], context: Any) -> Any:
    from skylift.runtime import tasks

    if command.TASK in event:
        return tasks.run_task(event)
    result = call_with_event(import_function(event[command.ZAPPA_COMMAND]), event, context)
    sys.stdout.write(f"Result of {event[command.ZAPPA_COMMAND]}: {result!r}\n")
    return result


# -- direct invocations: invoke / manage / raw ---------------------------------


def _direct(
    settings: Settings, kind: str, event: dict[str, Any], context: Any, warm: Callable[[], Any]
) -> dict[str, Any]:
    """Invocations from the CLI: a result or an error object, never a raise."""
    try:
        if kind == command.INVOKE:
            payload = event.get("payload", event)
            value = call_with_event(import_function(event[kind]), payload, context)
            return {"result": _json_safe(value)}
        if kind in (command.COMMAND, command.ZAPPA_MANAGE):
            warm()
            return _manage(settings, command.command_args(event[kind]))
        if not settings.get("raw_invoke_enabled"):
            raise PermissionError(
                "raw Python invocation is disabled for this stage (set raw_invoke_enabled: true)"
            )
        return _raw(str(event[kind]))
    except Exception as exc:
        import traceback

        rid = getattr(context, "aws_request_id", None) or "-"
        log_exception(f"{kind} failed", exc, rid)
        return {
            "error": type(exc).__name__,
            "message": str(exc),
            "traceback": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        }


def _manage(settings: Settings, argv: list[str]) -> dict[str, Any]:
    if not settings.get("django_settings"):
        raise EventError("manage needs the django_settings setting (this stage has none)")
    import io

    from django.core import management  # type: ignore[import-untyped]

    out, err = io.StringIO(), io.StringIO()
    result = management.call_command(*argv, stdout=out, stderr=err)
    return {"result": _json_safe(result), "output": out.getvalue(), "errors": err.getvalue()}


def _raw(source: str) -> dict[str, Any]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, "<skylift raw>", "exec"), {"__name__": "__skylift_raw__"})
    return {"result": None, "output": out.getvalue()}


def _json_safe(value: Any) -> Any:
    import json

    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)
    return value


# -- records -------------------------------------------------------------------


def _records(settings: Settings, event: dict[str, Any], context: Any) -> Any:
    from skylift.runtime import tasks

    batch: list[dict[str, Any]] = event["Records"]
    mapping = _event_sources(settings.get("events"))
    # SNS-delivered @task calls run as tasks whatever the topic.
    messages = [records.sns_message(r) if records.source(r) == records.SNS else None for r in batch]
    if all(isinstance(m, dict) and command.TASK in m for m in messages):
        return [tasks.run_task(m) for m in messages if isinstance(m, dict)]

    groups: dict[tuple[tuple[str, bool], ...], list[dict[str, Any]]] = {}
    unrouted: list[str] = []
    for record in batch:
        arn = records.source_arn(record)
        functions = mapping.get(arn, [])
        config_fn = records.s3_configuration_function(record)
        if config_fn and any(config_fn == f for f, _ in functions):
            functions = [(f, r) for f, r in functions if f == config_fn]
        if not functions:
            unrouted.append(arn or records.source(record) or "unknown source")
            continue
        groups.setdefault(tuple(functions), []).append(record)
    if unrouted:
        raise UnhandledRecords(
            f"{len(unrouted)} record(s) from {', '.join(sorted(set(unrouted)))} have no function: "
            "add an entry with that event_source.arn to the stage's events"
        )
    failures: dict[str, None] = {}  # item identifiers, in order, once each
    reporting = False
    results: list[Any] = []
    for functions_of_group, group in groups.items():
        sub_event = event if len(groups) == 1 else {**event, "Records": group}
        for function, report in functions_of_group:
            reporting = reporting or report
            results.append(
                _run_records(settings, function, report, sub_event, group, context, failures)
            )
    if reporting:
        return {"batchItemFailures": [{"itemIdentifier": i} for i in failures]}
    return results[0] if len(results) == 1 else results


def _run_records(
    settings: Settings,
    function: str,
    report: bool,
    event: dict[str, Any],
    group: list[dict[str, Any]],
    context: Any,
    failures: dict[str, None],
) -> Any:
    """One function over its records; with batch item failures, a raise fails only its records.

    The raise goes through ``exception_handler`` there too (where Zappa users report
    errors); a true answer takes the failure, so its records are not retried.
    """
    if not report:
        return call_with_event(import_function(function), event, context)
    try:
        result = call_with_event(import_function(function), event, context)
    except Exception as exc:
        rid = getattr(context, "aws_request_id", None) or "-"
        log_exception(f"{function} failed on {len(group)} record(s)", exc, rid)
        if _exception_handled(settings, exc, event, context):
            return None
        failures.update(
            dict.fromkeys(i for i in map(records.item_identifier, group) if i is not None)
        )
        return None
    if isinstance(result, dict) and isinstance(result.get("batchItemFailures"), list):
        failures.update(
            dict.fromkeys(
                f["itemIdentifier"]
                for f in result["batchItemFailures"]
                if isinstance(f, dict) and isinstance(f.get("itemIdentifier"), str)
            )
        )
    return result


def _event_sources(events: Any) -> dict[str, list[tuple[str, bool]]]:
    """source ARN -> [(function, reports batch item failures)] from the ``events`` setting."""
    mapping: dict[str, list[tuple[str, bool]]] = {}
    if not isinstance(events, list):
        return mapping
    for entry in events:
        if not isinstance(entry, dict) or entry.get("enabled") is False:
            continue
        source = entry.get("event_source")
        function = entry.get("function")
        if not isinstance(source, dict) or not isinstance(function, str):
            continue
        arn = source.get("arn")
        if not isinstance(arn, str):
            continue
        types = source.get("function_response_types") or []
        report = isinstance(types, list) and "ReportBatchItemFailures" in types
        mapping.setdefault(arn, []).append((function, report))
    return mapping


# -- authorizers and Cognito ------------------------------------------------------


def _authorize(settings: Settings, event: dict[str, Any], context: Any) -> Any:
    spec = settings.get("authorizer")
    function = spec.get("function") if isinstance(spec, dict) else None
    if not isinstance(function, str) or not function:
        sys.stderr.write("[skylift] authorizer request, but the stage has no authorizer.function\n")
        raise Unauthorized()
    return _guarded(
        settings, event, context, lambda s, e, c: call_with_event(import_function(function), e, c)
    )


def _cognito(settings: Settings, event: dict[str, Any], context: Any) -> Any:
    function = cognito.trigger_function(event, settings.get("cognito"))
    if function is None:
        sys.stderr.write(f"[skylift] no function for Cognito trigger {event['triggerSource']}\n")
        return event  # Cognito expects its event back: the trigger passes unchanged
    return call_with_event(import_function(function), event, context)
