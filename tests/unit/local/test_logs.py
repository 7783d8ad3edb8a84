"""Function logs in CloudWatch Logs: START/END/REPORT, and FilterLogEvents with real patterns."""

from __future__ import annotations

import json
import re

import pytest

from tests.unit.local.conftest import Local

CODE = """
import json, logging
logging.getLogger().setLevel(logging.INFO)
print("cold start")
def handler(event, context):
    print(json.dumps({"level": event.get("level", "INFO"), "ms": event.get("ms", 1)}))
    logging.warning("careful %s", event.get("level"))
    return "ok"
"""


@pytest.fixture(scope="module")
def logged(local: Local) -> str:
    name = local.function(CODE)
    for level, ms in (("INFO", 5), ("ERROR", 250), ("ERROR", 40)):
        local.invoke(name, {"level": level, "ms": ms})
    return name


def test_report_lines(local: Local, logged: str) -> None:
    messages = local.logs_of(logged)
    starts = [m for m in messages if m.startswith("START RequestId:")]
    reports = [m for m in messages if m.startswith("REPORT RequestId:")]
    assert len(starts) == len(reports) == 3
    assert starts[0].endswith("Version: $LATEST\n")
    pattern = r"REPORT RequestId: [0-9a-f-]{36}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\t"
    assert all(re.match(pattern, report) for report in reports)
    assert "Init Duration" in reports[0]
    assert not any("Init Duration" in report for report in reports[1:])
    assert messages.index("cold start\n") < messages.index(starts[0])
    first_end = next(i for i, m in enumerate(messages) if m.startswith("END RequestId:"))
    assert messages.index(starts[0]) < first_end < messages.index(reports[0])
    warning = next(m for m in messages if "careful" in m)
    assert re.match(
        r"\[WARNING\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\tcareful INFO", warning
    )


@pytest.mark.parametrize(
    ("pattern", "count"),
    [
        ("", None),
        ("REPORT", 3),
        ('"Init Duration"', 1),
        ("careful -INFO", 2),
        ("?START ?END", 7),  # INIT_START contains START
        ('{ $.level = "ERROR" }', 2),
        ("{ $.ms > 100 }", 1),
        ('{ $.level = "ERROR" && $.ms < 100 }', 1),
        ("[kind, word = RequestId*, ...]", 9),
    ],
)
def test_filter_log_events_patterns(
    local: Local, logged: str, pattern: str, count: int | None
) -> None:
    messages = local.logs_of(logged, pattern)
    if count is None:
        assert len(messages) > 12
    else:
        assert len(messages) == count


def test_filter_log_events_pages_and_identifiers(local: Local, logged: str) -> None:
    logs = local.client("logs")
    group = f"/aws/lambda/{logged}"
    first = logs.filter_log_events(logGroupName=group, limit=4)
    assert len(first["events"]) == 4
    rest = logs.filter_log_events(logGroupName=group, nextToken=first["nextToken"])
    everything = logs.filter_log_events(logGroupName=group)["events"]
    assert [e["eventId"] for e in first["events"] + rest["events"]] == [
        e["eventId"] for e in everything
    ]
    arn = f"arn:aws:logs:us-east-1:123456789012:log-group:{group}:*"
    assert (
        len(logs.filter_log_events(logGroupIdentifier=arn, filterPattern="REPORT")["events"]) == 3
    )
    stream = everything[0]["logStreamName"]
    assert re.match(r"\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$", stream)
    assert len(
        logs.filter_log_events(logGroupName=group, logStreamNamePrefix=stream[:12])["events"]
    ) == len(everything)
    later = logs.filter_log_events(logGroupName=group, startTime=everything[-1]["timestamp"] + 1)
    assert later["events"] == []


def test_filter_log_events_errors(local: Local, logged: str) -> None:
    logs = local.client("logs")
    with pytest.raises(logs.exceptions.ResourceNotFoundException):
        logs.filter_log_events(logGroupName="/aws/lambda/nothing-here")
    with pytest.raises(logs.exceptions.InvalidParameterException, match="Invalid filter pattern"):
        logs.filter_log_events(logGroupName=f"/aws/lambda/{logged}", filterPattern="{ $.a = ")


def test_other_log_calls_still_work(local: Local, logged: str) -> None:
    logs = local.client("logs")
    streams = logs.describe_log_streams(logGroupName=f"/aws/lambda/{logged}")["logStreams"]
    events = logs.get_log_events(
        logGroupName=f"/aws/lambda/{logged}", logStreamName=streams[0]["logStreamName"]
    )["events"]
    assert any(e["message"].startswith("START") for e in events)
    assert json.dumps(events)
