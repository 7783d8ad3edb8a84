"""EventBridge rate() and cron() expressions: parsing and next firing times (UTC)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skylift.local.schedule.expressions import (
    Cron,
    Rate,
    ScheduleError,
    parse,
    parse_cron,
    parse_rate,
)


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


def iso(moment: float | None) -> str:
    assert moment is not None
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("rate(1 minute)", 60),
        ("rate(5 minutes)", 300),
        ("rate(1 hour)", 3600),
        ("rate(2 hours)", 7200),
        ("rate(1 day)", 86400),
        ("rate(7 days)", 604800),
    ],
)
def test_rates(text: str, seconds: int) -> None:
    assert parse_rate(text).seconds == seconds


@pytest.mark.parametrize(
    "text",
    [
        "rate(1 minutes)",
        "rate(5 minute)",
        "rate(0 minutes)",
        "rate(5 weeks)",
        "rate(five minutes)",
        "rate()",
    ],
)
def test_bad_rates(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_rate(text)


def test_rate_fires_on_its_anchor_grid() -> None:
    rate = parse_rate("rate(5 minutes)")
    anchor = at("2030-01-01T10:00:00")
    assert iso(rate.next_after(anchor, anchor)) == "2030-01-01 10:05"
    assert iso(rate.next_after(at("2030-01-01T10:07:00"), anchor)) == "2030-01-01 10:10"


@pytest.mark.parametrize(
    ("expression", "after", "expected"),
    [
        ("cron(0 12 * * ? *)", "2030-01-01T11:59:00", "2030-01-01 12:00"),
        ("cron(0 12 * * ? *)", "2030-01-01T12:00:00", "2030-01-02 12:00"),
        ("cron(15 10 ? * 6L 2030)", "2030-01-01T00:00:00", "2030-01-25 10:15"),  # last Friday
        (
            "cron(0 18 ? * MON-FRI *)",
            "2030-01-05T12:00:00",
            "2030-01-07 18:00",
        ),  # Saturday -> Monday
        ("cron(0/15 * * * ? *)", "2030-03-03T03:16:00", "2030-03-03 03:30"),
        ("cron(0 8 1 * ? *)", "2030-01-15T00:00:00", "2030-02-01 08:00"),
        ("cron(0 0 L * ? *)", "2030-02-10T00:00:00", "2030-02-28 00:00"),
        (
            "cron(0 9 15W * ? *)",
            "2030-06-01T00:00:00",
            "2030-06-14 09:00",
        ),  # the 15th is a Saturday
        ("cron(0 9 1W * ? *)", "2030-05-20T10:00:00", "2030-06-03 09:00"),  # June 1st is a Saturday
        (
            "cron(0 9 ? * 3#2 *)",
            "2030-01-01T00:00:00",
            "2030-01-08 09:00",
        ),  # second Tuesday (1 = Sunday)
        ("cron(0 10 ? JAN,JUL 2 *)", "2030-02-01T00:00:00", "2030-07-01 10:00"),
        ("cron(30 1 29 2 ? *)", "2030-03-01T00:00:00", "2032-02-29 01:30"),
        ("cron(0 0 1 1 ? 2031-2032)", "2030-06-01T00:00:00", "2031-01-01 00:00"),
    ],
)
def test_cron_next(expression: str, after: str, expected: str) -> None:
    assert iso(parse_cron(expression).next_after(at(after))) == expected


def test_cron_with_no_future_firing() -> None:
    assert parse_cron("cron(0 0 1 1 ? 2031)").next_after(at("2032-01-01T00:00:00")) is None


@pytest.mark.parametrize(
    "text",
    [
        "cron(0 12 * * * *)",  # both day fields given
        "cron(0 12 ? * ? *)",  # neither given
        "cron(0 12 * * ?)",  # five fields
        "cron(60 12 * * ? *)",
        "cron(0 24 * * ? *)",
        "cron(0 12 32 * ? *)",
        "cron(0 12 ? FOO * *)",
        "cron(0 12 ? * 8 *)",
        "cron(0 12 5-1 * ? *)",
        "cron(0/0 12 * * ? *)",
        "at(2030-01-01T00:00:00)",
    ],
)
def test_bad_cron(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse(text)


def test_parse_dispatches() -> None:
    assert isinstance(parse(" rate(1 day) "), Rate)
    assert isinstance(parse("cron(0 12 * * ? *)"), Cron)


@given(
    minute=st.integers(0, 59),
    hour=st.integers(0, 23),
    start=st.integers(int(at("2030-01-01T00:00:00")), int(at("2035-01-01T00:00:00"))),
)
def test_daily_cron_fires_once_a_day_after_the_start(minute: int, hour: int, start: int) -> None:
    cron = parse_cron(f"cron({minute} {hour} * * ? *)")
    first = cron.next_after(start)
    assert first is not None
    assert start < first <= start + 86400
    moment = datetime.fromtimestamp(first, timezone.utc)
    assert (moment.hour, moment.minute, moment.second) == (hour, minute, 0)
    assert cron.next_after(first) == first + 86400
