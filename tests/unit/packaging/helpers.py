"""Builders for packaging tests: wheels, ELF images and stages made on the spot."""

from __future__ import annotations

import base64
import hashlib
import struct
import zipfile
from pathlib import Path
from typing import Any

from skylift.config import Stage, StageSettings


def make_stage(project: Path, name: str = "dev", **settings: Any) -> Stage:
    settings.setdefault("runtime", "python3.12")
    source = project / "zappa_settings.json"
    if not source.exists():
        source.write_text("{}", encoding="utf-8")
    return Stage(
        name=name,
        settings=StageSettings.model_validate(settings),
        project_dir=project,
        source=source,
        raw=dict(settings),
    )


def make_wheel(
    folder: Path,
    name: str,
    version: str = "1.0",
    files: dict[str, bytes] | None = None,
    tag: str = "py3-none-any",
    requires: tuple[str, ...] = (),
) -> Path:
    """A valid wheel with a RECORD of sha256s, as installers and skylift read them."""
    folder.mkdir(parents=True, exist_ok=True)
    files = dict(files if files is not None else {f"{name}/__init__.py": b"VALUE = 1\n"})
    info = f"{name}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    files[f"{info}/METADATA"] = meta.encode()
    files[f"{info}/WHEEL"] = f"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: {tag}\n".encode()
    record = []
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    files[f"{info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = folder / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return path


def make_elf(
    machine: int = 62, glibc: tuple[str, ...] = ("GLIBC_2.17",), elf_class: int = 2
) -> bytes:
    """A minimal little-endian ELF64 shared object with a .gnu.version_r section."""
    strtab = b"\0libc.so.6\0" + b"".join(v.encode() + b"\0" for v in glibc)
    offsets = [len(b"\0libc.so.6\0")]
    for v in glibc[:-1]:
        offsets.append(offsets[-1] + len(v) + 1)
    verneed = struct.pack("<HHIII", 1, len(glibc), 1, 16, 0)
    for i, off in enumerate(offsets):
        last = i == len(offsets) - 1
        verneed += struct.pack("<IHHII", 0, 0, 0, off, 0 if last else 16)
    header_size = 64
    strtab_at = header_size
    verneed_at = strtab_at + len(strtab)
    shoff = verneed_at + len(verneed)
    header = bytearray(64)
    header[:4] = b"\x7fELF"
    header[4] = elf_class
    header[5] = 1
    header[6] = 1
    struct.pack_into("<HHI", header, 16, 3, machine, 1)
    struct.pack_into("<Q", header, 40, shoff)
    struct.pack_into("<HHHHHH", header, 52, 64, 0, 0, 64, 3, 0)
    null = bytes(64)
    sh_strtab = struct.pack("<IIQQQQIIQQ", 0, 3, 0, 0, strtab_at, len(strtab), 0, 0, 1, 0)
    sh_verneed = struct.pack(
        "<IIQQQQIIQQ", 0, 0x6FFFFFFE, 0, 0, verneed_at, len(verneed), 1, 1, 4, 0
    )
    return bytes(header) + strtab + verneed + null + sh_strtab + sh_verneed
