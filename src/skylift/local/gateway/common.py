"""Pieces every front door shares: query strings, headers, bodies, times, route patterns."""

from __future__ import annotations

import base64
import fnmatch
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, unquote_plus

from skylift.local import ids
from skylift.local.httpserver import Request, Response

TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/graphql",
    "application/ld+json",
    "application/vnd.api+json",
)
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "te", "trailer"}


def json_message(status: int, message: str, key: str = "message") -> Response:
    import json

    return Response.json(json.dumps({key: message}), status)


def query_pairs(raw: str) -> list[tuple[str, str]]:
    """``a=1&a=2&b`` -> [("a", "1"), ("a", "2"), ("b", "")], decoded as API Gateway does."""
    pairs = []
    for part in raw.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        pairs.append((unquote_plus(key), unquote_plus(value)))
    return pairs


def multi(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def client_headers(request: Request, port: int) -> list[tuple[str, str]]:
    """The request's headers plus what API Gateway's front end adds."""
    headers = [(name, value) for name, value in request.headers if name.lower() not in HOP_BY_HOP]
    names = {name.lower() for name, _ in headers}
    forwarded = request.header("x-forwarded-for")
    client_ip = request.client[0]
    headers = [
        (n, v)
        for n, v in headers
        if n.lower() not in ("x-forwarded-for", "x-forwarded-port", "x-forwarded-proto")
    ]
    headers.append(("X-Forwarded-For", f"{forwarded}, {client_ip}" if forwarded else client_ip))
    headers.append(("X-Forwarded-Port", str(port)))
    headers.append(("X-Forwarded-Proto", "http"))
    if "x-amzn-trace-id" not in names:
        headers.append(("X-Amzn-Trace-Id", f"Root=1-{int(time.time()):08x}-{ids.hex_id(24)}"))
    return headers


def source_ip(request: Request) -> str:
    return request.client[0]


def is_text(content_type: str | None) -> bool:
    if not content_type:
        return True
    lowered = content_type.lower()
    return lowered.startswith(TEXT_TYPES) or lowered.endswith(("+json", "+xml"))


def encode_body(body: bytes, as_binary: bool) -> tuple[str | None, bool]:
    """(body for the event, isBase64Encoded)."""
    if not body:
        return None, False
    if not as_binary:
        try:
            return body.decode("utf-8"), False
        except UnicodeDecodeError:
            pass  # not text after all: base64 beats a mangled body
    return base64.b64encode(body).decode("ascii"), True


def media_type_matches(content_type: str | None, patterns: list[str]) -> bool:
    if not content_type or not patterns:
        return False
    media = content_type.split(";", 1)[0].strip().lower()
    return any(fnmatch.fnmatch(media, pattern.lower().replace("~1", "/")) for pattern in patterns)


def request_times() -> tuple[str, int]:
    """(``12/Mar/2020:19:03:58 +0000``, epoch milliseconds) as API Gateway stamps requests."""
    now = time.time()
    return time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)), int(now * 1000)


def new_request_id() -> str:
    return ids.request_id()


@dataclass(frozen=True)
class RouteMatch:
    template: str
    parameters: dict[str, str]
    rank: tuple[int, ...]


def match_path(template: str, path: str) -> RouteMatch | None:
    """Match a decoded path against ``/users/{id}/{proxy+}``; rank orders by specificity.

    API Gateway prefers literal segments over ``{param}`` over a greedy
    ``{proxy+}``, segment by segment from the left: a lower rank is better.
    """
    wanted = [segment for segment in template.strip("/").split("/") if segment]
    actual = list(path.strip("/").split("/")) if path.strip("/") else []
    parameters: dict[str, str] = {}
    rank: list[int] = []
    for index, segment in enumerate(wanted):
        if segment.startswith("{") and segment.endswith("+}"):
            rest = actual[index:]
            if not rest:
                return None
            parameters[segment[1:-2]] = "/".join(rest)
            rank.append(2)
            return RouteMatch(template, parameters, (*rank, 3))
        if index >= len(actual):
            return None
        if segment.startswith("{") and segment.endswith("}"):
            if not actual[index]:
                return None
            parameters[segment[1:-1]] = actual[index]
            rank.append(1)
        elif segment != actual[index]:
            return None
        else:
            rank.append(0)
    if len(actual) != len(wanted):
        return None
    return RouteMatch(template, parameters, (*rank, 0))


def best_match(templates: list[str], path: str) -> RouteMatch | None:
    matches = [m for m in (match_path(t, path) for t in templates) if m is not None]
    return min(matches, key=lambda m: m.rank) if matches else None


def split_target(target: str) -> tuple[str, str]:
    """(raw path, raw query) of a request target."""
    path, _, query = target.partition("?")
    return path or "/", query


def decode_path(raw: str) -> str:
    return unquote(raw)


def cookies_of(headers: list[tuple[str, str]]) -> list[str]:
    found: list[str] = []
    for name, value in headers:
        if name.lower() == "cookie":
            found.extend(part.strip() for part in value.split(";") if part.strip())
    return found


def encode_json(value: Any) -> bytes:
    import json

    return json.dumps(value, separators=(",", ":")).encode()
