"""What goes into each archive: planned entries from wheels, the project, skylift's runtime.

Planning comes before writing: every entry's size and sha256 must be known
to write the manifest, whose name sorts ahead of nearly everything else.
Wheel members take their sha256 from the wheel's RECORD, so they are never
decompressed (except to read native files for verification, once per wheel).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import skylift
from skylift.errors import PackagingError
from skylift.packaging.files import ProjectFile, Rules
from skylift.packaging.wheels import Wheel
from skylift.packaging.zipwriter import DeterministicZip, RawMember, read_raw


@dataclass(frozen=True)
class Planned:
    """One file of an archive and where its bytes come from (exactly one source)."""

    name: str
    size: int
    sha256: str
    origin: str  # "project", "skylift", "generated", or a distribution name
    mode: int = 0o644
    path: Path | None = None
    data: bytes | None = None
    raw: RawMember | None = None
    member: str | None = None  # the wheel member it comes from


@dataclass
class WheelPlan:
    wheel: Wheel
    entries: list[Planned]
    excluded: list[tuple[str, str]]

    @property
    def unzipped(self) -> int:
        return sum(e.size for e in self.entries)


def plan_wheel(wheel: Wheel, rules: Rules, prefix: str = "") -> WheelPlan:
    """The members of a wheel as they land in site-packages (``.data/purelib`` folded in)."""
    entries: list[Planned] = []
    excluded: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    with zipfile.ZipFile(wheel.path) as archive:
        infos = [i for i in archive.infolist() if not i.is_dir()]
        record = _record_hashes(archive, infos)
        for info in infos:
            target = _install_path(info.filename)
            if target is None:
                continue
            _refuse_unsafe(target, wheel)
            match = rules.user_match(target)
            if match is not None:
                if match not in seen:  # a folder is listed once, not file by file
                    seen.add(match)
                    excluded.append(match)
                continue
            sha = record.get(info.filename) or hashlib.sha256(archive.read(info)).hexdigest()
            raw = RawMember(
                wheel.path,
                info.header_offset,
                info.compress_type,
                info.CRC,
                info.compress_size,
                info.file_size,
            )
            mode = 0o755 if (info.external_attr >> 16) & 0o111 else 0o644
            entries.append(
                Planned(
                    prefix + target,
                    info.file_size,
                    sha,
                    wheel.name,
                    mode,
                    raw=raw,
                    member=info.filename,
                )
            )
    return WheelPlan(wheel, entries, excluded)


def _refuse_unsafe(name: str, wheel: Wheel) -> None:
    """A member must stay inside the package once unzipped (no absolute path, no ``..``)."""
    if name.startswith("/") or "\\" in name or ".." in name.split("/"):
        raise PackagingError(
            f"{wheel.path.name} holds {name!r}, which would unpack outside the package.",
            hint=f"Do not install {wheel.name} from this file; report it to its maintainers.",
        )


def _install_path(member: str) -> str | None:
    """Where a wheel member is installed, relative to site-packages; None to skip it."""
    top, _, rest = member.partition("/")
    if top.endswith(".data"):
        scheme, _, inner = rest.partition("/")
        return inner if scheme in ("purelib", "platlib") and inner else None
    parts = member.split("/")
    if "__pycache__" in parts or member.endswith((".pyc", ".pyo")):
        return None
    return member


def _record_hashes(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, str]:
    record = next((i for i in infos if i.filename.endswith(".dist-info/RECORD")), None)
    if record is None:
        return {}
    hashes: dict[str, str] = {}
    text = archive.read(record).decode("utf-8", errors="replace")
    for row in csv.reader(io.StringIO(text)):
        if len(row) >= 2 and row[1].startswith("sha256="):
            digest = row[1].removeprefix("sha256=")
            try:
                raw = base64.urlsafe_b64decode(digest + "=" * (-len(digest) % 4))
            except ValueError:
                continue
            hashes[row[0]] = raw.hex()
    return hashes


def plan_project(files: list[ProjectFile]) -> list[Planned]:
    out: list[Planned] = []
    for f in files:
        try:
            data = f.path.read_bytes()
        except OSError as exc:
            raise PackagingError(
                f"Cannot read {f.rel}: {exc.strerror}.",
                hint="Fix its permissions, or exclude it with `exclude`/`exclude_glob`.",
            ) from exc
        sha = hashlib.sha256(data).hexdigest()
        out.append(
            Planned(f.rel, len(data), sha, "project", 0o755 if f.executable else 0o644, path=f.path)
        )
    return out


def runtime_files() -> list[tuple[str, Path]]:
    """skylift's ``__init__.py`` and everything under ``runtime/`` (no bytecode), sorted."""
    root = Path(skylift.__file__).resolve().parent
    found = [("skylift/__init__.py", root / "__init__.py")]
    for path in sorted((root / "runtime").rglob("*")):
        rel = path.relative_to(root).as_posix()
        if (
            path.is_file()
            and "__pycache__" not in rel.split("/")
            and not rel.endswith((".pyc", ".pyo"))
        ):
            found.append((f"skylift/{rel}", path))
    return found


def plan_runtime() -> list[Planned]:
    out: list[Planned] = []
    for name, path in runtime_files():
        data = path.read_bytes()
        out.append(Planned(name, len(data), hashlib.sha256(data).hexdigest(), "skylift", data=data))
    return out


def generated(name: str, data: bytes) -> Planned:
    return Planned(name, len(data), hashlib.sha256(data).hexdigest(), "generated", data=data)


def write_archive(
    path: Path, entries: list[Planned], level: int, on_entry: Callable[[float], None] | None = None
) -> tuple[str, int]:
    """Write the entries sorted by name; (sha256, uncompressed size)."""
    ordered = sorted(entries, key=lambda e: e.name)
    out = DeterministicZip(path, level)
    handles: dict[Path, io.BufferedReader] = {}
    try:
        for entry in ordered:
            if entry.raw is not None:
                handle = handles.get(entry.raw.archive)
                if handle is None:
                    handle = handles[entry.raw.archive] = entry.raw.archive.open("rb")
                out.add_raw(entry.name, entry.raw, read_raw(handle, entry.raw), entry.mode)
            elif entry.data is not None:
                out.add_bytes(entry.name, entry.data, entry.mode)
            elif entry.path is not None:
                out.add_bytes(entry.name, entry.path.read_bytes(), entry.mode)
            if on_entry:
                on_entry(1)
        digest = out.close()
    except BaseException:
        out.abort()
        raise
    finally:
        for handle in handles.values():
            handle.close()
    return digest, out.uncompressed_total
