"""CloudWatch Logs filter patterns: terms, JSON and space-delimited forms."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skylift.local.logs.filter_pattern import FilterPatternError, compile_pattern


def matches(pattern: str, message: str) -> bool:
    return compile_pattern(pattern)(message)


@pytest.mark.parametrize(
    ("pattern", "message", "expected"),
    [
        ("", "anything", True),
        ("ERROR", "[ERROR] boom", True),
        ("ERROR", "[error] boom", False),  # case-sensitive
        ("ERROR boom", "[ERROR] boom", True),
        ("ERROR boom", "[ERROR] bang", False),
        ('"fatal exception"', "a fatal exception here", True),
        ('"fatal exception"', "fatal, exception", False),
        ("ERROR -Retrying", "ERROR: Retrying now", False),
        ("ERROR -Retrying", "ERROR: giving up", True),
        ("?ERROR ?WARN", "WARN low disk", True),
        ("?ERROR ?WARN", "INFO fine", False),
        ("?ERROR ?WARN -disk", "WARN low disk", False),
        ("%[0-9]{3} ms%", "took 123 ms", True),
        ("%[0-9]{3} ms%", "took 12 ms", False),
        ('-"health check"', "GET /healthz", True),
        ('-"health check"', "health check ok", False),
    ],
)
def test_terms(pattern: str, message: str, expected: bool) -> None:
    assert matches(pattern, message) is expected


EVENT = json.dumps(
    {
        "level": "ERROR",
        "status": 503,
        "latency": 120.5,
        "user": {"name": "admin-7", "roles": ["ops", "dev"]},
        "flag": True,
        "nothing": None,
        "items": [{"id": 1}, {"id": 2}],
        "text": "200",
    }
)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ('{ $.level = "ERROR" }', True),
        ("{ $.level = ERROR }", True),
        ('{ $.level != "ERROR" }', False),
        ("{ $.status = 503 }", True),
        ("{ $.status != 200 }", True),
        ("{ $.status >= 500 }", True),
        ("{ $.status < 500 }", False),
        ("{ $.latency > 100 }", True),
        ("{ $.latency <= 100 }", False),
        ('{ $.user.name = "admin*" }', True),
        ('{ $.user.name = "root*" }', False),
        ('{ $.user.roles[1] = "dev" }', True),
        ('{ $.user.roles[*] = "ops" }', True),
        ("{ $.items[*].id = 2 }", True),
        ("{ $.items[0].id = 2 }", False),
        ("{ $.flag IS TRUE }", True),
        ("{ $.flag IS FALSE }", False),
        ("{ $.nothing IS NULL }", True),
        ("{ $.level IS NULL }", False),
        ("{ $.missing NOT EXISTS }", True),
        ("{ $.level NOT EXISTS }", False),
        ("{ $.missing = 1 }", False),
        ('{ $.level = "ERROR" && $.status = 503 }', True),
        ('{ $.level = "ERROR" && $.status = 200 }', False),
        ('{ $.level = "INFO" || $.status = 503 }', True),
        ('{ ($.level = "INFO" || $.status = 503) && $.latency > 1000 }', False),
        ('{ $.level = "INFO" || ($.status = 503 && $.latency > 100) }', True),
        ("{ $.user.name = %admin-[0-9]+% }", True),
        ("{ $.user.name != %^root% }", True),
        ("{ $.text = 200 }", True),  # a numeric string compares as a number
    ],
)
def test_json_patterns(pattern: str, expected: bool) -> None:
    assert matches(pattern, EVENT) is expected


def test_json_pattern_never_matches_plain_text() -> None:
    assert not matches('{ $.level = "ERROR" }', "ERROR level")
    assert not matches("{ $.a NOT EXISTS }", "[1, 2]")


LINE = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 404 2326'


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("[ip, identity, user, timestamp, request, status, bytes]", True),
        ("[ip, identity, user, timestamp, request, status]", False),  # field count must match
        ("[ip, ..., status, bytes]", True),
        ("[..., status = 404, bytes]", True),
        ("[..., status = 4*, bytes]", True),
        ("[..., status = 5*, bytes]", False),
        ("[..., status != 200, bytes > 1000]", True),
        ("[..., status, bytes < 1000]", False),
        ('[ip, identity, user = "frank", ...]', True),
        ('[ip, ..., request = "GET *", ...]', True),
        ('[ip, ..., request = "POST *", ...]', False),
        ("[ip, ..., status >= 400 && status < 500, bytes]", True),
        ("[ip, ..., status = 200 || status = 404, bytes]", True),
        ("[..., timestamp = 10/Oct*, request, status, bytes]", True),
    ],
)
def test_space_delimited(pattern: str, expected: bool) -> None:
    assert matches(pattern, LINE) is expected


@pytest.mark.parametrize(
    "pattern",
    [
        "{ $.a = 1",
        "{ a = 1 }",
        "{ $.a > abc }",
        "{ $.a IS MAYBE }",
        "{ $.a = 1 && }",
        "{ ($.a = 1 }",
        "[a, b",
        "[a, , b]",
        "%(%",
        "{ $.a = %(% }",
    ],
)
def test_invalid_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(FilterPatternError):
        compile_pattern(pattern)


WORD = st.text(
    alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd")), min_size=1, max_size=8
)


@given(word=WORD, message=st.text(max_size=40))
def test_a_plain_word_matches_exactly_the_messages_containing_it(word: str, message: str) -> None:
    assert matches(word, message) is (word in message)
    assert matches(f"-{word}", message) is (word not in message)


@given(value=st.integers(-1000, 1000), threshold=st.integers(-1000, 1000))
def test_json_numeric_comparisons_agree_with_python(value: int, threshold: int) -> None:
    message = json.dumps({"n": value})
    assert matches(f"{{ $.n > {threshold} }}", message) is (value > threshold)
    assert matches(f"{{ $.n <= {threshold} }}", message) is (value <= threshold)
    assert matches(f"{{ $.n = {threshold} }}", message) is (value == threshold)
