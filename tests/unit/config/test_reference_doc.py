"""docs/settings.md's reference is generated from the schema: it must match it exactly."""

from __future__ import annotations

import subprocess
import sys

from skylift.config import KNOWN_KEYS, StageSettings
from skylift.config.reference import BEGIN, END, replace_generated, settings_reference
from skylift.config.specs import NESTED_SPECS
from tests.conftest import REPO_ROOT

DOC = REPO_ROOT / "docs" / "settings.md"


def test_doc_is_up_to_date() -> None:
    current = DOC.read_text(encoding="utf-8")
    assert current == replace_generated(current, settings_reference()), (
        "docs/settings.md is out of date: run .venv/bin/python scripts/settings_doc.py"
    )


def test_every_key_is_documented_with_a_meaning() -> None:
    text = DOC.read_text(encoding="utf-8")
    generated = text[text.index(BEGIN) : text.index(END)]
    for key in KNOWN_KEYS:
        assert f"| `{key}` |" in generated
    for model in (StageSettings, *NESTED_SPECS.values()):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"


def test_check_mode_of_the_script() -> None:
    script = REPO_ROOT / "scripts" / "settings_doc.py"
    result = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
