"""`make demo`: the user's first minutes, end to end, on this machine.

Runs the installed ``skylift`` CLI on examples/bottle_hello the way a user
would. Each step appears as the issue that builds it lands.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "bottle_hello"
SKYLIFT = Path(sys.executable).parent / "skylift"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    print(f"$ skylift {' '.join(args)}", flush=True)
    return subprocess.run([str(SKYLIFT), *args], cwd=EXAMPLE, text=True, check=False)


def main() -> int:
    result = run("package", "dev")
    if result.returncode != 0:
        return result.returncode
    print(
        "\nexamples/bottle_hello is packaged for Lambda. The local cloud and the deploy "
        "engine have not landed yet, so the demo stops here.",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
