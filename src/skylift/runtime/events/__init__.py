"""One module per event source. HTTP shapes expose ``matches``, ``to_request``, ``from_response``.

Each also has the two halves the handler's fast path uses: ``fields`` (``to_request``'s
arguments as a tuple, headers still the event's dict; None when the event is not of the
shape, so that trying the last shape first costs nothing more) and ``answer``
(``from_response`` from the request's method and event instead of a ``Request``).

``http_source(event)`` names the HTTP shape of an event, or None. A shape's module is
imported the first time an event of that shape arrives: an environment only ever loads
the one or two shapes its front door sends. Where shapes overlap the modules' own
``matches`` decide: HTTP API 2.0 vs Function URL (the domain tells), REST vs ALB
(``requestContext.elb``), and authorizer requests that look like HTTP requests
(``methodArn``/``routeArn``), which no HTTP shape claims.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any, Protocol

    from skylift.runtime.http import BodyPolicy, Request

    class HttpSource(Protocol):
        """What every HTTP event module provides (the modules themselves satisfy it)."""

        NAME: str

        def matches(self, event: dict[str, Any]) -> bool: ...

        def fields(
            self, event: dict[str, Any], context: Any, base_path: str
        ) -> tuple[Any, ...] | None: ...

        def to_request(self, event: dict[str, Any], context: Any, base_path: str) -> Request: ...

        def answer(
            self,
            method: str,
            event: dict[str, Any],
            status: int,
            headers: Iterable[tuple[str, str]],
            body: bytes,
            policy: BodyPolicy,
        ) -> dict[str, Any]: ...

        def from_response(
            self,
            request: Request,
            status: int,
            headers: Iterable[tuple[str, str]],
            body: bytes,
            policy: BodyPolicy,
        ) -> dict[str, Any]: ...


__all__ = ["HTTP_SHAPES", "HttpSource", "http_source", "shape"]

HTTP_SHAPES: tuple[str, ...] = ("apigw_v1", "apigw_v2", "function_url", "alb", "vpc_lattice")

_loaded: dict[str, HttpSource] = {}
_last: list[HttpSource] = []  # a function is nearly always called by one front door


def shape(name: str) -> HttpSource:
    """The module of an HTTP shape, imported on first use."""
    module = _loaded.get(name)
    if module is None:
        module = _loaded[name] = importlib.import_module(f"skylift.runtime.events.{name}")
    return module


def _candidates(event: dict[str, Any]) -> tuple[str, ...]:
    """The shapes an event may be, from the one key each family always has."""
    if "httpMethod" in event:
        return ("apigw_v1", "alb")
    if "method" in event:
        return ("vpc_lattice",)
    if event.get("version") == "2.0":
        return ("apigw_v2", "function_url")
    return ()


def http_source(event: dict[str, Any]) -> HttpSource | None:
    if _last and _last[0].matches(event):
        return _last[0]
    for name in _candidates(event):
        module = shape(name)
        if module.matches(event):
            _last[:] = [module]
            return module
    return None
