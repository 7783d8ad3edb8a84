"""Which Lambda Python runtimes exist, which Lambda still accepts, and their platforms."""

from __future__ import annotations

import sys

# Lambda's Python runtimes, oldest first. Amazon Linux 2 (glibc 2.26) up to
# python3.11, Amazon Linux 2023 (glibc 2.34) from python3.12.
SUPPORTED_RUNTIMES: tuple[str, ...] = (
    "python3.9",
    "python3.10",
    "python3.11",
    "python3.12",
    "python3.13",
    "python3.14",
)
# Runtimes Lambda no longer accepts for new functions or updates. A settings
# file naming one still loads (with a warning); deploy refuses it.
RETIRED_RUNTIMES: tuple[str, ...] = (
    "python2.7",
    "python3.6",
    "python3.7",
    "python3.8",
)
ARCHITECTURES: tuple[str, ...] = ("x86_64", "arm64")

_GLIBC_AL2 = (2, 26)
_GLIBC_AL2023 = (2, 34)


def glibc_for(runtime: str) -> tuple[int, int]:
    """The glibc version of the Amazon Linux a runtime runs on."""
    minor = int(runtime.removeprefix("python3."))
    return _GLIBC_AL2023 if minor >= 12 else _GLIBC_AL2


def newest_runtime() -> str:
    return SUPPORTED_RUNTIMES[-1]


def default_runtime() -> str:
    """The local Python's minor version when Lambda has it, else the nearest one."""
    local = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if local in SUPPORTED_RUNTIMES:
        return local
    return newest_runtime()
