"""Settings types and values in the words of a settings file, not of pydantic.

``expected(annotation)`` says what a key allows ("a whole number from 128 to
10240", "one of "v1", "v2"", "a list of strings, or null"); ``shown(value)``
says what was written (`the string "512"`). Error messages and the generated
settings reference both use them, so the two always agree.
"""

from __future__ import annotations

import datetime
import json
import types
import typing
from collections.abc import Sequence
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel

from skylift.config.types import Expect

_NoneType = type(None)

_PLURAL = {
    str: "strings",
    int: "whole numbers",
    float: "numbers",
    bool: "true/false values",
}


def split_annotated(annotation: Any) -> tuple[Any, list[Any]]:
    """``Annotated[T, m1, m2]`` -> ``(T, [m1, m2])``, flattening nested ``Annotated``."""
    metadata: list[Any] = []
    while get_origin(annotation) is typing.Annotated:
        base, *extra = get_args(annotation)
        metadata = [*extra, *metadata]
        annotation = base
    return annotation, metadata


def union_members(annotation: Any) -> list[Any] | None:
    """The members of ``A | B`` (or ``Optional[A]``); ``None`` when not a union."""
    if get_origin(annotation) in (Union, types.UnionType):
        return list(get_args(annotation))
    return None


def expected(annotation: Any, metadata: Sequence[Any] = (), *, with_null: bool = True) -> str:
    """What a value of this type must be, as a phrase: 'a whole number from 1 to 900'.

    ``with_null=False`` leaves out "or null": an error about a value that was
    written is clearer without it.
    """
    annotation, inner = split_annotated(annotation)
    metadata = [*metadata, *inner]
    for item in metadata:
        if isinstance(item, Expect):
            return item.text
    members = union_members(annotation)
    if members is not None:
        nullable = with_null and _NoneType in members
        parts: list[str] = []
        for member in members:
            if member is not _NoneType:
                # Field(ge=1) on `int | None` constrains the int: pass the bounds down.
                text = expected(member, metadata)
                # "true, false, or a mapping" reads better than "true or false or a mapping"
                parts += ["true", "false"] if text == "true or false" else [text]
        text = _join_or(parts)
        return f"{text}, or null" if nullable else text
    return _describe_plain(annotation, metadata)


def _describe_plain(annotation: Any, metadata: Sequence[Any]) -> str:
    origin = get_origin(annotation)
    if origin is Literal:
        return _literal_text(get_args(annotation))
    if origin is list:
        (item,) = get_args(annotation) or (Any,)
        return f"a list of {_plural(item)}"
    if origin is dict:
        _key, value = get_args(annotation) or (str, Any)
        if value is Any:
            return "a mapping"
        return f"a mapping of names to {_plural(value)}"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_text(annotation)
    if annotation is bool:
        return "true or false"
    if annotation is int:
        return "a whole number" + _bounds(metadata)
    if annotation is float:
        return "a number" + _bounds(metadata)
    if annotation is str:
        return "a string"
    if annotation is Any:
        return "any value"
    return getattr(annotation, "__name__", str(annotation))


def _plural(annotation: Any) -> str:
    base, metadata = split_annotated(annotation)
    if any(isinstance(m, Expect) for m in metadata) or union_members(base) is not None:
        return f"items that are each {expected(annotation)}"
    if base in _PLURAL:
        return _PLURAL[base] + _bounds(metadata)
    if get_origin(base) is Literal:
        return "items that are each " + _literal_text(get_args(base))
    if get_origin(base) is dict or base is dict:
        return "mappings"
    if isinstance(base, type) and issubclass(base, BaseModel):
        return "mappings" + _model_keys(base)
    return f"items that are each {expected(annotation)}"


def _model_text(model: type[BaseModel]) -> str:
    return "a mapping" + _model_keys(model)


def _model_keys(model: type[BaseModel]) -> str:
    required = [name for name, field in model.model_fields.items() if field.is_required()]
    optional = [name for name, field in model.model_fields.items() if not field.is_required()]
    if required and optional:
        return f" with {_join_and(required)} (and optionally {_join_or(optional, 4)})"
    if required:
        return f" with {_join_and(required)}"
    return f" of {_join_or(optional, 4)}"


def _literal_text(values: Sequence[Any]) -> str:
    if len(values) == 1:
        return _json(values[0])
    return "one of " + ", ".join(_json(v) for v in values)


def _bounds(metadata: Sequence[Any]) -> str:
    low = high = None
    for item in metadata:
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low = f"more than {item.gt}"
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            high = f"less than {item.lt}"
    if low is not None and high is not None and isinstance(low, int) and isinstance(high, int):
        return f" from {low} to {high}"
    if low is not None:
        return f" of at least {low}" if isinstance(low, int) else f" {low}"
    if high is not None:
        return f" of at most {high}" if isinstance(high, int) else f" {high}"
    return ""


def _join_or(parts: Sequence[str], limit: int | None = None) -> str:
    return _join(parts, "or", limit)


def _join_and(parts: Sequence[str]) -> str:
    return _join(parts, "and", None)


def _join(parts: Sequence[str], word: str, limit: int | None) -> str:
    parts = list(dict.fromkeys(parts))
    if limit is not None and len(parts) > limit:
        return ", ".join(parts[:limit]) + f" {word} others"
    if len(parts) <= 1:
        return "".join(parts)
    if len(parts) == 2:
        return f"{parts[0]} {word} {parts[1]}"
    return ", ".join(parts[:-1]) + f", {word} {parts[-1]}"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def shown(value: Any, limit: int = 60) -> str:
    """What was written, with its kind: 'the string "512"', 'null', 'a list [1, 2]'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {_clip(_json(value), limit)}"
    if isinstance(value, str):
        return f"the string {_clip(_json(value), limit)}"
    if isinstance(value, (datetime.date, datetime.time)):
        kind = type(value).__name__.replace("datetime", "date and time")
        return f"the {kind} {value.isoformat()}"
    if isinstance(value, (list, tuple)):
        return f"a list {_clip(_json_any(value), limit)}"
    if isinstance(value, dict):
        return f"a mapping {_clip(_json_any(value), limit)}"
    return _clip(repr(value), limit)


def _json_any(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
