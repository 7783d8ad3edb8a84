"""Deployed code on disk: each zip unpacked once per content hash, and the runtime's SDK.

Lambda's Python runtimes ship boto3; functions that rely on that import it
without packaging it. The SDK directory holds links to the host's copies of
boto3 and its pure-Python dependencies, and nothing else from the host.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import os
import shutil
import stat
import tempfile
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from skylift.errors import LocalCloudError

# What a Lambda Python runtime provides besides the standard library.
SDK_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")


class CodeCache:
    """Unpacks zips into ``root/<sha256>``; concurrent cold starts share one unpack."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def directory(self, digest: str, data: Callable[[], bytes]) -> Path:
        """The unpacked tree of the zip whose hex sha256 is ``digest``."""
        target = self.root / digest
        if target.is_dir():
            return target
        with self._guard:
            lock = self._locks.setdefault(digest, threading.Lock())
        with lock:
            if not target.is_dir():
                unpack(data(), target)
        return target


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def unpack(data: bytes, target: Path) -> None:
    """Extract a zip with its file modes; written beside ``target`` and renamed into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=target.parent))
    try:
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as exc:
            raise LocalCloudError(
                "The deployed code is not a valid zip archive.",
                hint="Build the package with `skylift package` and deploy it again.",
            ) from exc
        with archive:
            for info in archive.infolist():
                _extract(archive, info, staging)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, root: Path) -> None:
    parts = PurePosixPath(info.filename.replace("\\", "/")).parts
    if not parts or parts[0] == "/" or ".." in parts:
        return  # never write outside the task root, whatever the archive says
    destination = root.joinpath(*parts)
    if info.is_dir():
        destination.mkdir(parents=True, exist_ok=True)
        return
    destination.parent.mkdir(parents=True, exist_ok=True)
    with archive.open(info) as source, open(destination, "wb") as sink:
        shutil.copyfileobj(source, sink, 1 << 20)
    mode = (info.external_attr >> 16) & 0o777
    if mode:
        os.chmod(destination, mode | stat.S_IRUSR)


def prepare_sdk(sdk_dir: Path) -> Path:
    """Links to the host's boto3 and friends (all pure Python, so any 3.x can import them)."""
    sdk_dir.mkdir(parents=True, exist_ok=True)
    for name in SDK_PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            continue
        source = Path(spec.origin)
        if spec.submodule_search_locations:
            source = source.parent
        link = sdk_dir / source.name
        if link.is_symlink() or link.exists():
            if link.is_symlink() and link.resolve() == source.resolve():
                continue
            if link.is_dir() and not link.is_symlink():
                shutil.rmtree(link)
            else:
                link.unlink()
        link.symlink_to(source)
    return sdk_dir
