"""One structured access-log line per HTTP request, and the parser ``skylift tail --http`` uses.

The line is a JSON object that always starts with the same bytes, ``{"skylift":"access",``,
so it is found by a plain prefix test, parsed by any JSON reader, and matched by
CloudWatch Logs JSON filter patterns (``{ $.status >= 500 }``). Keys, in order:

    method  str    HTTP method
    path    str    the path the client asked for (stage or base path included)
    status  int    status code sent
    ms      float  time in the handler, milliseconds (3 decimals)
    ip      str    client address ("" when the event has none)
    ua      str    User-Agent ("" when none)
    rid     str    Lambda request id
    bytes   int    response body size before base64
    shape   str    event shape: apigw_v1, apigw_v2, function_url, alb, vpc_lattice

It is written with a single ``sys.stdout.write`` of a pre-formatted string: no logging
machinery on the request path (~6 us per request saved).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from typing import Any

try:  # the C encoder: no `json` package import (and its `re`) on the cold-start path
    from _json import encode_basestring_ascii as _quote
except ImportError:  # pragma: no cover - CPython always has _json
    from json.encoder import py_encode_basestring_ascii as _quote

__all__ = ["FIELDS", "PREFIX", "format_access_line", "parse_access_line", "write_access_line"]

PREFIX = '{"skylift":"access",'
FIELDS: tuple[str, ...] = ("method", "path", "status", "ms", "ip", "ua", "rid", "bytes", "shape")
_TYPES: dict[str, type] = {
    "method": str,
    "path": str,
    "status": int,
    "ms": float,
    "ip": str,
    "ua": str,
    "rid": str,
    "bytes": int,
    "shape": str,
}


def format_access_line(
    method: str,
    path: str,
    status: int,
    ms: float,
    ip: str,
    ua: str,
    rid: str,
    size: int,
    shape: str,
) -> str:
    return (
        f'{PREFIX}"method":{_quote(method)},"path":{_quote(path)},"status":{status:d},'
        f'"ms":{ms:.3f},"ip":{_quote(ip)},"ua":{_quote(ua)},"rid":{_quote(rid)},'
        f'"bytes":{size:d},"shape":"{shape}"}}\n'
    )


def write_access_line(
    method: str,
    path: str,
    status: int,
    ms: float,
    ip: str,
    ua: str,
    rid: str,
    size: int,
    shape: str,
) -> None:
    sys.stdout.write(format_access_line(method, path, status, ms, ip, ua, rid, size, shape))


def parse_access_line(line: str) -> dict[str, Any] | None:
    """The fields of an access line, or None when ``line`` is not one.

    Anything before the prefix is ignored (a timestamp or stream name that a log
    viewer prepends), so a whole CloudWatch or local-cloud log line can be passed in.
    """
    start = line.find(PREFIX)
    if start < 0:
        return None
    import json  # only tail and tests parse; the runtime never does

    try:
        data = json.loads(line[start:].strip())
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("skylift") != "access":
        return None
    out: dict[str, Any] = {}
    for key, kind in _TYPES.items():
        value = data.get(key)
        if kind is float and type(value) is int:
            value = float(value)
        if type(value) is not kind:
            return None
        out[key] = value
    return out
