"""EventBridge, acted on: schedule rules fire on time, PutEvents reach Lambda targets.

moto stores rules and targets and never fires them. The scheduler reads them
from moto's events backend on every tick (once a second on the real clock;
on demand with the test clock) and invokes each Lambda target asynchronously
with the payload EventBridge would send: the Scheduled Event, or the target's
``Input`` / ``InputPath`` / ``InputTransformer``.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from skylift.local.awsapi import json_error
from skylift.local.httpserver import Request, Response
from skylift.local.schedule.clock import Clock
from skylift.local.schedule.expressions import Cron, Rate, ScheduleError, parse
from skylift.local.schedule.sqs import SqsPoller

if TYPE_CHECKING:
    from skylift.local.cloud import CloudServer

MAX_CATCH_UP = 100  # firings per rule per tick after a big jump of the test clock
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")


@dataclass
class ScheduleState:
    expression: Rate | Cron
    text: str
    anchor: float
    next_fire: float | None


def iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def json_path(document: Any, path: str) -> Any:
    """The value at a simple JSONPath (``$``, ``$.detail.id``, ``$.resources[0]``)."""
    if path in ("$", ""):
        return document
    current = document
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path.removeprefix("$")):
        if part.startswith("["):
            index = int(part[1:-1])
            current = current[index] if isinstance(current, list) and index < len(current) else None
        else:
            current = current.get(part) if isinstance(current, dict) else None
    return current


def render_template(template: str, values: dict[str, Any]) -> Any:
    """An InputTemplate: placeholders become JSON values, or raw text inside quotes or plain text."""

    def raw(value: Any) -> str:
        return value if isinstance(value, str) else json.dumps(value)

    pieces: list[str] = []
    in_string = False
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        before = template[position : match.start()]
        in_string ^= _unescaped_quotes(before) % 2 == 1
        pieces.append(before)
        pieces.append(_placeholder_text(values.get(match.group(1)), in_string))
        position = match.end()
    pieces.append(template[position:])
    text = "".join(pieces)
    try:
        return json.loads(text)
    except ValueError:
        return _PLACEHOLDER.sub(lambda m: raw(values.get(m.group(1))), template)


def _placeholder_text(value: Any, in_string: bool) -> str:
    if not in_string:
        return json.dumps(value)
    return json.dumps(value)[1:-1] if isinstance(value, str) else json.dumps(value)


def _unescaped_quotes(text: str) -> int:
    return len(re.findall(r'(?<!\\)"', text))


def target_payload(target: dict[str, Any], event: dict[str, Any]) -> Any:
    """What a target receives: Input, InputPath, InputTransformer, or the event itself."""
    if target.get("Input") is not None:
        try:
            return json.loads(target["Input"])
        except ValueError:
            return target["Input"]
    if target.get("InputPath"):
        return json_path(event, target["InputPath"])
    transformer = target.get("InputTransformer")
    if transformer:
        values = {
            name: json_path(event, path)
            for name, path in (transformer.get("InputPathsMap") or {}).items()
        }
        return render_template(transformer.get("InputTemplate", ""), values)
    return event


class Scheduler:
    def __init__(self, cloud: CloudServer, clock: Clock) -> None:
        self.cloud = cloud
        self.clock = clock
        self.sqs = SqsPoller(cloud)
        self._states: dict[str, ScheduleState] = {}
        self._invalid: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._thread.start()
        self.sqs.start()

    def stop(self) -> None:
        self._stop.set()
        self.sqs.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.tick()
            except Exception as exc:  # the loop must survive a rule it cannot read
                self.cloud.log.error(f"scheduler: {exc!r}")

    # --- schedules ----------------------------------------------------------------------------

    def tick(self) -> list[dict[str, str]]:
        """Fire every schedule that is due; returns what fired (rule, target, time)."""
        with self._lock:
            now = self.clock.now()
            fired: list[dict[str, str]] = []
            seen: set[str] = set()
            for region, rule in self._rules():
                if not rule.scheduled_expression or rule.state != "ENABLED":
                    continue
                seen.add(rule.arn)
                state = self._state(rule, now)
                if state is None:
                    continue
                count = 0
                while (
                    state.next_fire is not None and state.next_fire <= now and count < MAX_CATCH_UP
                ):
                    fired.extend(self._fire(rule, region, state.next_fire))
                    state.next_fire = state.expression.next_after(state.next_fire, state.anchor)
                    count += 1
                if count == MAX_CATCH_UP:
                    state.next_fire = state.expression.next_after(now, state.anchor)
            for arn in set(self._states) - seen:
                del self._states[arn]
            return fired

    def _rules(self) -> list[tuple[str, Any]]:
        found: list[tuple[str, Any]] = []
        control = self.cloud.control
        for region in control.regions_in_use("events"):
            for bus in list(control.events(region).event_buses.values()):
                found.extend((region, rule) for rule in list(bus.rules.values()))
        return found

    def _state(self, rule: Any, now: float) -> ScheduleState | None:
        state = self._states.get(rule.arn)
        if state is not None and state.text == rule.scheduled_expression:
            return state
        try:
            expression = parse(rule.scheduled_expression)
        except ScheduleError as exc:
            if rule.arn not in self._invalid:
                self._invalid.add(rule.arn)
                self.cloud.log.warn(f"rule {rule.name}: {exc}")
            return None
        state = ScheduleState(
            expression, rule.scheduled_expression, now, expression.next_after(now, now)
        )
        self._states[rule.arn] = state
        return state

    def _fire(self, rule: Any, region: str, moment: float) -> list[dict[str, str]]:
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self.cloud.control.account_id,
            "time": iso(moment),
            "region": region,
            "resources": [rule.arn],
            "detail": {},
        }
        return self._deliver(rule, region, event, iso(moment))

    def _deliver(
        self, rule: Any, region: str, event: dict[str, Any], when: str
    ) -> list[dict[str, str]]:
        delivered = []
        for target in list(rule.targets):
            arn = str(target.get("Arn", ""))
            if ":lambda:" not in arn:
                continue
            try:
                request_id = self.cloud.invoke_event(
                    arn, arn.split(":")[3], target_payload(target, event), rule
                )
            except Exception as exc:  # a target deleted under the rule
                self.cloud.log.warn(
                    f"rule {rule.name}: cannot invoke {arn}: {getattr(exc, 'message', exc)}"
                )
                continue
            if request_id is None:  # its resource policy does not allow the rule (logged)
                continue
            self.cloud.log.info(f"rule {rule.name} fired at {when} -> {arn}")
            delivered.append({"rule": rule.name, "target": arn, "time": when})
        return delivered

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                {
                    "rule": arn,
                    "expression": state.text,
                    "next": iso(state.next_fire) if state.next_fire else None,
                }
                for arn, state in self._states.items()
            ]

    # --- the EventBridge API ------------------------------------------------------------------

    def before_events_call(self, request: Request) -> Response | None:
        """Refuse schedule expressions EventBridge refuses (moto stores anything)."""
        if not (request.header("x-amz-target") or "").endswith(".PutRule"):
            return None
        try:
            expression = json.loads(request.body or b"{}").get("ScheduleExpression")
        except (ValueError, AttributeError):
            return None
        if not expression:
            return None
        try:
            parse(expression)
        except ScheduleError as exc:
            return json_error(
                400, "ValidationException", f"Parameter ScheduleExpression is not valid. ({exc})"
            )
        return None

    def rule_target(self, rule: Any, target: dict[str, Any], event: dict[str, Any]) -> None:
        """An event (from PutEvents) matched ``rule``: deliver it to this Lambda target."""
        delivered = {key: value for key, value in event.items() if key != "ingestion-time"}
        if isinstance(delivered.get("time"), (int, float)):
            delivered["time"] = iso(float(delivered["time"]))
        arn = str(target.get("Arn", ""))
        try:
            request_id = self.cloud.invoke_event(
                arn, arn.split(":")[3], target_payload(target, delivered), rule
            )
        except Exception as exc:  # a target deleted under the rule
            self.cloud.log.warn(
                f"rule {rule.name}: cannot invoke {arn}: {getattr(exc, 'message', exc)}"
            )
            return
        if request_id is None:  # its resource policy does not allow the rule (logged)
            return
        self.cloud.log.info(f"rule {rule.name} matched an event -> {arn}")
