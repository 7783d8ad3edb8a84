"""Importing the app and the functions the settings name, and calling them Zappa's way."""

from __future__ import annotations

import importlib
import os
import sys

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from typing import Any

__all__ = ["app_kind", "call_with_event", "import_function", "load_app"]

_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE, without importing inspect (~10 ms)


def import_function(path: str) -> Any:
    """The object at a dotted ``module.attribute`` path (FunctionNotFound when there is none).

    Errors raised while the module itself runs are not hidden: they propagate as they are.
    """
    from skylift.runtime.errors import FunctionNotFound

    if not isinstance(path, str) or "." not in path.strip("."):
        raise FunctionNotFound(f"{path!r} is not a dotted path of the form module.attribute")
    module_name, _, attribute = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is None or not module_name.startswith(exc.name):
            raise  # the module exists but imports something missing: a real bug, keep it
        raise FunctionNotFound(f"cannot import {path}: no module named {exc.name!r}") from None
    except (ValueError, TypeError) as exc:  # empty or relative names
        raise FunctionNotFound(f"cannot import {path}: {exc}") from None
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise FunctionNotFound(f"module {module_name!r} has no attribute {attribute!r}") from None


def call_with_event(func: Any, event: Any, context: Any) -> Any:
    """Call ``func`` with (event, context), (event) or () -- whatever its signature takes."""
    import inspect  # only non-HTTP invocations get here

    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return func(event, context)
    positional = 0
    for parameter in parameters:
        if parameter.kind is parameter.VAR_POSITIONAL:
            positional = 2
            break
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            positional += 1
    return func(*(event, context)[: min(positional, 2)])


def _is_coroutine_function(func: Any) -> bool:
    func = getattr(func, "__func__", func)
    code = getattr(func, "__code__", None)
    if code is not None and code.co_flags & _CO_COROUTINE:
        return True
    return getattr(func, "_is_coroutine_marker", None) is not None  # inspect.markcoroutinefunction


def _class_call(cls: type) -> Any:
    """The ``__call__`` a class defines or inherits (its instances' call), None for object's."""
    for klass in cls.__mro__[:-1]:
        if "__call__" in vars(klass):
            return vars(klass)["__call__"]
    return None


def app_kind(app: Any, app_type: str | None = None) -> tuple[str, int]:
    """("wsgi", 0), ("asgi", 3) or ("asgi", 2) for an app object.

    ASGI 3 apps are async callables (functions, or objects with an async ``__call__``);
    ASGI 2 apps are classes whose instances have an async ``__call__``. Everything else
    is WSGI. ``app_type`` (the setting) overrides the guess.
    """
    if isinstance(app, type):
        is_async = _is_coroutine_function(_class_call(app))
        version = 2
    else:
        is_async = _is_coroutine_function(app) or _is_coroutine_function(_class_call(type(app)))
        version = 3
    if app_type == "wsgi" or (app_type is None and not is_async):
        return "wsgi", 0
    return "asgi", version


def load_app(settings: dict[str, Any]) -> Any:
    """The app the settings name (``app_function``, or Django's through ``django_settings``)."""
    task_root = os.environ.get("LAMBDA_TASK_ROOT")
    if task_root and task_root not in sys.path:
        sys.path.insert(0, task_root)
    django_settings = settings.get("django_settings")
    if django_settings:
        os.environ["DJANGO_SETTINGS_MODULE"] = str(django_settings)
    app_function = settings.get("app_function")
    if app_function:
        return import_function(app_function)
    if django_settings:
        if settings.get("app_type") == "asgi":
            from django.core.asgi import get_asgi_application  # type: ignore[import-untyped]

            return get_asgi_application()
        from django.core.wsgi import get_wsgi_application  # type: ignore[import-untyped]

        return get_wsgi_application()
    return None
