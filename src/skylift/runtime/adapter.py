"""``adapt(app)`` (module ``adapter``): a Lambda handler serving a WSGI or ASGI app from every HTTP event shape.

The handler never raises. HTTP events are served; a malformed one gets a 400, an app
failure a 500 carrying the request id (the traceback goes to the log, and into the answer
too with ``debug``: see ``error_body``); keep-warm pings
are answered without calling the app; any other event gets an error answer and a log
line. Every HTTP request writes one access-log line (see ``accesslog``).
"""

from __future__ import annotations

import sys
from time import perf_counter

from skylift.runtime.accesslog import HEADS, format_access_line, quote, write_access_line
from skylift.runtime.events import http_source
from skylift.runtime.events._common import matched
from skylift.runtime.http import BodyPolicy, Request, request_from
from skylift.runtime.loader import app_kind
from skylift.runtime.wsgi import WsgiBridge, call_app, environ_from

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping
    from typing import Any

    from skylift.runtime.events import HttpSource

try:
    from _json import encode_basestring_ascii as _quote
except ImportError:  # pragma: no cover - CPython always has _json
    from json.encoder import py_encode_basestring_ascii as _quote

__all__ = ["HttpHandler", "adapt"]

_JSON = [("Content-Type", "application/json")]


def adapt(
    app: Any,
    *,
    lifespan: str = "auto",
    app_type: str | None = None,
    binary_support: bool = True,
    additional_text_mimetypes: Iterable[str] = (),
    base_path: str | None = None,
    context_header_mappings: Mapping[str, str] | None = None,
    exception_handler: Any = None,
    debug: bool = False,
) -> HttpHandler:
    """A ``handler(event, context)`` serving ``app`` (WSGI, or ASGI 3 / ASGI 2, detected).

    ``lifespan`` (ASGI): "auto" runs lifespan startup on the first event and tolerates
    apps without lifespan support, "on" requires it, "off" skips it. ``base_path`` is
    the custom-domain base path the app is mounted under. ``binary_support``,
    ``additional_text_mimetypes``, ``context_header_mappings`` and ``exception_handler``
    are Zappa's settings of the same names. ``debug`` (Zappa's setting; off here, as a
    500 should not show code to clients unless asked) puts the error and its traceback
    in the body of the 500s this handler answers for an app that raised.
    """
    return HttpHandler(
        app,
        lifespan=lifespan,
        app_type=app_type,
        policy=BodyPolicy(binary_support, tuple(additional_text_mimetypes)),
        base_path=(base_path or "").strip("/"),
        context_header_mappings=dict(context_header_mappings or {}),
        exception_handler=exception_handler,
        debug=debug,
    )


class HttpHandler:
    """The callable ``adapt()`` returns; ``lambda_handler`` wraps one for the packaged app."""

    def __init__(
        self,
        app: Any,
        *,
        lifespan: str,
        app_type: str | None,
        policy: BodyPolicy,
        base_path: str,
        context_header_mappings: dict[str, str],
        exception_handler: Any,
        debug: bool = False,
    ) -> None:
        kind, version = app_kind(app, app_type)
        self.app = app
        self.kind = kind
        self.bridge: Any
        if kind == "asgi":
            from skylift.runtime.asgi import AsgiBridge, asgi3

            self.bridge = AsgiBridge(asgi3(app, version), lifespan)
        else:
            if lifespan not in ("auto", "on", "off"):
                raise ValueError(f"lifespan must be 'auto', 'on' or 'off', not {lifespan!r}")
            self.bridge = WsgiBridge(app)
        self.policy = policy
        self.base_path = base_path
        self.context_header_mappings = context_header_mappings
        self.exception_handler = exception_handler
        self.debug = debug
        # A WSGI app without context_header_mappings goes from the event's fields straight
        # to the environ and from the app's answer straight to the event's: no Request.
        self.direct = kind == "wsgi" and not context_header_mappings
        self.source: HttpSource | None = None  # the shape of the last event
        # What answers events that are not HTTP requests (the packaged handler routes them
        # by the settings); None: keep-warm pings and unknown events are answered here.
        self.fallback: Callable[[Any, Any], Any] | None = None

    def __call__(self, event: Any, context: Any) -> Any:
        """Serve an HTTP event; answer anything else (see ``other``).

        Never raises, unless a ``fallback`` does. A WSGI app gets its environ straight
        from the event's fields and its answer goes straight into the event's shape: no
        neutral Request in between, and the whole path is this one method (in CPython a
        call costs about as much as ten dict lookups).
        """
        start = perf_counter()
        if type(event) is not dict:
            return self.other(event, context)
        source = self.source  # one front door nearly always: its shape is tried first
        direct = self.direct
        fields: tuple[Any, ...] | None = None
        try:
            if source is not None:
                fields = source.fields(event, context, self.base_path)
            if fields is None:
                found = http_source(event)
                if found is not None:
                    source = self.source = found
                    fields = matched(found.fields(event, context, self.base_path))
            if direct and fields is not None:
                environ = environ_from(fields)
        except Exception as exc:
            return self._bad_request(source, event, context, exc, start)  # type: ignore[arg-type]
        if fields is None or source is None:  # not HTTP; outside the try: a fallback may raise
            return self.other(event, context)
        if not direct:
            return self.respond_request(source, event, fields, start)
        method = fields[0]
        try:
            status, headers, body = call_app(self.app, environ)
            response = source.answer(method, event, status, headers, body, self.policy)
        except (Exception, SystemExit) as exc:
            status, headers, body = self.failed(request_from(fields), exc)
            response = source.answer(method, event, status, headers, body, self.policy)
        # format_access_line(), inline
        head = HEADS[(method, fields[5], fields[1], status, fields[6], fields[10], source.NAME)]
        sys.stdout.write(
            f"{head}{len(body)},"
            f'"ms":{(perf_counter() - start) * 1000.0:.3f},"rid":{quote(fields[11])}}}\n'
        )
        return response

    def shutdown(self) -> None:
        """ASGI lifespan shutdown (nothing to do for WSGI)."""
        if self.kind == "asgi":
            self.bridge.shutdown()

    # -- HTTP ---------------------------------------------------------------
    def serve(self, source: HttpSource, event: dict[str, Any], context: Any) -> dict[str, Any]:
        """Serve an event ``source.matches()``: the packaged handler's way in."""
        self.source = source
        response: dict[str, Any] = self(event, context)  # a dict: the event is HTTP
        return response

    def respond_request(
        self, source: HttpSource, event: dict[str, Any], fields: tuple[Any, ...], start: float
    ) -> dict[str, Any]:
        """``respond()`` through the neutral Request: ASGI apps, and WSGI with context headers."""
        bridge = self.bridge
        req = request_from(fields)
        try:
            if self.context_header_mappings:
                req.headers = [*req.headers, *self._context_headers(event)]
            prepared = bridge.prepare(req)
        except Exception as exc:
            return self._bad_request(source, event, req.context, exc, start)
        try:
            status, headers, body = bridge.run(prepared, req)
            response = source.from_response(req, status, headers, body, self.policy)
        except (Exception, SystemExit) as exc:
            status, headers, body = self.failed(req, exc)
            response = source.from_response(req, status, headers, body, self.policy)
        sys.stdout.write(
            format_access_line(
                req.method,
                req.script_name + req.path,
                status,
                (perf_counter() - start) * 1000.0,
                req.client,
                req.user_agent,
                req.request_id,
                len(body),
                source.NAME,
            )
        )
        return response

    def failed(self, req: Request, exc: BaseException) -> tuple[int, list[tuple[str, str]], bytes]:
        """A 500 for an app that raised: the traceback goes to the log, the request id (and,
        with ``debug``, the error and its traceback) to the client."""
        log_exception(f"{req.method} {req.script_name}{req.path} failed", exc, req.request_id)
        if self.exception_handler is not None:
            try:
                self.exception_handler(exc, req.event, req.context)
            except Exception as handler_exc:
                log_exception("exception_handler failed", handler_exc, req.request_id)
        return 500, _JSON, error_body(req.request_id, exc if self.debug else None)

    def _bad_request(
        self, source: HttpSource, event: dict[str, Any], context: Any, exc: Exception, start: float
    ) -> dict[str, Any]:
        rid = getattr(context, "aws_request_id", None)
        rid = rid if isinstance(rid, str) else "-"
        sys.stderr.write(f"[skylift] {rid} malformed {source.NAME} event: {exc!r}\n")
        req = Request("GET", "/", "", [], b"", "", "", "https", "", "443", "", rid, event, context)
        message = f"malformed {source.NAME} event: {exc}"
        body = f'{{"message":{_quote(message)},"request_id":{_quote(rid)}}}'.encode()
        response = source.from_response(req, 400, _JSON, body, self.policy)
        ms = (perf_counter() - start) * 1000.0
        write_access_line("-", "-", 400, ms, "", "", rid, len(body), source.NAME)
        return response

    def _context_headers(self, event: dict[str, Any]) -> list[tuple[str, str]]:
        """Zappa's ``context_header_mappings``: header name -> dotted path in requestContext."""
        headers: list[tuple[str, str]] = []
        rc = event.get("requestContext")
        for name, dotted in self.context_header_mappings.items():
            value: Any = rc
            for part in str(dotted).split("."):
                value = value.get(part) if isinstance(value, dict) else None
            if value is not None and not isinstance(value, (dict, list)):
                headers.append((name, str(value)))
        return headers

    # -- everything else ----------------------------------------------------
    def other(self, event: Any, context: Any) -> Any:
        if self.fallback is not None:
            return self.fallback(event, context)
        from skylift.runtime.events.schedule import is_keep_warm

        if type(event) is dict and is_keep_warm(event):
            return keep_warm_answer()
        return unknown_event(event, context)


def keep_warm_answer() -> dict[str, Any]:
    return {"skylift": "keep-warm", "warm": True}


def unknown_event(event: Any, context: Any) -> dict[str, Any]:
    """Log an event nothing handles and answer it with an error naming what was received."""
    rid = getattr(context, "aws_request_id", None) or "-"
    if isinstance(event, dict):
        keys = ", ".join(sorted(map(str, event))[:12]) or "no keys"
        what = f"an event with keys: {keys}"
    else:
        what = f"a {type(event).__name__} event"
    message = (
        f"skylift cannot handle {what}. It serves HTTP events (API Gateway, ALB, Function "
        "URLs, VPC Lattice) and the events configured in the stage's settings."
    )
    sys.stderr.write(f"[skylift] {rid} {message}\n")
    return {"error": "UnrecognizedEvent", "message": message}


def error_body(request_id: str, exc: BaseException | None) -> bytes:
    """The JSON body of a 500: a fixed message and the request id, which finds the log event.

    With an exception (``debug`` on), also ``error`` (its type and message) and
    ``traceback`` (the lines Python prints, chained causes included) for the developer.
    """
    if exc is None:
        return f'{{"message":"Internal Server Error","request_id":{_quote(request_id)}}}'.encode()
    import json
    import traceback

    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    body = {
        "message": "Internal Server Error",
        "request_id": request_id,
        "error": _summary(exc),
        "traceback": text.rstrip().split("\n"),
    }
    return json.dumps(body, separators=(",", ":")).encode()


def _summary(exc: BaseException) -> str:
    try:
        message = str(exc)
    except Exception:  # an exception's __str__ is the app's code: it may fail too
        message = "<str() failed>"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def log_exception(what: str, exc: BaseException, request_id: str) -> None:
    """One log event: CloudWatch splits on \\n, so the traceback's lines are joined with \\r."""
    import traceback

    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip()
    sys.stderr.write(f"[ERROR] {request_id} {what}: {text}".replace("\n", "\r") + "\n")
