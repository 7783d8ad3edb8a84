"""CloudWatch Logs filter patterns, the whole syntax (moto matches plain words only).

Three forms, chosen by the first character:

- terms: ``ERROR``, ``"quoted phrase"``, ``-excluded``, ``?either ?or``,
  ``%regex%``: every plain term must occur, no excluded one may, and at
  least one ``?`` term must if there are any (case-sensitive substrings);
- JSON: ``{ $.level = "ERROR" && ($.ms > 100 || $.user = adm*) }`` with
  ``= != < > <= >=``, ``IS NULL``, ``IS TRUE``, ``IS FALSE``, ``NOT EXISTS``,
  ``%regex%`` values, ``*`` wildcards, ``$.a.b[0]`` and ``[*]`` selectors;
- space-delimited: ``[ip, user, ..., status = 4* || status = 5*, bytes > 1000]``
  where ``...`` stands for any number of fields and quoted or bracketed text
  in the message counts as one field.

``compile_pattern`` parses once and returns a predicate on a message.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Matcher = Callable[[str], bool]
_MISSING = object()


class FilterPatternError(ValueError):
    """Not a filter pattern CloudWatch Logs accepts."""


def compile_pattern(pattern: str | None) -> Matcher:
    text = (pattern or "").strip()
    if not text:
        return lambda _message: True
    if text.startswith("{"):
        if not text.endswith("}"):
            raise FilterPatternError("a JSON filter pattern must end with '}'")
        expression = _Parser(_tokenize(text[1:-1])).parse_json()
        return lambda message: _json_match(expression, message)
    if text.startswith("["):
        if not text.endswith("]"):
            raise FilterPatternError("a space-delimited filter pattern must end with ']'")
        return _delimited(text[1:-1])
    return _terms(text)


# --- terms ----------------------------------------------------------------------------------------

_TERM = re.compile(r'([-?]?)(?:"((?:[^"\\]|\\.)*)"|%([^%]*)%|(\S+))')


def _regex_test(compiled: re.Pattern[str]) -> Matcher:
    return lambda message: compiled.search(message) is not None


def _substring_test(needle: str) -> Matcher:
    return lambda message: needle in message


def _terms(text: str) -> Matcher:
    required: list[Matcher] = []
    excluded: list[Matcher] = []
    optional: list[Matcher] = []
    position = 0
    for match in _TERM.finditer(text):
        if text[position : match.start()].strip():
            raise FilterPatternError(f"unexpected text {text[position : match.start()]!r}")
        position = match.end()
        prefix, quoted, regex, bare = match.groups()
        if regex is not None:
            try:
                compiled = re.compile(regex)
            except re.error as exc:
                raise FilterPatternError(f"bad regular expression %{regex}%: {exc}") from None
            test = _regex_test(compiled)
        else:
            test = _substring_test(quoted.replace('\\"', '"') if quoted is not None else bare)
        {"-": excluded, "?": optional}.get(prefix, required).append(test)
    if text[position:].strip():
        raise FilterPatternError(f"unexpected text {text[position:]!r}")

    def matches(message: str) -> bool:
        if not all(test(message) for test in required):
            return False
        if any(test(message) for test in excluded):
            return False
        return not optional or any(test(message) for test in optional)

    return matches


# --- tokens shared by JSON and space-delimited conditions ------------------------------------------

_TOKEN = re.compile(
    r'\s*(?:(?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\))|"(?P<str>(?:[^"\\]|\\.)*)"|%(?P<re>[^%]*)%|(?P<word>[^\s()=!<>&|"]+))'
)


@dataclass(frozen=True)
class Token:
    kind: str  # op, str, re, word
    text: str


def _tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FilterPatternError(
                f"cannot read the pattern at {text[position : position + 20]!r}"
            )
        kind = match.lastgroup or "word"
        value = match.group(kind)
        tokens.append(Token(kind, value.replace('\\"', '"') if kind == "str" else value))
        position = match.end()
    return tokens


@dataclass(frozen=True)
class Comparison:
    selector: str  # "$.a.b" or a field name
    op: str  # = != < > <= >= null true false missing
    value: Any = None  # float | str | re.Pattern | None
    wildcard: bool = False


@dataclass(frozen=True)
class Junction:
    op: str  # && or ||
    left: Any
    right: Any


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> Token:
        token = self.peek()
        if token is None:
            raise FilterPatternError("the pattern ends too early")
        self.position += 1
        return token

    def parse_json(self) -> Any:
        expression = self.expression(json_selectors=True)
        if self.peek() is not None:
            raise FilterPatternError(f"unexpected {self.peek().text!r}")  # type: ignore[union-attr]
        return expression

    def expression(self, json_selectors: bool) -> Any:
        left = self.conjunction(json_selectors)
        while (token := self.peek()) is not None and token.text == "||":
            self.take()
            left = Junction("||", left, self.conjunction(json_selectors))
        return left

    def conjunction(self, json_selectors: bool) -> Any:
        left = self.unary(json_selectors)
        while (token := self.peek()) is not None and token.text == "&&":
            self.take()
            left = Junction("&&", left, self.unary(json_selectors))
        return left

    def unary(self, json_selectors: bool) -> Any:
        token = self.take()
        if token.kind == "op" and token.text == "(":
            inner = self.expression(json_selectors)
            closing = self.take()
            if closing.text != ")":
                raise FilterPatternError("missing ')'")
            return inner
        if token.kind != "word" or (json_selectors and not token.text.startswith("$")):
            raise FilterPatternError(
                f"expected a {'$.selector' if json_selectors else 'field name'}, got {token.text!r}"
            )
        return self.comparison(token.text)

    def comparison(self, selector: str) -> Comparison:
        token = self.take()
        word = token.text.upper()
        if token.kind == "word" and word == "IS":
            kind = self.take().text.upper()
            if kind not in ("NULL", "TRUE", "FALSE"):
                raise FilterPatternError(f"IS must be followed by NULL, TRUE or FALSE, not {kind}")
            return Comparison(selector, kind.lower())
        if token.kind == "word" and word == "NOT":
            if self.take().text.upper() != "EXISTS":
                raise FilterPatternError("NOT must be followed by EXISTS")
            return Comparison(selector, "missing")
        if token.kind != "op" or token.text not in ("=", "!=", "<", ">", "<=", ">="):
            raise FilterPatternError(f"expected a comparison after {selector}, got {token.text!r}")
        return self.value(selector, token.text)

    def value(self, selector: str, op: str) -> Comparison:
        token = self.take()
        if token.kind == "re":
            if op not in ("=", "!="):
                raise FilterPatternError("a %regex% can only be compared with = or !=")
            try:
                return Comparison(selector, op, re.compile(token.text))
            except re.error as exc:
                raise FilterPatternError(f"bad regular expression %{token.text}%: {exc}") from None
        if token.kind == "op":
            raise FilterPatternError(f"expected a value after {selector} {op}")
        number = _number(token.text) if token.kind == "word" else None
        if op in ("<", ">", "<=", ">=") and number is None:
            raise FilterPatternError(f"{selector} {op} needs a number, not {token.text!r}")
        if number is not None:
            return Comparison(selector, op, number)
        return Comparison(selector, op, token.text, wildcard="*" in token.text)


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# --- evaluation -----------------------------------------------------------------------------------------


def _compare(actual: Any, comparison: Comparison) -> bool:
    op, expected = comparison.op, comparison.value
    if op == "missing":
        return actual is _MISSING
    if actual is _MISSING:
        return False
    if op == "null":
        return actual is None
    if op in ("true", "false"):
        return actual is (op == "true")
    if isinstance(expected, re.Pattern):
        found = isinstance(actual, (str, int, float)) and expected.search(str(actual)) is not None
        return found if op == "=" else not found
    if isinstance(expected, float):
        value = (
            actual
            if isinstance(actual, (int, float)) and not isinstance(actual, bool)
            else _number(str(actual))
            if isinstance(actual, str)
            else None
        )
        if value is None:
            return op == "!="
        return {
            "=": value == expected,
            "!=": value != expected,
            "<": value < expected,
            ">": value > expected,
            "<=": value <= expected,
            ">=": value >= expected,
        }[op]
    if not isinstance(actual, (str, int, float)) or isinstance(actual, bool):
        return op == "!="
    text = str(actual)
    equal = (
        _wildcard(expected).fullmatch(text) is not None if comparison.wildcard else text == expected
    )
    return equal if op == "=" else not equal


def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in pattern.split("*")), re.DOTALL)


def _evaluate(node: Any, lookup: Callable[[str], list[Any]]) -> bool:
    if isinstance(node, Junction):
        if node.op == "&&":
            return _evaluate(node.left, lookup) and _evaluate(node.right, lookup)
        return _evaluate(node.left, lookup) or _evaluate(node.right, lookup)
    values = lookup(node.selector)
    if node.op == "missing":
        return values == [_MISSING]
    return any(_compare(value, node) for value in values)


_SELECTOR_PART = re.compile(r"\.([^.\[\]]+)|\[(\d+|\*)\]")


def _select(document: Any, selector: str) -> list[Any]:
    if not selector.startswith("$"):
        raise FilterPatternError(f"bad selector {selector!r}")
    current: list[Any] = [document]
    rest = selector[1:]
    position = 0
    while position < len(rest):
        match = _SELECTOR_PART.match(rest, position)
        if match is None:
            raise FilterPatternError(f"bad selector {selector!r}")
        position = match.end()
        following: list[Any] = []
        for item in current:
            if match.group(1) is not None:
                if match.group(1) == "*" and isinstance(item, dict):
                    following.extend(item.values())
                elif isinstance(item, dict) and match.group(1) in item:
                    following.append(item[match.group(1)])
            elif isinstance(item, list):
                if match.group(2) == "*":
                    following.extend(item)
                elif int(match.group(2)) < len(item):
                    following.append(item[int(match.group(2))])
        current = following
    return current or [_MISSING]


def _json_match(expression: Any, message: str) -> bool:
    text = message.strip()
    if not text.startswith("{"):
        return False
    try:
        document = json.loads(text)
    except ValueError:
        return False
    return _evaluate(expression, lambda selector: _select(document, selector))


# --- space-delimited -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    name: str | None  # None for "..."
    condition: Any = None


def _split_fields(text: str) -> list[str]:
    fields: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "(":
            depth += 1
        elif not quoted and char in ")":
            depth -= 1
        if char == "," and not quoted and depth == 0:
            fields.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    fields.append("".join(current).strip())
    return fields


def _delimited(text: str) -> Matcher:
    fields: list[Field] = []
    for spec in _split_fields(text):
        if not spec:
            raise FilterPatternError("empty field in a space-delimited pattern")
        if spec == "...":
            fields.append(Field(None))
            continue
        tokens = _tokenize(spec)
        if len(tokens) == 1 and tokens[0].kind == "word":
            fields.append(Field(tokens[0].text))
            continue
        parser = _Parser(tokens)
        condition = parser.expression(json_selectors=False)
        if parser.peek() is not None:
            raise FilterPatternError(f"unexpected {parser.peek().text!r} in field {spec!r}")  # type: ignore[union-attr]
        first = tokens[0].text
        fields.append(Field(first, condition))

    def matches(message: str) -> bool:
        values = _message_fields(message)
        for binding in _bind(fields, values):

            def lookup(name: str, bound: dict[str, Any] = binding) -> list[Any]:
                return [bound.get(name, _MISSING)]

            if all(f.condition is None or _evaluate(f.condition, lookup) for f in fields):
                return True
        return False

    return matches


_MESSAGE_FIELD = re.compile(r'"([^"]*)"|\[([^\]]*)\]|(\S+)')


def _message_fields(message: str) -> list[str]:
    return [
        next(group for group in match.groups() if group is not None)
        for match in _MESSAGE_FIELD.finditer(message)
    ]


def _bind(fields: list[Field], values: list[str]) -> list[dict[str, Any]]:
    """Every way the fields (with ``...`` taking any run of values) cover the values exactly."""
    results: list[dict[str, Any]] = []

    def walk(field_index: int, value_index: int, bound: dict[str, Any]) -> None:
        if len(results) >= 64:  # enough ways to decide; ellipses can explode combinatorially
            return
        if field_index == len(fields):
            if value_index == len(values):
                results.append(dict(bound))
            return
        field = fields[field_index]
        if field.name is None:
            for end in range(value_index, len(values) + 1):
                walk(field_index + 1, end, bound)
            return
        if value_index >= len(values):
            return
        bound[field.name] = values[value_index]
        walk(field_index + 1, value_index + 1, bound)
        del bound[field.name]

    walk(0, 0, {})
    return results
