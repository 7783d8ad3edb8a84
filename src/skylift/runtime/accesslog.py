"""One structured access-log line per HTTP request, and the parser ``skylift tail --http`` uses.

The line is a JSON object that always starts with the same bytes, ``{"skylift":"access",``,
so it is found by a plain prefix test, parsed by any JSON reader, and matched by
CloudWatch Logs JSON filter patterns (``{ $.status >= 500 }``). Keys, in order (the
fields that repeat from request to request first, so that part is formatted once):

    method  str    HTTP method
    path    str    the path the client asked for (stage or base path included)
    status  int    status code sent
    ip      str    client address ("" when the event has none)
    ua      str    User-Agent ("" when none)
    shape   str    event shape: apigw_v1, apigw_v2, function_url, alb, vpc_lattice
    bytes   int    response body size before base64
    ms      float  time in the handler, milliseconds (3 decimals)
    rid     str    Lambda request id

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

quote = _quote  # a str as a JSON string literal (ASCII, escaped)

__all__ = [
    "FIELDS",
    "HEADS",
    "PREFIX",
    "format_access_line",
    "parse_access_line",
    "quote",
    "write_access_line",
]

PREFIX = '{"skylift":"access",'
FIELDS: tuple[str, ...] = ("method", "path", "status", "ip", "ua", "shape", "bytes", "ms", "rid")
_TYPES: dict[str, type] = {
    "method": str,
    "path": str,
    "status": int,
    "ip": str,
    "ua": str,
    "shape": str,
    "bytes": int,
    "ms": float,
    "rid": str,
}


class _Heads(dict):  # type: ignore[type-arg]
    """(method, mount, path, status, ip, ua, shape) -> the line up to ``"bytes":``, remembered.

    Those fields repeat from one request to the next (one route, one client), and quoting
    and formatting them costs more than one lookup; the per-request rest (bytes, ms, rid)
    is formatted each time. ``mount`` + ``path`` is the path logged (the app's mount
    point, such as the stage, then the path within the app).
    """

    __slots__ = ()

    def __missing__(self, key: tuple[str, str, str, int, str, str, str]) -> str:
        method, mount, path, status, ip, ua, shape = key
        head = (
            f'{PREFIX}"method":{_quote(method)},"path":{_quote(mount + path)},"status":{status},'
            f'"ip":{_quote(ip)},"ua":{_quote(ua)},"shape":"{shape}","bytes":'
        )
        if len(self) >= _HEADS_MAX:  # client-chosen values: bound the memory
            self.clear()
        self[key] = head
        return head


_HEADS_MAX = 512
HEADS = _Heads()


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
    # The adapter's WSGI path has this f-string inline (a call costs as much as a field).
    return (
        f"{HEADS[(method, '', path, status, ip, ua, shape)]}{size},"
        f'"ms":{ms:.3f},"rid":{_quote(rid)}}}\n'
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
