"""Write stages to a settings file in any of the formats skylift reads.

``skylift init`` writes skylift.toml or zappa_settings.json with these; the
round-trip tests prove that what is written here loads back unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from skylift.errors import UsageError

Format = Literal["skylift", "pyproject", "zappa-json", "zappa-toml", "zappa-yaml"]

FILENAMES: dict[str, str] = {
    "skylift": "skylift.toml",
    "pyproject": "pyproject.toml",
    "zappa-json": "zappa_settings.json",
    "zappa-toml": "zappa_settings.toml",
    "zappa-yaml": "zappa_settings.yaml",
}


def render_settings(stages: Mapping[str, Mapping[str, Any]], fmt: Format) -> str:
    """The text of a settings file holding ``stages`` (TOML has no null: such keys are left
    out, which loads as the key's default; every key that allows null defaults to it)."""
    plain = {name: dict(body) for name, body in stages.items()}
    if fmt == "zappa-json":
        # Zappa writes its file with the standard json module, keys sorted, indent 4.
        return json.dumps(plain, indent=4, sort_keys=True, ensure_ascii=False) + "\n"
    if fmt == "zappa-yaml":
        import yaml

        # allow_unicode=True would write a NEL (U+0085) raw, which YAML reads back as a line
        # break: let PyYAML escape everything outside ASCII.
        return yaml.safe_dump(plain, sort_keys=False, default_flow_style=False)
    import tomli_w

    tables = {name: _without_none(body) for name, body in plain.items()}
    if fmt == "skylift":
        return tomli_w.dumps({"stages": tables})
    if fmt == "pyproject":
        return tomli_w.dumps({"tool": {"skylift": {"stages": tables}}})
    if fmt == "zappa-toml":
        return tomli_w.dumps(tables)
    raise UsageError(
        f"Unknown settings format {fmt!r}.", hint=f"Use one of {', '.join(FILENAMES)}."
    )


def _without_none(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value if v is not None]
    return value
