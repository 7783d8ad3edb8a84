"""The ASGI bridge: one event loop per execution environment, lifespan once, HTTP scopes per spec.

``asyncio`` costs ~30 ms to import, so this module is imported only for ASGI apps.
The loop is created on the first request and kept: apps that cache connections or
clients bound to the loop keep working from one invocation to the next. Lifespan
startup runs before the first request; its ``state`` is shallow-copied into every
request's scope. Tasks the app spawns during a request are awaited before the
response is returned (a frozen environment would never finish them).
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from skylift.runtime.http import Request

__all__ = ["AsgiBridge", "LifespanError", "asgi3"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi3App = Callable[[Scope, Receive, Send], Awaitable[None]]

_ASGI = {"version": "3.0", "spec_version": "2.3"}
_LIFESPAN_ASGI = {"version": "3.0", "spec_version": "2.0"}
_STRAY_TASK_WAIT = 10.0  # seconds to wait for tasks spawned by a request, without a context


class LifespanError(Exception):
    """The app's lifespan startup failed: it cannot serve requests."""


def asgi3(app: Any, version: int) -> Asgi3App:
    """The app as an ASGI 3 callable (ASGI 2 apps are classes instantiated per scope)."""
    if version == 3:
        return app  # type: ignore[no-any-return]

    async def asgi2_app(scope: Scope, receive: Receive, send: Send) -> None:
        await app(scope)(receive, send)

    return asgi2_app


class _Exchange:
    """receive() and send() of one HTTP request; collects the response."""

    __slots__ = ("body", "chunks", "complete", "disconnect", "headers", "loop", "sent", "status")

    def __init__(self, body: bytes, loop: asyncio.AbstractEventLoop) -> None:
        self.body = body
        self.loop = loop
        self.sent = False
        self.status: int | None = None
        self.headers: Any = ()
        self.chunks: list[bytes] = []
        self.complete = False
        self.disconnect: asyncio.Future[None] | None = None

    async def receive(self) -> Message:
        if not self.sent:
            self.sent = True
            return {"type": "http.request", "body": self.body, "more_body": False}
        if not self.complete:  # the client "disconnects" once the response is complete
            if self.disconnect is None:
                self.disconnect = self.loop.create_future()
            await self.disconnect
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.body":
            if self.status is None:
                raise RuntimeError("http.response.body sent before http.response.start")
            if self.complete:
                raise RuntimeError("http.response.body sent after the response was complete")
            chunk = message.get("body")
            if chunk:
                self.chunks.append(bytes(chunk))
            if not message.get("more_body", False):
                self.complete = True
                if self.disconnect is not None and not self.disconnect.done():
                    self.disconnect.set_result(None)
        elif kind == "http.response.start":
            if self.status is not None:
                raise RuntimeError("http.response.start sent twice")
            status = message["status"]
            if type(status) is not int:
                raise RuntimeError(f"the ASGI app gave an invalid status {status!r}")
            self.status = status
            self.headers = message.get("headers") or ()
        else:
            raise RuntimeError(f"unexpected ASGI message type {kind!r} for an HTTP request")


# Header name -> lowercase bytes for the scope; b"" drops the header (the body is whole).
_NAMES: dict[str, bytes] = {}
_NAMES_MAX = 1024


def _header_name(name: str) -> bytes:
    lower = name.lower()
    encoded = b"" if lower == "transfer-encoding" else lower.encode("latin-1", "replace")
    if len(_NAMES) < _NAMES_MAX:
        _NAMES[name] = encoded
    return encoded


def _unicode(text: str) -> str:
    """ASGI paths are str: bytes that were not UTF-8 become U+FFFD."""
    if text.isascii():
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _raw_path(path: str) -> bytes:
    raw = path.encode("utf-8", "surrogateescape")
    if (
        raw.isascii()
        and "%" not in path
        and "?" not in path
        and "#" not in path
        and " " not in path
    ):
        return raw
    from urllib.parse import quote_from_bytes

    return quote_from_bytes(raw, safe="/:@!$&'()*+,;=-._~").encode("ascii")


class AsgiBridge:
    """Runs an ASGI app on neutral requests, on one event loop kept across invocations."""

    def __init__(self, app: Asgi3App, lifespan: str = "auto") -> None:
        if lifespan not in ("auto", "on", "off"):
            raise ValueError(f"lifespan must be 'auto', 'on' or 'off', not {lifespan!r}")
        self.app = app
        self.lifespan = lifespan
        self.loop: asyncio.AbstractEventLoop | None = None
        self.state: dict[str, Any] | None = None  # lifespan state, None without lifespan
        self.started = False
        self._spawned: list[asyncio.Task[Any]] | None = None
        self._lifespan_task: asyncio.Task[None] | None = None
        self._lifespan_inbox: asyncio.Queue[Message] | None = None
        self._startup: asyncio.Future[None] | None = None
        self._shutdown: asyncio.Future[None] | None = None

    # -- the loop ---------------------------------------------------------
    def _task_factory(
        self, loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any
    ) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.Task(coro, loop=loop, **kwargs)
        spawned = self._spawned
        if spawned is not None:
            spawned.append(task)
        return task

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        loop = self.loop
        if loop is None:
            loop = self.loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            loop.set_task_factory(self._task_factory)
        return loop

    # -- lifespan ---------------------------------------------------------
    def start(self) -> None:
        """Run lifespan startup (once per environment; again after a failure)."""
        loop = self._get_loop()
        if self.lifespan == "off":
            self.started = True
            return
        loop.run_until_complete(self._run_startup())
        self.started = True

    async def _run_startup(self) -> None:
        loop = asyncio.get_running_loop()
        self.state = {}
        self._lifespan_inbox = asyncio.Queue()
        self._startup = loop.create_future()
        self._shutdown = loop.create_future()
        self._lifespan_task = loop.create_task(self._lifespan_main())
        await self._lifespan_inbox.put({"type": "lifespan.startup"})
        try:
            await self._startup
        except LifespanError:
            self.state = None
            raise

    async def _lifespan_main(self) -> None:
        startup, shutdown = self._startup, self._shutdown
        assert startup is not None
        assert shutdown is not None
        scope = {"type": "lifespan", "asgi": _LIFESPAN_ASGI, "state": self.state}
        try:
            await self.app(scope, self._lifespan_receive, self._lifespan_send)
        except BaseException as exc:
            if not startup.done():
                if self.lifespan == "on":
                    startup.set_exception(LifespanError(f"lifespan startup raised {exc!r}"))
                else:  # auto: an app that rejects the lifespan scope has no lifespan
                    self.state = None
                    startup.set_result(None)
            elif not shutdown.done():
                shutdown.set_exception(LifespanError(f"lifespan shutdown raised {exc!r}"))
            if not isinstance(exc, Exception):
                raise
        finally:
            if not startup.done():
                if self.lifespan == "on":
                    startup.set_exception(LifespanError("the app returned during lifespan startup"))
                else:
                    self.state = None
                    startup.set_result(None)
            if not shutdown.done():
                shutdown.set_result(None)

    async def _lifespan_receive(self) -> Message:
        assert self._lifespan_inbox is not None
        return await self._lifespan_inbox.get()

    async def _lifespan_send(self, message: Message) -> None:
        startup, shutdown = self._startup, self._shutdown
        assert startup is not None
        assert shutdown is not None
        kind = message.get("type")
        detail = message.get("message") or "no message"
        if kind == "lifespan.startup.complete" and not startup.done():
            startup.set_result(None)
        elif kind == "lifespan.startup.failed" and not startup.done():
            startup.set_exception(LifespanError(f"lifespan startup failed: {detail}"))
        elif kind == "lifespan.shutdown.complete" and not shutdown.done():
            shutdown.set_result(None)
        elif kind == "lifespan.shutdown.failed" and not shutdown.done():
            shutdown.set_exception(LifespanError(f"lifespan shutdown failed: {detail}"))

    def shutdown(self, timeout: float = 5.0) -> None:
        """Run lifespan shutdown, if startup ran; then close the loop."""
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        task = self._lifespan_task
        if task is not None and not task.done():
            inbox, shutdown = self._lifespan_inbox, self._shutdown
            assert inbox is not None
            assert shutdown is not None
            inbox.put_nowait({"type": "lifespan.shutdown"})
            try:
                loop.run_until_complete(asyncio.wait_for(shutdown, timeout))
            except (LifespanError, asyncio.TimeoutError) as exc:
                sys.stderr.write(f"[skylift] ASGI lifespan shutdown: {exc or 'timed out'}\n")
            if not task.done():
                task.cancel()
                loop.run_until_complete(asyncio.gather(task, return_exceptions=True))
        self.started = False
        loop.close()
        self.loop = None

    # -- requests ---------------------------------------------------------
    def prepare(self, req: Request) -> dict[str, Any]:
        """The HTTP scope for a request (raises on a malformed event, before the app runs)."""
        names = _NAMES
        headers = []
        for name, value in req.headers:
            encoded = names.get(name)
            if encoded is None:
                encoded = _header_name(name)
            if not encoded:
                continue
            if type(value) is str:
                headers.append((encoded, value.encode("utf-8", "surrogateescape")))
            elif type(value) is list:  # a multi-value shape: one entry per value (often one)
                for v in value:  # anything but a str has no encode(): a bad request
                    headers.append((encoded, v.encode("utf-8", "surrogateescape")))
            else:
                raise TypeError(f"header value {value!r} is not a string")
        root = req.script_name
        path = _unicode(root + req.path if root else req.path)
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": _ASGI,
            "http_version": "1.1",
            "method": req.method,
            "scheme": req.scheme,
            "path": path,
            "raw_path": _raw_path(root + req.path if root else req.path),
            "root_path": root,
            "query_string": req.query.encode("utf-8", "surrogateescape"),
            "headers": headers,
            "client": (req.client, 0) if req.client else None,
            "server": (req.host or "localhost", int(req.port or 443)),
            "extensions": {},
            "lambda.event": req.event,
            "lambda.context": req.context,
        }
        if self.state is not None:
            scope["state"] = self.state.copy()
        return scope

    def run(self, scope: dict[str, Any], req: Request) -> tuple[int, list[tuple[str, str]], bytes]:
        if not self.started:
            self.start()
            if self.state is not None:
                scope["state"] = self.state.copy()
        loop = self.loop
        assert loop is not None
        exchange = _Exchange(req.body, loop)
        spawned: list[asyncio.Task[Any]] = []
        self._spawned = spawned
        try:
            loop.run_until_complete(self.app(scope, exchange.receive, exchange.send))
        except Exception as exc:
            if not exchange.complete:
                raise
            # The response was complete: the failure is the app's own after-work. Log it.
            _log_late_failure(exc, req)
        finally:
            self._spawned = None
        if len(spawned) > 1:
            self._finish_spawned(loop, spawned, req)
        if exchange.status is None:
            raise RuntimeError("the ASGI app returned without sending http.response.start")
        headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in exchange.headers]
        return exchange.status, headers, b"".join(exchange.chunks)

    def _finish_spawned(
        self, loop: asyncio.AbstractEventLoop, spawned: list[asyncio.Task[Any]], req: Request
    ) -> None:
        """Wait for tasks the request spawned, within the invocation's remaining time."""
        pending = [t for t in spawned if not t.done()]
        if pending:
            remaining = getattr(req.context, "get_remaining_time_in_millis", None)
            timeout = max(remaining() / 1000.0 - 1.0, 0.0) if remaining else _STRAY_TASK_WAIT
            loop.run_until_complete(asyncio.wait(pending, timeout=timeout))
            late = [t for t in pending if not t.done()]
            if late:
                sys.stderr.write(
                    f"[skylift] {len(late)} task(s) spawned by the request still running; "
                    "they resume on the next invocation\n"
                )
        for task in spawned[1:]:  # spawned[0] is the request's own task
            if task.done() and not task.cancelled() and task.exception() is not None:
                _log_late_failure(task.exception(), req)  # type: ignore[arg-type]


def _log_late_failure(exc: BaseException, req: Request) -> None:
    # Tagged like every failure the adapter logs ([ERROR], request id, route), so the
    # request id of the access line, or a filter on ERROR, finds it.
    from skylift.runtime.adapter import log_exception

    path = req.script_name + req.path
    log_exception(f"{req.method} {path} failed after its response", exc, req.request_id)
