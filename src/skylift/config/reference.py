"""The settings reference (docs/settings.md), generated from the schema so it never drifts.

``scripts/settings_doc.py`` writes it between two marker lines of the doc; a
test fails when the doc and the schema disagree. Types are described by the
same code that words the error messages.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from skylift.config.describe import expected
from skylift.config.schema import StageSettings
from skylift.config.specs import NESTED_SPECS

BEGIN = "<!-- BEGIN GENERATED: scripts/settings_doc.py writes this part; edit the schema -->"
END = "<!-- END GENERATED -->"


def settings_reference() -> str:
    """The markdown between the markers: the stage keys, then each nested object's keys."""
    parts = [
        f"### Stage keys ({len(StageSettings.model_fields)})\n",
        _table(StageSettings),
    ]
    for where, model in NESTED_SPECS.items():
        parts += [f"\n### `{where}`\n", _table(model)]
    return "\n".join(parts)


def _table(model: type[BaseModel]) -> str:
    rows = ["| key | type | default | meaning |", "|---|---|---|---|"]
    for name, field in model.model_fields.items():
        allowed = expected(field.annotation, field.metadata)
        rows.append(
            f"| `{name}` | {_cell(allowed)} | {_cell(_default(field))} | "
            f"{_cell(field.description or '')} |"
        )
    return "\n".join(rows) + "\n"


def _default(field: FieldInfo) -> str:
    extra = field.json_schema_extra
    if isinstance(extra, dict) and isinstance(extra.get("default_doc"), str):
        return str(extra["default_doc"])
    if field.is_required():
        return "required"
    value: Any = field.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        return "its keys' defaults"
    return f"`{json.dumps(value)}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def replace_generated(doc: str, generated: str) -> str:
    """``doc`` with the text between the markers replaced by ``generated``."""
    start = doc.index(BEGIN) + len(BEGIN)
    end = doc.index(END)
    return doc[:start] + "\n\n" + generated.rstrip() + "\n\n" + doc[end:]
