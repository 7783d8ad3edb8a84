"""The cache shared by every project on the machine: wheels, built sdists, resolutions.

Wheels are stored by their sha256, so two projects asking for the same file
share one copy and a file is never trusted without its hash matching.
Layout under ``$SKYLIFT_CACHE_DIR`` (default ``~/.cache/skylift``)::

    wheels/<sha256>/<file>.whl      downloaded, hash-checked
    built/<sdist sha256>/<file>.whl  built from a pure-Python sdist
    elf/<sha256>.json               what the extension modules of a wheel need
    resolve/<key>.json              a resolution, keyed by its inputs
    uv/                             uv's own cache
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from skylift.errors import PackagingError

_CHUNK = 1 << 20


def cache_dir() -> Path:
    """``$SKYLIFT_CACHE_DIR``, else ``$XDG_CACHE_HOME/skylift``, else ``~/.cache/skylift``."""
    explicit = os.environ.get("SKYLIFT_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "skylift"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_json(path: Path) -> Any:
    """A cached JSON document, or None when it is missing or unreadable (then it is rebuilt)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_json(path: Path, data: Any) -> None:
    """Write atomically, so a concurrent reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, sort_keys=True)
    os.replace(tmp, path)


def cached_wheel(root: Path, sha256: str, filename: str) -> Path | None:
    path = root / "wheels" / sha256 / filename
    return path if path.is_file() else None


def fetch_wheel(
    root: Path,
    url: str,
    sha256: str | None,
    filename: str,
    on_bytes: Callable[[int], None] | None = None,
) -> Path:
    """The wheel at ``url`` in the cache, downloading it once; its sha256 must match."""
    if sha256:
        hit = cached_wheel(root, sha256, filename)
        if hit:
            return hit
    staging = root / "wheels" / ".partial"
    staging.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=staging, suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _download(url, out, on_bytes)
        if sha256 and digest != sha256:
            raise PackagingError(
                f"{filename} downloaded from {_display_url(url)} has sha256 {digest}, "
                f"but the index announced {sha256}.",
                hint="The download was corrupted or the index changed the file; run again.",
            )
        final = root / "wheels" / digest / filename
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, final)
        return final
    finally:
        tmp.unlink(missing_ok=True)


def _download(url: str, out: Any, on_bytes: Callable[[int], None] | None) -> str:
    digest = hashlib.sha256()
    parsed = urllib.parse.urlparse(url)
    try:
        if parsed.scheme in ("", "file"):
            source = Path(urllib.request.url2pathname(parsed.path) if parsed.scheme else url)
            handle: Any = source.open("rb")
        else:
            request = urllib.request.Request(url, headers={"User-Agent": "skylift"})
            handle = urllib.request.urlopen(request, timeout=60)
        with handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
                if on_bytes:
                    on_bytes(len(chunk))
    except (OSError, urllib.error.URLError) as exc:
        raise PackagingError(
            f"Could not download {_display_url(url)}: {exc}",
            hint="Check the network and the package index, then run again.",
        ) from exc
    return digest.hexdigest()


def built_wheel(root: Path, source_sha256: str) -> Path | None:
    folder = root / "built" / source_sha256
    found = sorted(folder.glob("*.whl")) if folder.is_dir() else []
    return found[0] if found else None


def _display_url(url: str) -> str:
    """The URL without credentials (private indexes put them in the netloc)."""
    parsed = urllib.parse.urlparse(url)
    if parsed.password or parsed.username:
        host = parsed.hostname or ""
        parsed = parsed._replace(netloc=host + (f":{parsed.port}" if parsed.port else ""))
    return urllib.parse.urlunparse(parsed)
