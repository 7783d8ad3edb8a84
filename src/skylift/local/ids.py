"""Request ids and trace ids, cheaply (uuid4 reads the OS's random source on every call).

They only need to be unique within a local cloud, not unguessable.
"""

from __future__ import annotations

import random
import time

_random = random.Random()


def request_id() -> str:
    """A version-4 UUID string, as Lambda and API Gateway request ids look."""
    value = _random.getrandbits(128)
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-4{text[13:16]}-{'89ab'[value & 3]}{text[17:20]}-{text[20:]}"


def hex_id(length: int = 32) -> str:
    return f"{_random.getrandbits(length * 4):0{length}x}"


def trace_id() -> str:
    """An X-Ray style trace header: Root=1-{epoch hex}-{24 hex};Parent={16 hex};Sampled=0."""
    return f"Root=1-{int(time.time()):08x}-{hex_id(24)};Parent={hex_id(16)};Sampled=0"
