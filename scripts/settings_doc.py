"""Write the settings reference of docs/settings.md from the schema (or check it, --check).

.venv/bin/python scripts/settings_doc.py          # rewrite the generated part
.venv/bin/python scripts/settings_doc.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from skylift.config.reference import replace_generated, settings_reference

DOC = Path(__file__).resolve().parent.parent / "docs" / "settings.md"


def main(argv: list[str]) -> int:
    current = DOC.read_text(encoding="utf-8")
    wanted = replace_generated(current, settings_reference())
    if "--check" in argv:
        if current != wanted:
            print(f"{DOC} is out of date: run python scripts/settings_doc.py", file=sys.stderr)
            return 1
        return 0
    if current != wanted:
        DOC.write_text(wanted, encoding="utf-8")
        print(f"Rewrote the settings reference in {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
