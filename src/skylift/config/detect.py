"""Find the app a project serves, by reading its source: nothing is imported or run.

``skylift init`` offers what this finds: module-level app objects of Flask,
Bottle, FastAPI, Starlette, Quart and Pyramid (``app = Flask(__name__)``,
``app = config.make_wsgi_app()``) as ``app_function`` values, and Django
projects (the ``DJANGO_SETTINGS_MODULE`` that manage.py sets) as
``django_settings`` values. A constructor counts only when its name comes
from the framework's own import, so a local class named ``Flask`` does not.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

# (module the constructor is imported from, constructor) -> framework
_CONSTRUCTORS: dict[tuple[str, str], str] = {
    ("flask", "Flask"): "Flask",
    ("bottle", "Bottle"): "Bottle",
    ("bottle", "default_app"): "Bottle",
    ("fastapi", "FastAPI"): "FastAPI",
    ("fastapi.applications", "FastAPI"): "FastAPI",
    ("starlette.applications", "Starlette"): "Starlette",
    ("quart", "Quart"): "Quart",
}
_ASGI = frozenset({"FastAPI", "Starlette", "Quart"})

# Directories that hold other people's code or build output, never the app.
_SKIP_DIRS = frozenset(
    {"node_modules", "__pycache__", "site-packages", "build", "dist", "htmlcov", "venv", "env"}
)
_PREFERRED_FILES = ("app", "main", "application", "wsgi", "asgi", "server", "api", "__init__")
_PREFERRED_NAMES = ("app", "application", "api")
_MAX_FILES = 5000
_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class Detected:
    """One candidate: set ``key`` to ``value`` to serve it."""

    framework: str
    key: Literal["app_function", "django_settings"]
    value: str
    path: Path  # the file it was found in, relative to the project

    @property
    def interface(self) -> str:
        return "ASGI" if self.framework in _ASGI else "WSGI"

    def __str__(self) -> str:
        return f"{self.value} ({self.framework}, {self.path.as_posix()})"


def detect_apps(project_dir: Path | str = ".") -> list[Detected]:
    """Every app object and Django project found, best guess first."""
    root = Path(project_dir).resolve()
    found: list[Detected] = []
    for path in _python_files(root):
        tree = _parse(path)
        if tree is None:
            continue
        relative = path.relative_to(root)
        if path.name == "manage.py":
            found += _django_from_manage(tree, relative)
        found += _app_objects(tree, relative)
    if not any(d.key == "django_settings" for d in found):
        found += _django_settings_modules(root)
    return sorted(set(found), key=_rank)


def module_file_exists(project_dir: Path | str, module: str) -> bool:
    """Whether ``module`` (dotted) is a file of the project: ``a/b.py`` or ``a/b/__init__.py``.
    Nothing is imported, so an installed package is not found here."""
    *parents, last = module.split(".")
    folder = Path(project_dir).joinpath(*parents)
    return (folder / f"{last}.py").is_file() or (folder / last / "__init__.py").is_file()


def detect_django_settings(project_dir: Path | str = ".") -> list[Detected]:
    return [d for d in detect_apps(project_dir) if d.key == "django_settings"]


def _rank(d: Detected) -> tuple[int, int, int, int, str]:
    parts = d.path.parts
    testish = any(p.startswith("test") or p in {"tests", "examples", "docs"} for p in parts)
    stem = d.path.stem
    file_rank = _PREFERRED_FILES.index(stem) if stem in _PREFERRED_FILES else len(_PREFERRED_FILES)
    attr = d.value.rsplit(".", 1)[-1]
    name_rank = _PREFERRED_NAMES.index(attr) if attr in _PREFERRED_NAMES else len(_PREFERRED_NAMES)
    return (int(testish), len(parts), file_rank, name_rank, d.value)


# -- walking the project ---------------------------------------------------------


def _python_files(root: Path) -> Iterator[Path]:
    count = 0
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not _skipped_dir(here / d))
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            count += 1
            if count > _MAX_FILES:
                return
            yield here / name


def _skipped_dir(path: Path) -> bool:
    name = path.name
    return name.startswith(".") or name in _SKIP_DIRS or (path / "pyvenv.cfg").exists()


def _parse(path: Path) -> ast.Module | None:
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        return ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError):
        return None  # not Python 3, not UTF-8, or not readable: not the app


def _module_path(relative: Path) -> str:
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _module_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements that run at import: into if/try/with blocks, not into functions."""
    for node in body:
        yield node
        if isinstance(node, (ast.If, ast.With, ast.AsyncWith)):
            yield from _module_statements(node.body)
            if isinstance(node, ast.If):
                yield from _module_statements(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _module_statements(block)
            for handler in node.handlers:
                yield from _module_statements(handler.body)


# -- app objects -------------------------------------------------------------------


def _app_objects(tree: ast.Module, relative: Path) -> list[Detected]:
    names, modules = _imports(tree)
    module = _module_path(relative)
    if not module:
        return []
    uses_pyramid = any(m == "pyramid" or m.startswith("pyramid.") for m in modules.values()) or any(
        m == "pyramid" or m.startswith("pyramid.") for m, _ in names.values()
    )
    found = []
    for node in _module_statements(tree.body):
        targets, value = _assignment(node)
        if not targets or not isinstance(value, ast.Call):
            continue
        framework = _framework_of(value.func, names, modules)
        if framework is None and uses_pyramid and _is_make_wsgi_app(value.func):
            framework = "Pyramid"
        if framework is None:
            continue
        for target in targets:
            found.append(Detected(framework, "app_function", f"{module}.{target}", relative))
    return found


def _imports(tree: ast.Module) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Names bound by imports: ``from m import C as X`` -> names[X] = (m, C);
    ``import a.b as y`` -> modules[y] = 'a.b' (``import a.b`` binds 'a')."""
    names: dict[str, tuple[str, str]] = {}
    modules: dict[str, str] = {}
    for node in _module_statements(tree.body):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = (node.module, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    modules[top] = top
    return names, modules


def _assignment(node: ast.stmt) -> tuple[list[str], ast.expr | None]:
    if isinstance(node, ast.Assign):
        targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        return targets, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
        return [node.target.id], node.value
    return [], None


def _framework_of(
    func: ast.expr, names: dict[str, tuple[str, str]], modules: dict[str, str]
) -> str | None:
    if isinstance(func, ast.Name) and func.id in names:
        return _CONSTRUCTORS.get(names[func.id])
    dotted = _dotted(func)
    if dotted is None or "." not in dotted:
        return None
    head, _, rest = dotted.partition(".")
    base = modules.get(head) or (".".join(names[head]) if head in names else None)
    if base is None:
        return None
    module, _, attr = f"{base}.{rest}".rpartition(".")
    return _CONSTRUCTORS.get((module, attr))


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _is_make_wsgi_app(func: ast.expr) -> bool:
    return isinstance(func, ast.Attribute) and func.attr == "make_wsgi_app"


# -- Django ------------------------------------------------------------------------


def _django_from_manage(tree: ast.Module, relative: Path) -> list[Detected]:
    """``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")`` in manage.py,
    as written: Django runs from manage.py's directory."""
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and len(node.args) >= 2):
            continue
        if not (isinstance(node.func, ast.Attribute) and node.func.attr == "setdefault"):
            continue
        key, value = node.args[0], node.args[1]
        if (
            isinstance(key, ast.Constant)
            and key.value == "DJANGO_SETTINGS_MODULE"
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            found.append(Detected("Django", "django_settings", value.value, relative))
    return found


def _django_settings_modules(root: Path) -> list[Detected]:
    """Without manage.py: settings modules that set ROOT_URLCONF or INSTALLED_APPS."""
    found = []
    for path in _python_files(root):
        if not (path.name == "settings.py" or path.parent.name == "settings"):
            continue
        tree = _parse(path)
        if tree is None:
            continue
        assigned = {t for node in tree.body for t in _assignment(node)[0]}
        if assigned & {"ROOT_URLCONF", "INSTALLED_APPS"}:
            relative = path.relative_to(root)
            found.append(Detected("Django", "django_settings", _module_path(relative), relative))
    return found
