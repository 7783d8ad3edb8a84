"""The packaged entry point: ``skylift.runtime.handler.lambda_handler`` (the function's Handler).

Once per execution environment it reads ``skylift_settings.json`` (written by packaging
at the zip root), fetches the slim handler's dependencies and ``remote_env`` when the
stage uses them, and imports the app (``app_function`` or ``django_settings``). HTTP
events go to the app through :func:`skylift.runtime.adapt`; every other event is routed
by the settings (``dispatch``). Inside Lambda all of this happens during init (faster
there, and what SnapStart and provisioned concurrency keep); elsewhere on the first event.

Importing this module imports nothing else: ``python -X importtime -c "import
skylift.runtime.handler"`` stays in the low milliseconds even without .pyc files.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from typing import Any

    from skylift.runtime.adapter import HttpHandler

__all__ = ["Runtime", "lambda_handler", "start"]


class _FailedApp:
    """Stands in for an app that could not be loaded: every request is a 500 saying why.

    The failure is raised again as the cause of a fresh exception per request, so the
    log (and, with ``debug``, the answer) shows where it happened at load time.
    """

    def __init__(self, reason: str, cause: Exception) -> None:
        self.reason = reason
        self.cause = cause

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        raise RuntimeError(self.reason) from self.cause


class Runtime:
    """The settings and the app of one execution environment."""

    def __init__(self, settings: dict[str, Any]) -> None:
        from skylift.runtime.adapter import log_exception, unknown_event
        from skylift.runtime.events import http_source

        self.settings = settings
        self.http: HttpHandler | None = None
        self.custom: Any = None  # Zappa's lambda_handler setting: the user's own handler
        self.setup_error: Exception | None = None
        self._http_source = http_source
        self._unknown_event = unknown_event
        self._log_exception = log_exception

    @property
    def debug(self) -> bool:
        """Zappa's ``debug`` (default true): tracebacks in the 500s skylift answers."""
        return self.settings.get("debug", True) is not False

    # -- setup ----------------------------------------------------------------
    def prepare_environment(self) -> None:
        """Environment variables Zappa apps look at, slim dependencies, remote_env, log level."""
        settings = self.settings
        os.environ.setdefault("SERVERTYPE", "AWS Lambda")
        os.environ.setdefault("FRAMEWORK", "skylift")
        for var, key in (("PROJECT", "project_name"), ("STAGE", "stage")):
            if isinstance(settings.get(key), str):
                os.environ.setdefault(var, settings[key])
        slim = os.environ.get("SKYLIFT_SLIM_ARCHIVE")
        if slim:
            from skylift.runtime import remote

            remote.load_slim_archive(slim)
            task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
            remote.load_include_libraries(settings.get("include"), task_root)
        remote_env = settings.get("remote_env")
        if not remote_env and settings.get("remote_env_bucket") and settings.get("remote_env_file"):
            remote_env = f"s3://{settings['remote_env_bucket']}/{settings['remote_env_file']}"
        if remote_env:
            from skylift.runtime import remote

            remote.load_remote_env(str(remote_env))
        level = settings.get("log_level")
        if isinstance(level, str) and level:
            import logging

            logging.getLogger().setLevel(level.upper())
        if settings.get("lambda_handler"):
            from skylift.runtime.loader import import_function

            self.custom = import_function(settings["lambda_handler"])

    def load_app(self, quiet: bool = False) -> HttpHandler:
        """The HTTP handler, importing the app on first use (and again after a failure).

        ``quiet``: a request is waiting, and its own [ERROR] line (tagged with its request
        id) will carry the failure as its cause; logging it here too would write the same
        traceback twice per request, tagged "init" although it is no init.
        """
        if self.http is not None:
            return self.http
        from skylift.runtime.adapter import adapt
        from skylift.runtime.loader import import_function, load_app

        settings = self.settings
        try:
            app = load_app(settings)
            if app is None:
                raise RuntimeError(
                    "the stage names no app: set app_function (module.app) or django_settings"
                )
            exception_handler = settings.get("exception_handler")
            handler = adapt(
                app,
                app_type=settings.get("app_type"),
                binary_support=settings.get("binary_support", True) is not False,
                additional_text_mimetypes=settings.get("additional_text_mimetypes") or (),
                base_path=settings.get("base_path") or None,
                context_header_mappings=settings.get("context_header_mappings") or None,
                exception_handler=import_function(exception_handler) if exception_handler else None,
                debug=self.debug,
            )
        except Exception as exc:
            if not quiet:
                self._log_exception("the app could not be loaded", exc, "init")
            return adapt(
                _FailedApp(f"the app could not be loaded: {type(exc).__name__}: {exc}", exc),
                debug=self.debug,
            )
        if handler.kind == "asgi":
            _install_shutdown(handler)
        handler.fallback = self._route  # what is not HTTP goes where settings say
        self.http = handler
        return handler

    # -- events ---------------------------------------------------------------
    def __call__(self, event: Any, context: Any) -> Any:
        if self.setup_error is not None:
            return self._setup_failed(self.setup_error, event, context)
        if self.custom is not None:
            return self.custom(event, context)
        http = self.http
        if http is not None:  # the app is loaded: it serves HTTP, the rest goes to _route
            return http(event, context)
        if type(event) is dict:
            source = self._http_source(event)
            if source is not None:
                return self.load_app(quiet=True).serve(source, event, context)
        return self._route(event, context)

    def _route(self, event: Any, context: Any) -> Any:
        """A non-HTTP event: scheduled, records, invoke, authorizer, Cognito... or unknown."""
        if type(event) is not dict:
            return self._unknown_event(event, context)
        from skylift.runtime.dispatch import route

        return route(self.settings, event, context, self.load_app)

    def _setup_failed(self, error: Exception, event: Any, context: Any) -> Any:
        from skylift.runtime.adapter import adapt

        reason = f"the execution environment could not be set up: {type(error).__name__}: {error}"
        source = self._http_source(event) if type(event) is dict else None
        if source is not None:
            failed = adapt(_FailedApp(reason, error), debug=self.debug)
            return failed.serve(source, event, context)
        from skylift.runtime.errors import EventError

        raise EventError(reason)


def _install_shutdown(handler: HttpHandler) -> None:
    """Run ASGI lifespan shutdown when the environment ends (exit, or SIGTERM inside Lambda)."""
    import atexit

    atexit.register(handler.shutdown)
    if not os.environ.get("AWS_LAMBDA_RUNTIME_API"):
        return
    import signal

    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return  # someone else owns SIGTERM

    def on_sigterm(signum: int, frame: Any) -> None:
        handler.shutdown()
        sys.exit(0)

    signal.signal(signal.SIGTERM, on_sigterm)


_runtime: list[Runtime] = []


def start() -> Runtime:
    """Set up this execution environment: settings, environment. The app loads on first need.

    A failed setup is not kept: the next invocation tries again.
    """
    from skylift.runtime.config import load_runtime_settings

    failure: Exception | None = None
    try:
        settings = load_runtime_settings()
    except ValueError as exc:
        settings, failure = {}, exc
    runtime = Runtime(settings)
    if failure is None:
        try:
            runtime.prepare_environment()
        except Exception as exc:
            failure = exc
    if failure is not None:
        runtime._log_exception("skylift could not set up the environment", failure, "init")
        runtime.setup_error = failure
        return runtime
    _runtime[:] = [runtime]
    return runtime


def lambda_handler(event: Any, context: Any) -> Any:
    runtime = _runtime[0] if _runtime else start()
    return runtime(event, context)


def _init_inside_lambda() -> None:
    runtime = start()
    if runtime.setup_error is None:
        runtime.load_app()


if os.environ.get("AWS_LAMBDA_RUNTIME_API") and not os.environ.get("SKYLIFT_LAZY_INIT"):
    _init_inside_lambda()
