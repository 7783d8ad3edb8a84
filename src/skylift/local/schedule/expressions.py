"""EventBridge schedule expressions: ``rate(5 minutes)`` and six-field ``cron(…)``, in UTC.

Cron fields are Minutes Hours Day-of-month Month Day-of-week Year, with
``, - * / ?``, names (JAN, MON), ``L`` (last day of the month; ``5L`` the last
Thursday), ``W`` (``15W``, the weekday nearest the 15th; ``LW``) and ``#``
(``3#2``, the second Tuesday). Day-of-week counts 1 = Sunday … 7 = Saturday,
and exactly one of the two day fields must be ``?``, as AWS requires.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

MONTHS = {
    name: i
    for i, name in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
DAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
SEARCH_YEARS = 8


class ScheduleError(ValueError):
    """Not a schedule expression EventBridge accepts."""


@dataclass(frozen=True)
class Rate:
    seconds: int
    text: str

    def next_after(self, moment: float, anchor: float) -> float:
        """The first firing after ``moment``; firings fall on ``anchor + k * seconds``."""
        if moment < anchor:
            return anchor
        periods = int((moment - anchor) // self.seconds) + 1
        return anchor + periods * self.seconds


def parse_rate(text: str) -> Rate:
    match = _RATE.match(text.strip())
    if match is None:
        raise ScheduleError(
            f"{text!r} is not a rate expression: use rate(VALUE UNIT), e.g. rate(5 minutes)."
        )
    value, unit = int(match[1]), match[2]
    if value <= 0:
        raise ScheduleError(f"{text!r}: the value must be a positive whole number.")
    if (value == 1) != (not unit.endswith("s")):
        right = unit.rstrip("s") if value == 1 else unit + ("" if unit.endswith("s") else "s")
        raise ScheduleError(f"{text!r}: write rate({value} {right}) (singular unit only for 1).")
    return Rate(value * _UNIT_SECONDS[unit.rstrip("s")], text.strip())


def _number(token: str, names: dict[str, int], low: int, high: int, field: str) -> int:
    value = names.get(token.upper()) if names else None
    if value is None:
        if not token.isdigit():
            raise ScheduleError(
                f"cron {field} field: {token!r} is not a number" + (" or a name" if names else "")
            )
        value = int(token)
    if not low <= value <= high:
        raise ScheduleError(f"cron {field} field: {value} is outside {low}-{high}")
    return value


def _values(
    spec: str, low: int, high: int, field: str, names: dict[str, int] | None = None
) -> set[int]:
    found: set[int] = set()
    for part in spec.split(","):
        if not part:
            raise ScheduleError(f"cron {field} field: empty list item in {spec!r}")
        base, _, step_text = part.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ScheduleError(f"cron {field} field: bad step in {part!r}")
            step = int(step_text)
        if base == "*":
            start, end = low, high
        elif "-" in base:
            first, _, last = base.partition("-")
            start = _number(first, names or {}, low, high, field)
            end = _number(last, names or {}, low, high, field)
            if end < start:
                raise ScheduleError(f"cron {field} field: range {base!r} runs backwards")
        else:
            start = _number(base, names or {}, low, high, field)
            end = high if step_text else start
        found.update(range(start, end + 1, step))
    return found


@dataclass(frozen=True)
class DayRule:
    """Day-of-month or day-of-week, with its L / W / # forms."""

    any: bool
    values: frozenset[int]
    last: bool = False  # L: last day of the month (dom) / Saturday (dow)
    weekday_near: int | None = None  # nW (dom)
    last_weekday: bool = False  # LW (dom)
    last_of: int | None = None  # nL (dow): the last such weekday of the month
    nth: tuple[int, int] | None = None  # n#k (dow)


def _day_of_month(spec: str) -> DayRule:
    if spec == "?":
        return DayRule(True, frozenset())
    if spec == "L":
        return DayRule(False, frozenset(), last=True)
    if spec == "LW":
        return DayRule(False, frozenset(), last_weekday=True)
    if spec.endswith("W"):
        return DayRule(
            False, frozenset(), weekday_near=_number(spec[:-1], {}, 1, 31, "day-of-month")
        )
    return DayRule(False, frozenset(_values(spec, 1, 31, "day-of-month")))


def _day_of_week(spec: str) -> DayRule:
    if spec == "?":
        return DayRule(True, frozenset())
    if spec == "L":
        return DayRule(False, frozenset({7}))
    if "#" in spec:
        day, _, nth = spec.partition("#")
        return DayRule(
            False,
            frozenset(),
            nth=(_number(day, DAYS, 1, 7, "day-of-week"), _number(nth, {}, 1, 5, "day-of-week")),
        )
    if spec.endswith("L"):
        return DayRule(False, frozenset(), last_of=_number(spec[:-1], DAYS, 1, 7, "day-of-week"))
    return DayRule(False, frozenset(_values(spec, 1, 7, "day-of-week", DAYS)))


def _aws_weekday(day: date) -> int:
    return (day.weekday() + 1) % 7 + 1  # Monday=0 in Python -> 2; Sunday -> 1


def _dom_matches(rule: DayRule, day: date) -> bool:
    last = calendar.monthrange(day.year, day.month)[1]
    if rule.last:
        return day.day == last
    if rule.weekday_near is not None or rule.last_weekday:
        target = date(day.year, day.month, min(rule.weekday_near or last, last))
        if target.weekday() == 5:  # Saturday -> Friday, unless that leaves the month
            target = target - timedelta(days=1) if target.day > 1 else target + timedelta(days=2)
        elif target.weekday() == 6:  # Sunday -> Monday, unless that leaves the month
            target = target + timedelta(days=1) if target.day < last else target - timedelta(days=2)
        return day == target
    return day.day in rule.values


def _dow_matches(rule: DayRule, day: date) -> bool:
    weekday = _aws_weekday(day)
    if rule.nth is not None:
        return weekday == rule.nth[0] and (day.day - 1) // 7 + 1 == rule.nth[1]
    if rule.last_of is not None:
        last = calendar.monthrange(day.year, day.month)[1]
        return weekday == rule.last_of and day.day + 7 > last
    return weekday in rule.values


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    dom: DayRule
    months: frozenset[int]
    dow: DayRule
    years: frozenset[int]
    text: str

    def day_matches(self, day: date) -> bool:
        if day.year not in self.years or day.month not in self.months:
            return False
        if not self.dom.any and not _dom_matches(self.dom, day):
            return False
        return self.dow.any or _dow_matches(self.dow, day)

    def next_after(self, moment: float, anchor: float = 0.0) -> float | None:
        """The first firing strictly after ``moment`` (epoch seconds); None if there is none."""
        start = datetime.fromtimestamp(moment, timezone.utc).replace(
            second=0, microsecond=0
        ) + timedelta(minutes=1)
        day = start.date()
        for offset in range(366 * SEARCH_YEARS):
            current = day + timedelta(days=offset)
            if current.year > max(self.years):
                return None
            if not self.day_matches(current):
                continue
            for hour in sorted(self.hours):
                for minute in sorted(self.minutes):
                    at = datetime(
                        current.year, current.month, current.day, hour, minute, tzinfo=timezone.utc
                    )
                    if at >= start:
                        return at.timestamp()
        return None


def parse_cron(text: str) -> Cron:
    inner = text.strip()
    if not (inner.startswith("cron(") and inner.endswith(")")):
        raise ScheduleError(
            f"{text!r} is not a cron expression: use cron(MIN HOUR DOM MONTH DOW YEAR)."
        )
    fields = inner[5:-1].split()
    if len(fields) != 6:
        raise ScheduleError(
            f"{text!r}: cron needs six fields (minutes hours day-of-month month day-of-week year), got {len(fields)}."
        )
    minute, hour, dom, month, dow, year = fields
    if (dom == "?") == (dow == "?"):
        raise ScheduleError(f"{text!r}: exactly one of day-of-month and day-of-week must be '?'.")
    return Cron(
        frozenset(_values(minute, 0, 59, "minutes")),
        frozenset(_values(hour, 0, 23, "hours")),
        _day_of_month(dom),
        frozenset(_values(month, 1, 12, "month", MONTHS)),
        _day_of_week(dow),
        frozenset(_values(year, 1970, 2199, "year")),
        inner,
    )


def parse(text: str) -> Rate | Cron:
    stripped = (text or "").strip()
    if stripped.startswith("rate("):
        return parse_rate(stripped)
    if stripped.startswith("cron("):
        return parse_cron(stripped)
    raise ScheduleError(f"{text!r} is not a schedule expression: use rate(…) or cron(…).")
