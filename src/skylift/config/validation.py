"""Validate a stage's merged mapping and turn every problem into one readable line.

pydantic reports a union's failure once per member, with the member's internal
name in the location (``('cors', 'CorsSpec', 'max_age')``). Here each error's
location is replayed against the data that was written, so only real keys and
list positions remain (``cors.max_age``); the deepest problems under a key win
over "not a bool" from the union's other members; and what is allowed comes
from the schema's own types (``skylift.config.describe``), never from
pydantic's messages.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from skylift.config.describe import expected, shown, split_annotated, union_members
from skylift.config.schema import StageSettings
from skylift.errors import ConfigError

PathPart = str | int
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_REFERENCE = "docs/settings.md lists every key with its type and default."


class InvalidSettingsError(ConfigError):
    """Values of a stage are wrong or missing; ``paths`` says which keys."""

    def __init__(
        self, message: str, *, hint: str | None = None, paths: Sequence[tuple[PathPart, ...]] = ()
    ) -> None:
        super().__init__(message, hint=hint)
        self.paths = tuple(paths)


@dataclass(frozen=True)
class Problem:
    """One wrong value: where (a path of keys and list positions) and what is wrong."""

    path: tuple[PathPart, ...]
    message: str
    value: Any = None
    default: str | None = None  # the default, shown in the hint when the value was null

    @property
    def key(self) -> str:
        return key_text(self.path)


def key_text(path: Sequence[PathPart]) -> str:
    """('events', 0, 'function') -> 'events[0].function'."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENT.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{part!r}]"
    return text


def validate_stage(
    raw: dict[str, Any],
    path: Path,
    stage: str,
    origins: Mapping[str, str] | None = None,
) -> StageSettings:
    """``StageSettings`` of the merged mapping, or a ``ConfigError`` naming every bad key."""
    try:
        settings = StageSettings.model_validate(raw)
    except ValidationError as exc:
        problems = problems_from(exc, raw)
    else:
        problems = cross_checks(settings)
        if not problems:
            return settings
    raise config_error(problems, path, stage, origins or {})


def config_error(
    problems: Sequence[Problem], path: Path, stage: str, origins: Mapping[str, str]
) -> InvalidSettingsError:
    lines = [_line(p, stage, origins) for p in problems]
    if len(lines) == 1:
        message = f"{path}: stage '{stage}': {lines[0]}"
    else:
        listed = "".join(f"\n  - {line}" for line in lines)
        message = f"{path}: stage '{stage}' has {len(lines)} invalid settings:{listed}"
    return InvalidSettingsError(message, hint=_hint(problems), paths=[p.path for p in problems])


def _line(problem: Problem, stage: str, origins: Mapping[str, str]) -> str:
    top = problem.path[0] if problem.path else None
    origin = origins.get(top) if isinstance(top, str) else None
    where = (
        f" (set in stage '{origin}', which '{stage}' extends)"
        if origin not in (None, stage)
        else ""
    )
    return f"key '{problem.key}'{where}: {problem.message}"


def _hint(problems: Sequence[Problem]) -> str:
    first = problems[0]
    if len(problems) == 1 and first.value is None and first.default is not None:
        return f"Remove '{first.key}' to use its default ({first.default}), or give a value."
    if isinstance(first.value, str) and ":" in first.value and "dotted path" in first.message:
        module, _, attr = first.value.partition(":")
        return f"Write '{module}.{attr}': module and attribute are joined by a dot. {_REFERENCE}"
    return f"Fix the value in the settings file; {_REFERENCE}"


# -- pydantic errors -> problems ----------------------------------------------


def problems_from(exc: ValidationError, raw: Mapping[str, Any]) -> list[Problem]:
    groups: dict[tuple[PathPart, ...], list[dict[str, Any]]] = {}
    for err in exc.errors(include_url=False):
        data_path = _data_path(raw, err)
        groups.setdefault(data_path, []).append(dict(err))
    deepest = [p for p in groups if not any(len(q) > len(p) and q[: len(p)] == p for q in groups)]
    return [_problem(p, groups[p], raw) for p in sorted(deepest, key=_sort_key)]


def _sort_key(path: tuple[PathPart, ...]) -> tuple[str, ...]:
    return tuple(f"{p:09d}" if isinstance(p, int) else p for p in path)


def _data_path(raw: Mapping[str, Any], err: Mapping[str, Any]) -> tuple[PathPart, ...]:
    """The error's location with pydantic's union tags dropped: only keys the data has."""
    current: Any = raw
    path: list[PathPart] = []
    loc = list(err["loc"])
    for index, part in enumerate(loc):
        if _has(current, part):
            current = current[part]
            path.append(part)
        elif err["type"] == "missing" and index == len(loc) - 1 and isinstance(part, str):
            path.append(part)
    return tuple(path)


def _has(container: Any, part: PathPart) -> bool:
    if isinstance(container, Mapping):
        return isinstance(part, str) and part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


def _problem(path: tuple[PathPart, ...], errors: list[dict[str, Any]], raw: Any) -> Problem:
    annotation, metadata = _type_at(path)
    allowed = expected(annotation, metadata, with_null=False) if annotation else "another value"
    if any(e["type"] == "missing" for e in errors):
        return Problem(path, f"is required but missing; expected {allowed}")
    value = _value_at(raw, path)
    # A rule of a whole object (an event with no trigger) speaks for itself.
    rules = [e for e in errors if e["type"] == "value_error"]
    if rules:
        reason = str(rules[0].get("ctx", {}).get("error", rules[0]["msg"]))
        return Problem(path, f"{reason} (got {shown(value)})", value)
    default = _default_at(path) if value is None else None
    return Problem(path, f"expected {allowed}, got {shown(value)}", value, default)


def _value_at(raw: Any, path: Sequence[PathPart]) -> Any:
    current = raw
    for part in path:
        current = current[part]
    return current


# -- walking the schema along a data path --------------------------------------


def _type_at(path: Sequence[PathPart]) -> tuple[Any, list[Any]]:
    """The annotation (and field metadata) that governs the value at ``path``."""
    annotation: Any = StageSettings
    metadata: list[Any] = []
    for part in path:
        found = _child(annotation, part)
        if found is None:
            return None, []
        annotation, metadata = found
    return annotation, metadata


def _child(annotation: Any, part: PathPart) -> tuple[Any, list[Any]] | None:
    base, _meta = split_annotated(annotation)
    members = union_members(base)
    if members is not None:
        for member in members:
            found = _child(member, part)
            if found is not None:
                return found
        return None
    if isinstance(base, type) and issubclass(base, BaseModel):
        field = base.model_fields.get(str(part))
        return (field.annotation, list(field.metadata)) if field else None
    origin = get_origin(base)
    args = get_args(base)
    if origin is list and isinstance(part, int) and args:
        return args[0], []
    if origin is list and isinstance(part, str) and args:
        # A single item written where a list is allowed (efs_config: {...}) was wrapped by
        # a before-validator: the key belongs to the item.
        return _child(args[0], part)
    if origin is dict and isinstance(part, str) and len(args) == 2:
        return args[1], []
    return None


def _default_at(path: Sequence[PathPart]) -> str | None:
    if len(path) != 1 or not isinstance(path[0], str):
        return None
    field: FieldInfo | None = StageSettings.model_fields.get(path[0])
    if field is None or field.is_required():
        return None
    default = field.get_default(call_default_factory=True)
    return None if default is None else json.dumps(default, default=str)


# -- rules that span keys (Zappa checks them when it loads the stage) -----------


def cross_checks(settings: StageSettings) -> list[Problem]:
    problems: list[Problem] = []
    s = settings
    if s.additional_text_mimetypes and not s.binary_support:
        problems.append(
            Problem(
                ("additional_text_mimetypes",),
                "needs binary_support (it is false); Zappa refuses this combination too",
            )
        )
    if s.efs_config and not s.vpc_config:
        problems.append(Problem(("efs_config",), "needs vpc_config: EFS is reached through a VPC"))
    mounts = [efs.LocalMountPath for efs in s.efs_config or []]
    for index, mount in enumerate(mounts):
        if mount in mounts[:index]:
            problems.append(
                Problem(("efs_config", index, "LocalMountPath"), f"'{mount}' is mounted twice")
            )
    if s.alb_enabled:
        alb = s.alb_vpc_config
        if alb is None or not alb.SubnetIds or not alb.CertificateArn:
            problems.append(
                Problem(
                    ("alb_vpc_config",),
                    "alb_enabled needs alb_vpc_config with SubnetIds (two or more) "
                    "and a CertificateArn",
                )
            )
    if s.websocket_handler_module and s.websocket_handler_module.endswith(".py"):
        problems.append(
            Problem(
                ("websocket_handler_module",),
                "is a file name; give the module's dotted path (no '.py')",
            )
        )
    return problems


def nearest(key: str, known: Iterable[str]) -> str | None:
    """The known key ``key`` is most likely a typo of: whole-name similarity, or (a little
    less) similarity to a known key's start, so 'memroy' finds 'memory_size'."""
    best, best_score = None, 0.6
    for candidate in known:
        score = difflib.SequenceMatcher(None, key, candidate).ratio()
        if len(key) >= 4:
            start = candidate[: len(key)]
            score = max(score, difflib.SequenceMatcher(None, key, start).ratio() - 0.1)
        if score > best_score:
            best, best_score = candidate, score
    return best


# -- keys that no schema knows ---------------------------------------------------


@dataclass(frozen=True)
class UnknownKey:
    """A key the schema does not know, where it was written, and the known key nearest it."""

    path: tuple[PathPart, ...]
    nearest: str | None

    @property
    def key(self) -> str:
        return key_text(self.path)

    def may_be(self, path: Sequence[PathPart]) -> bool:
        """Whether this is likely a misspelling of the key at ``path`` (same parent)."""
        return self.nearest is not None and (*self.path[:-1], self.nearest) == tuple(path)


def unknown_keys(raw: Mapping[str, Any]) -> list[UnknownKey]:
    """Unknown keys in what was written, at the top and inside known objects
    (``vpc_config.SubnetId``). Read from the data, so it works on a stage that does not
    validate: a misspelt key is often why a required one is missing."""
    found: list[UnknownKey] = []
    _unknown_in(raw, StageSettings, (), found)
    return found


def _unknown_in(value: Any, annotation: Any, path: tuple[PathPart, ...], found: list[Any]) -> None:
    base, _meta = split_annotated(annotation)
    members = union_members(base)
    if members is not None:
        member = _member_for(value, members)
        if member is not None:
            _unknown_in(value, member, path, found)
    elif isinstance(base, type) and issubclass(base, BaseModel):
        if isinstance(value, Mapping):
            _unknown_in_model(value, base, path, found)
    elif get_origin(base) is list and get_args(base):
        (item,) = get_args(base)
        if isinstance(value, list):
            for index, element in enumerate(value):
                _unknown_in(element, item, (*path, index), found)
        elif isinstance(value, Mapping):
            _unknown_in(value, item, path, found)  # one item written for a list of them
    elif get_origin(base) is dict and len(get_args(base)) == 2 and isinstance(value, Mapping):
        for key, element in value.items():
            _unknown_in(element, get_args(base)[1], (*path, str(key)), found)


def _unknown_in_model(
    value: Mapping[Any, Any], model: type[BaseModel], path: tuple[PathPart, ...], found: list[Any]
) -> None:
    fields = model.model_fields
    known = sorted(fields)
    for key, element in value.items():
        name = str(key)
        if name in fields:
            _unknown_in(element, fields[name].annotation, (*path, name), found)
        else:
            found.append(UnknownKey((*path, name), nearest(name, known)))


def _member_for(value: Any, members: Sequence[Any]) -> Any:
    """The union member a written mapping or list is meant for (a model for a mapping)."""
    shapes = [(member, split_annotated(member)[0]) for member in members]
    if isinstance(value, list):
        return next((m for m, base in shapes if get_origin(base) is list), None)
    if not isinstance(value, Mapping):
        return None
    for member, base in shapes:
        if isinstance(base, type) and issubclass(base, BaseModel):
            return member
    for member, base in shapes:
        if get_origin(base) in (list, dict):
            return member
    return None
