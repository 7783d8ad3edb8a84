"""`make demo`: the user's first minutes, end to end, on this machine.

Runs the installed ``skylift`` CLI on examples/bottle_hello the way a user
would: start the local cloud, deploy (or update, when an earlier demo left it
deployed), request /hello and print the answer with its URL. The local cloud
is left running so the URL keeps working.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "bottle_hello"
SKYLIFT = Path(sys.executable).parent / "skylift"
STAGE = "dev"


def run(*args: str, capture: bool = False) -> subprocess.CompletedProcess[str]:
    if not capture:
        print(f"$ skylift {' '.join(args)}", flush=True)
    return subprocess.run(
        [str(SKYLIFT), *args],
        cwd=EXAMPLE,
        text=True,
        check=False,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
        stdin=subprocess.DEVNULL,
    )


def deployed() -> bool:
    """Whether an earlier demo left the stage deployed on the running local cloud."""
    result = run("status", STAGE, "--local", "--json", "-q", capture=True)
    return result.returncode == 0 and bool(json.loads(result.stdout).get("deployed"))


def release() -> dict[str, Any] | None:
    verb = "update" if deployed() else "deploy"
    print(f"$ skylift {verb} {STAGE} --local", flush=True)
    result = subprocess.run(
        [str(SKYLIFT), verb, STAGE, "--local", "--json"],
        cwd=EXAMPLE,
        text=True,
        check=False,
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        return None
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def fetch(url: str) -> str:
    # The local cloud is on 127.0.0.1: never send the request through an HTTP proxy.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=30) as response:
        body: bytes = response.read()
    return body.decode("utf-8")


def main() -> int:
    if run("local", "up").returncode != 0:
        return 1
    result = release()
    if result is None:
        return 1
    base = result["urls"][0]["url"]
    url = base.rstrip("/") + "/hello"
    print(f"$ GET {url}", flush=True)
    try:
        body = fetch(url)
    except (urllib.error.URLError, OSError) as exc:
        print(f"Error: GET {url} failed: {exc}", file=sys.stderr)
        print(
            "Hint: `.venv/bin/skylift local logs` shows what the local cloud saw.", file=sys.stderr
        )
        return 1
    print(f"\n{body}\n  from {url}\n")
    print(
        "The local cloud keeps running. Stop it with:  .venv/bin/skylift local down",
        flush=True,
    )
    return 0 if body.strip() == "Hello World!" else 1


if __name__ == "__main__":
    sys.exit(main())
