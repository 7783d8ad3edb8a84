"""Check every native file going into the package against the target, before any upload.

A wheel's name can lie about nothing that matters here, but a project can ship
a ``.so`` built on the developer's machine, and a mis-resolved wheel can carry
a module for another Python. So each extension module is read as ELF: its
class and machine must be the target's, the newest ``GLIBC_x.y`` symbol
version it needs must not exceed the runtime's glibc, and a CPython ABI tag
in its file name must be the target's Python.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path

from skylift.errors import PackagingError
from skylift.packaging.cache import read_json, write_json
from skylift.packaging.target import Target

_SHARED_OBJECT = re.compile(r"\.so(\.\d+)*$")
_FOREIGN = (".pyd", ".dll", ".dylib")
_ABI_IN_NAME = re.compile(r"\.(cpython-\d+[a-z]*-[^.]+|cp\d+-win[^.]*|pypy[^.]*)\.so$")
_GLIBC = re.compile(rb"^GLIBC_(\d+)\.(\d+)")
_SHT_GNU_VERNEED = 0x6FFFFFFE
_ELF_FORMAT = 1  # bump when ElfFacts changes; cached facts of older shape are recomputed


@dataclass(frozen=True)
class ElfFacts:
    """What the loader needs to run a shared object."""

    elf_class: int  # 1 = 32-bit, 2 = 64-bit
    machine: int
    glibc: tuple[int, int] | None  # newest GLIBC_x.y symbol version required


def is_native(name: str) -> bool:
    """Whether a path in the package is a shared object (or a foreign-platform binary)."""
    return bool(_SHARED_OBJECT.search(name)) or name.endswith(_FOREIGN)


def elf_facts(data: bytes) -> ElfFacts | None:
    """Parse an ELF image; None when the bytes are not ELF."""
    if len(data) < 64 or data[:4] != b"\x7fELF":
        return None
    elf_class, endian = data[4], data[5]
    order = "<" if endian == 1 else ">"
    machine = struct.unpack_from(order + "H", data, 18)[0]
    if elf_class != 2:
        return ElfFacts(elf_class, machine, None)
    shoff = struct.unpack_from(order + "Q", data, 40)[0]
    shentsize, shnum = struct.unpack_from(order + "HH", data, 58)
    sections = [_section(data, order, shoff + i * shentsize) for i in range(shnum)]
    newest: tuple[int, int] | None = None
    for sh_type, offset, _size, link, info in sections:
        if sh_type != _SHT_GNU_VERNEED or link >= len(sections):
            continue
        strtab = sections[link]
        for name in _verneed_names(data, order, offset, info, strtab[1], strtab[2]):
            match = _GLIBC.match(name)
            if match:
                version = (int(match.group(1)), int(match.group(2)))
                newest = version if newest is None or version > newest else newest
    return ElfFacts(elf_class, machine, newest)


def _section(data: bytes, order: str, at: int) -> tuple[int, int, int, int, int]:
    if at + 64 > len(data):
        return (0, 0, 0, 0, 0)
    sh_type = struct.unpack_from(order + "I", data, at + 4)[0]
    offset, size = struct.unpack_from(order + "QQ", data, at + 24)
    link, info = struct.unpack_from(order + "II", data, at + 40)
    return (sh_type, offset, size, link, info)


def _verneed_names(
    data: bytes, order: str, offset: int, count: int, str_off: int, str_size: int
) -> list[bytes]:
    names: list[bytes] = []
    entry = offset
    for _ in range(count):
        if entry + 16 > len(data):
            break
        _, cnt, _, aux, nxt = struct.unpack_from(order + "HHIII", data, entry)
        at = entry + aux
        for _ in range(cnt):
            if at + 16 > len(data):
                break
            _, _, _, name, aux_next = struct.unpack_from(order + "IHHII", data, at)
            if name < str_size:
                start = str_off + name
                names.append(data[start : data.index(b"\0", start)])
            if not aux_next:
                break
            at += aux_next
        if not nxt:
            break
        entry += nxt
    return names


def problem(name: str, facts: ElfFacts | None, target: Target) -> str | None:
    """Why ``name`` cannot load on the target, or None when it can."""
    if name.endswith(_FOREIGN):
        return "a Windows/macOS binary"
    abi = _ABI_IN_NAME.search(name)
    if abi and abi.group(1) != target.extension_suffix_tag:
        return f"built for {abi.group(1)}, the target needs {target.extension_suffix_tag}"
    if facts is None:
        return None  # not ELF: a text file named like a library (linker scripts exist)
    if facts.elf_class != 2:
        return "a 32-bit binary"
    if facts.machine != target.elf_machine:
        return f"built for ELF machine {facts.machine}, the target is {target.architecture}"
    if facts.glibc and facts.glibc > target.glibc:
        need = f"{facts.glibc[0]}.{facts.glibc[1]}"
        have = f"{target.glibc[0]}.{target.glibc[1]}"
        return f"needs glibc {need}, {target.runtime} has glibc {have}"
    return None


def wheel_facts(wheel: Path, sha256: str, cache_root: Path) -> dict[str, ElfFacts | None]:
    """The ELF facts of each native file of a wheel, computed once per wheel hash."""
    cache_file = cache_root / "elf" / f"{sha256}.json"
    cached = read_json(cache_file)
    if isinstance(cached, dict) and cached.get("format") == _ELF_FORMAT:
        return {name: _facts_from_json(value) for name, value in cached["files"].items()}
    facts: dict[str, ElfFacts | None] = {}
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if is_native(info.filename):
                facts[info.filename] = elf_facts(archive.read(info))
    write_json(
        cache_file,
        {"format": _ELF_FORMAT, "files": {k: asdict(v) if v else None for k, v in facts.items()}},
    )
    return facts


def _facts_from_json(value: object) -> ElfFacts | None:
    if not isinstance(value, dict):
        return None
    glibc = value.get("glibc")
    return ElfFacts(
        int(value["elf_class"]),
        int(value["machine"]),
        (int(glibc[0]), int(glibc[1])) if glibc else None,
    )


def raise_problems(problems: list[tuple[str, str, str]], target: Target) -> None:
    """One error listing every native file that cannot run (origin, path, reason)."""
    if not problems:
        return
    lines = [f"  {path} (from {origin}): {reason}" for origin, path, reason in problems[:20]]
    more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
    origins = sorted({origin for origin, _, _ in problems})
    raise PackagingError(
        f"{len(problems)} native file(s) in the package cannot run on {target.describe()}:\n"
        + "\n".join(lines)
        + more,
        hint=f"Rebuild or replace what ships them ({', '.join(origins)}): use manylinux wheels "
        f"for {target.runtime}/{target.architecture}, and exclude binaries built on this machine.",
    )
