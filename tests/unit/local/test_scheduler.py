"""EventBridge schedules and PutEvents, and SQS event source mappings, on the test clock."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from tests.unit.local.conftest import Local

RECORDER = """
import boto3, json, os
def handler(event, context):
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(event))
    return {"ok": True}
"""


class Recorder:
    """A function that copies every event it gets to a queue the test reads."""

    def __init__(self, local: Local, code: str = RECORDER) -> None:
        self.local = local
        self.queue = local.client("sqs").create_queue(QueueName=f"out-{uuid.uuid4().hex[:8]}")[
            "QueueUrl"
        ]
        self.name = local.function(code, timeout=10, environment={"OUT": self.queue})
        self.arn = local.client("lambda").get_function(FunctionName=self.name)["Configuration"][
            "FunctionArn"
        ]
        self.seen: list[Any] = []

    def events(self, count: int, timeout: float = 20.0) -> list[Any]:
        sqs = self.local.client("sqs")

        def enough() -> list[Any] | None:
            answer = sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10)
            for message in answer.get("Messages", []):
                self.seen.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=message["ReceiptHandle"])
            return self.seen if len(self.seen) >= count else None

        return list(self.local.wait_for(enough, timeout))


@pytest.fixture(autouse=True)
def _no_rules_left(local: Local) -> Iterator[None]:
    """Each test's rules go away with it, so later clock jumps fire only the next test's."""
    yield
    events = local.client("events")
    for rule in events.list_rules()["Rules"]:
        targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        if targets:
            events.remove_targets(Rule=rule["Name"], Ids=[t["Id"] for t in targets])
        events.delete_rule(Name=rule["Name"])


def advance(local: Local, seconds: float) -> list[dict[str, str]]:
    result = local.request(
        "/_skylift/clock", method="POST", body=json.dumps({"advance": seconds}).encode()
    )
    assert result.status == 200
    return list(result.json()["fired"])


def rule_with_target(local: Local, recorder: Recorder, expression: str, **target: Any) -> str:
    events = local.client("events")
    name = f"rule-{uuid.uuid4().hex[:8]}"
    arn = events.put_rule(Name=name, ScheduleExpression=expression)["RuleArn"]
    events.put_targets(Rule=name, Targets=[{"Id": "1", "Arn": recorder.arn, **target}])
    local.allow(recorder.arn, "events.amazonaws.com", arn)
    local.cloud.scheduler.tick()  # the scheduler sees the rule now: its rate starts here
    return arn


def test_rate_rule_fires_on_the_test_clock_with_the_scheduled_event(local: Local) -> None:
    recorder = Recorder(local)
    start = local.cloud.clock.now()
    arn = rule_with_target(local, recorder, "rate(5 minutes)")
    assert advance(local, 299) == []
    fired = advance(local, 1)
    assert [f["target"] for f in fired] == [recorder.arn]
    fired = advance(local, 600)
    assert len(fired) == 2
    events = recorder.events(3)
    first = events[0]
    assert first["detail-type"] == "Scheduled Event"
    assert first["source"] == "aws.events"
    assert first["resources"] == [arn]
    assert first["detail"] == {}
    assert first["account"] == "123456789012"
    expected = datetime.fromtimestamp(start + 300, timezone.utc).strftime("%Y-%m-%dT%H:%M:")
    assert sorted(e["time"] for e in events)[0].startswith(expected)


def test_cron_rule_and_constant_input(local: Local) -> None:
    recorder = Recorder(local)
    rule_with_target(local, recorder, "cron(0 12 * * ? *)", Input=json.dumps({"job": "daily"}))
    now = datetime.fromtimestamp(local.cloud.clock.now(), timezone.utc)
    fired = advance(local, 86400)
    assert len(fired) == 1
    assert fired[0]["time"].endswith("T12:00:00Z")
    assert datetime.fromisoformat(fired[0]["time"].replace("Z", "+00:00")) > now
    assert recorder.events(1) == [{"job": "daily"}]


def test_input_transformer(local: Local) -> None:
    recorder = Recorder(local)
    arn = rule_with_target(
        local,
        recorder,
        "rate(1 minute)",
        InputTransformer={
            "InputPathsMap": {"rule": "$.resources[0]", "kind": "$.detail-type"},
            "InputTemplate": '{"rule": <rule>, "kind": <kind>}',
        },
    )
    advance(local, 60)
    assert recorder.events(1) == [{"rule": arn, "kind": "Scheduled Event"}]


def test_disabled_rule_does_not_fire(local: Local) -> None:
    recorder = Recorder(local)
    events = local.client("events")
    name = f"rule-{uuid.uuid4().hex[:8]}"
    events.put_rule(Name=name, ScheduleExpression="rate(1 minute)", State="DISABLED")
    events.put_targets(Rule=name, Targets=[{"Id": "1", "Arn": recorder.arn}])
    assert not [f for f in advance(local, 600) if f["rule"] == name]


@pytest.mark.parametrize("expression", ["rate(1 minutes)", "cron(0 12 * * * *)", "every day"])
def test_invalid_schedule_expression_is_refused(local: Local, expression: str) -> None:
    events = local.client("events")
    with pytest.raises(events.exceptions.ClientError, match="ScheduleExpression is not valid"):
        events.put_rule(Name="bad", ScheduleExpression=expression)


def test_put_events_reach_lambda_targets_whose_pattern_matches(local: Local) -> None:
    recorder = Recorder(local)
    events = local.client("events")
    name = f"orders-{uuid.uuid4().hex[:8]}"
    arn = events.put_rule(
        Name=name, EventPattern=json.dumps({"source": ["shop"], "detail": {"kind": ["order"]}})
    )["RuleArn"]
    events.put_targets(Rule=name, Targets=[{"Id": "1", "Arn": recorder.arn}])
    local.allow(recorder.arn, "events.amazonaws.com", arn)
    events.put_events(
        Entries=[
            {"Source": "shop", "DetailType": "Order", "Detail": json.dumps({"kind": "refund"})},
            {
                "Source": "shop",
                "DetailType": "Order",
                "Detail": json.dumps({"kind": "order", "id": 7}),
            },
        ]
    )
    received = recorder.events(1)
    assert len(received) == 1
    assert received[0]["detail"] == {"kind": "order", "id": 7}
    assert received[0]["source"] == "shop"


SQS_CONSUMER = """
import boto3, json, os
def handler(event, context):
    bodies = [r["body"] for r in event["Records"]]
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps({"bodies": bodies, "source": event["Records"][0]["eventSource"]}))
    if "explode" in bodies:
        raise RuntimeError("bad batch")
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event["Records"] if r["body"] == "bad"]}
"""


def _queue(local: Local, visibility: int = 1) -> tuple[str, str]:
    sqs = local.client("sqs")
    url = sqs.create_queue(
        QueueName=f"in-{uuid.uuid4().hex[:8]}", Attributes={"VisibilityTimeout": str(visibility)}
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def _remaining(local: Local, url: str) -> int:
    attributes = local.client("sqs").get_queue_attributes(
        QueueUrl=url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def test_sqs_mapping_delivers_one_batch_and_deletes_it(local: Local) -> None:
    recorder = Recorder(local, SQS_CONSUMER)
    url, arn = _queue(local)
    sqs = local.client("sqs")
    for body in ("a", "b", "c"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    local.client("lambda").create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=recorder.name,
        BatchSize=10,
        MaximumBatchingWindowInSeconds=1,
    )
    batch = recorder.events(1)[0]
    assert sorted(batch["bodies"]) == ["a", "b", "c"]
    assert batch["source"] == "aws:sqs"
    local.wait_for(lambda: _remaining(local, url) == 0)


def test_sqs_partial_batch_failure_keeps_only_the_failed_message(local: Local) -> None:
    recorder = Recorder(local, SQS_CONSUMER)
    url, arn = _queue(local, visibility=30)
    sqs = local.client("sqs")
    for body in ("good", "bad"):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    local.client("lambda").create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=recorder.name,
        BatchSize=10,
        MaximumBatchingWindowInSeconds=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    assert sorted(recorder.events(1)[0]["bodies"]) == ["bad", "good"]
    local.wait_for(lambda: _remaining(local, url) == 1)


def test_sqs_function_error_returns_messages_to_the_queue(local: Local) -> None:
    recorder = Recorder(local, SQS_CONSUMER)
    url, arn = _queue(local, visibility=1)
    local.client("sqs").send_message(QueueUrl=url, MessageBody="explode")
    uuid_ = local.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=recorder.name, BatchSize=1
    )["UUID"]
    recorder.events(2)  # delivered, failed, visible again after 1 s, delivered again
    local.client("lambda").update_event_source_mapping(UUID=uuid_, Enabled=False)
    assert _remaining(local, url) == 1


def test_sqs_filter_criteria_drop_non_matching_messages(local: Local) -> None:
    recorder = Recorder(local, SQS_CONSUMER)
    url, arn = _queue(local)
    sqs = local.client("sqs")
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "skip"}))
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"kind": "keep"}))
    local.client("lambda").create_event_source_mapping(
        EventSourceArn=arn,
        FunctionName=recorder.name,
        BatchSize=10,
        MaximumBatchingWindowInSeconds=1,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"kind": ["keep"]}})}]},
    )
    assert recorder.events(1)[0]["bodies"] == [json.dumps({"kind": "keep"})]
    local.wait_for(lambda: _remaining(local, url) == 0)
