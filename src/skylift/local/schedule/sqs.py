"""SQS event source mappings: poll the queue, invoke with a batch, delete what succeeded.

As Lambda's poller does: up to ``BatchSize`` messages per invocation, waiting
up to ``MaximumBatchingWindowInSeconds`` to fill a batch; on success the batch
is deleted; on a function error it stays and returns after the queue's
visibility timeout (the queue's redrive policy then moves it to a DLQ); with
``ReportBatchItemFailures`` only the listed messages stay. ``FilterCriteria``
patterns drop non-matching messages, as Lambda does.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from skylift.local.executor.executor import Throttled
from skylift.local.executor.invocation import Invocation

if TYPE_CHECKING:
    from skylift.local.cloud import CloudServer

POLL_SECONDS = 0.1


@dataclass
class Pending:
    first_seen: float
    messages: list[Any] = field(default_factory=list)


def sqs_record(message: Any, queue_arn: str, region: str) -> dict[str, Any]:
    attributes = {
        "ApproximateReceiveCount": str(message.approximate_receive_count),
        "SentTimestamp": str(message.sent_timestamp),
        "SenderId": str(message.sender_id),
        "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
    }
    if message.group_id:
        attributes["MessageGroupId"] = message.group_id
    if message.deduplication_id:
        attributes["MessageDeduplicationId"] = message.deduplication_id
    if message.sequence_number:
        attributes["SequenceNumber"] = message.sequence_number
    message_attributes = {
        name: {
            "stringValue": value.get("StringValue"),
            "binaryValue": value.get("BinaryValue"),
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value.get("DataType"),
        }
        for name, value in (message.message_attributes or {}).items()
    }
    return {
        "messageId": message.id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": attributes,
        "messageAttributes": message_attributes,
        "md5OfBody": message.body_md5,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


class SqsPoller:
    def __init__(self, cloud: CloudServer) -> None:
        self.cloud = cloud
        self._busy: set[str] = set()
        self._pending: dict[str, Pending] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._workers = ThreadPoolExecutor(8, thread_name_prefix="sqs-batch")
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sqs-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._workers.shutdown(wait=False, cancel_futures=True)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.poll()
            except Exception as exc:  # a queue deleted mid-poll must not end polling
                self.cloud.log.error(f"sqs poller: {exc!r}")

    def poll(self) -> int:
        """One pass over every enabled SQS mapping; returns the batches started."""
        started = 0
        control = self.cloud.control
        for region in control.regions_in_use("lambda"):
            for esm in list(control.lambda_backend(region)._event_source_mappings.values()):
                if esm.enabled and ":sqs:" in esm.event_source_arn and self._poll_mapping(esm):
                    started += 1
        return started

    def _poll_mapping(self, esm: Any) -> bool:
        with self._lock:
            if esm.uuid in self._busy:
                return False
        arn = esm.event_source_arn
        region, queue_name = arn.split(":")[3], arn.split(":")[5]
        backend = self.cloud.control.sqs(region)
        queue = backend.queues.get(queue_name)
        if queue is None:
            return False
        batch_size = int(esm.batch_size or 10)
        pending = self._pending.setdefault(esm.uuid, Pending(time.monotonic()))
        wanted = batch_size - len(pending.messages)
        if wanted > 0:
            visibility = int(getattr(queue, "visibility_timeout", 30))
            received = backend.receive_message(queue_name, min(wanted, 10), 0, visibility, ["All"])
            if received and not pending.messages:
                pending.first_seen = time.monotonic()
            # a message whose visibility ran out while the batch was filling comes back:
            # keep one copy, the newest (its receipt handle is the valid one)
            fresh = {message.id: message for message in received}
            kept = [fresh.pop(message.id, message) for message in pending.messages]
            pending.messages = kept + list(fresh.values())
        if not pending.messages:
            return False
        window = float(esm.max_batch_window or 0)
        if len(pending.messages) < batch_size and time.monotonic() - pending.first_seen < window:
            return False
        messages = self._pending.pop(esm.uuid).messages
        with self._lock:
            self._busy.add(esm.uuid)
        self._workers.submit(self._deliver, esm, region, queue_name, messages)
        return True

    def _deliver(self, esm: Any, region: str, queue_name: str, messages: list[Any]) -> None:
        try:
            self._invoke(esm, region, queue_name, messages)
        except Exception as exc:
            self.cloud.log.error(f"sqs mapping {esm.uuid}: {exc!r}")
        finally:
            with self._lock:
                self._busy.discard(esm.uuid)

    def _invoke(self, esm: Any, region: str, queue_name: str, messages: list[Any]) -> None:
        backend = self.cloud.control.sqs(region)
        records = [sqs_record(m, esm.event_source_arn, region) for m in messages]
        kept, dropped = _filter(esm.filter_criteria, records)
        for record in dropped:  # filtered out: Lambda deletes them without invoking
            backend.delete_message(queue_name, record["receiptHandle"])
        if not kept:
            return
        spec = self.cloud.executor_spec(esm.function_arn, None, region)
        try:
            outcome = self.cloud.executor.invoke(
                spec, Invocation(json.dumps({"Records": kept}).encode())
            )
        except Throttled:
            return  # messages come back after the visibility timeout
        failed = _failed_ids(outcome.payload) if outcome.ok and _reports_failures(esm) else set()
        if not outcome.ok:
            self.cloud.log.info(
                f"sqs mapping {esm.uuid}: {len(kept)} message(s) failed ({outcome.error_type}); they return after the visibility timeout"
            )
            return
        for record in kept:
            if record["messageId"] not in failed:
                backend.delete_message(queue_name, record["receiptHandle"])


def _reports_failures(esm: Any) -> bool:
    return "ReportBatchItemFailures" in (esm.function_response_types or [])


def _failed_ids(payload: bytes) -> set[str]:
    try:
        answer = json.loads(payload)
    except ValueError:
        return set()
    failures = answer.get("batchItemFailures") if isinstance(answer, dict) else None
    if not isinstance(failures, list):
        return set()
    return {str(item.get("itemIdentifier")) for item in failures if isinstance(item, dict)}


def _filter(
    criteria: Any, records: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    filters = (criteria or {}).get("Filters") or []
    if not filters:
        return records, []
    from moto.events.models import EventPattern

    patterns = [EventPattern.load(f.get("Pattern")) for f in filters if f.get("Pattern")]
    kept: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    for record in records:
        view = dict(record)
        with contextlib.suppress(ValueError, TypeError):
            view["body"] = json.loads(record["body"])
        matched = any(p.matches_event(view) for p in patterns)  # type: ignore[arg-type]
        (kept if matched else dropped).append(record)
    return kept, dropped
