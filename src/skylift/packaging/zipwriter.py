"""A deterministic zip writer that can copy entries out of wheels without recompressing.

Wheels are zips whose members are already deflated; copying a member's
compressed bytes with its known CRC and sizes, under a header written here
with the fixed timestamp, is byte-for-byte what deflating it again would give
at best, and costs only I/O. Everything about the output depends on the
entries alone: names in the order given (callers sort), timestamp
1980-01-01 00:00, permissions 0644 or 0755, no extra fields, no comment.
The sha256 of the bytes is computed while they are written.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from skylift.errors import PackagingError

STORED = 0
DEFLATED = 8
_DOS_DATE = (0 << 9) | (1 << 5) | 1  # 1980-01-01
_DOS_TIME = 0
_VERSION = 20
_VERSION_ZIP64 = 45
_MADE_BY = (3 << 8) | _VERSION  # Unix, so the permission bits are read
_UTF8_FLAG = 0x800
_LIMIT32 = 0xFFFFFFFF
_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RawMember:
    """A member of another zip, by the numbers its central directory gives."""

    archive: Path
    header_offset: int
    method: int
    crc: int
    compressed_size: int
    size: int


def read_raw(handle: BinaryIO, member: RawMember) -> bytes:
    """The compressed bytes of ``member`` (``handle`` is its archive, opened for reading)."""
    handle.seek(member.header_offset)
    header = handle.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise PackagingError(
            f"{member.archive.name} is damaged (bad local header at {member.header_offset}).",
            hint="Delete the file from the skylift cache and package again.",
        )
    name_len, extra_len = struct.unpack_from("<HH", header, 26)
    handle.seek(member.header_offset + 30 + name_len + extra_len)
    data = handle.read(member.compressed_size)
    if len(data) != member.compressed_size:
        raise PackagingError(
            f"{member.archive.name} is truncated.",
            hint="Delete the file from the skylift cache and package again.",
        )
    return data


@dataclass
class _Written:
    name: bytes
    flags: int
    method: int
    crc: int
    compressed_size: int
    size: int
    mode: int
    offset: int


class DeterministicZip:
    """Write entries in the order given; ``close()`` returns the sha256 of the zip."""

    def __init__(self, path: Path, level: int = 6) -> None:
        if not 0 <= level <= 9:
            raise ValueError("compression level must be 0..9")
        self.path = path
        self.level = level
        self._handle = path.open("wb")
        self._digest = hashlib.sha256()
        self._offset = 0
        self._entries: list[_Written] = []
        self._last: str | None = None
        self.uncompressed_total = 0

    def _write(self, data: bytes) -> None:
        self._handle.write(data)
        self._digest.update(data)
        self._offset += len(data)

    def add_bytes(self, name: str, data: bytes, mode: int = 0o644) -> None:
        """Compress ``data`` (stored when the level is 0) and add it."""
        crc = zlib.crc32(data)
        if self.level == 0:
            self._add(name, mode, STORED, crc, len(data), len(data), data)
            return
        compressor = zlib.compressobj(self.level, zlib.DEFLATED, -15)
        packed = compressor.compress(data) + compressor.flush()
        self._add(name, mode, DEFLATED, crc, len(packed), len(data), packed)

    def add_raw(self, name: str, member: RawMember, data: bytes, mode: int = 0o644) -> None:
        """Add already-compressed bytes read from another zip, as they are."""
        if member.method not in (STORED, DEFLATED):
            self.add_bytes(name, _inflate_other(member), mode)
            return
        if self.level == 0 and member.method == DEFLATED:
            self.add_bytes(name, zlib.decompress(data, -15), mode)
            return
        self._add(name, mode, member.method, member.crc, member.compressed_size, member.size, data)

    def _add(
        self, name: str, mode: int, method: int, crc: int, csize: int, size: int, data: bytes
    ) -> None:
        if self._last is not None and name <= self._last:
            raise ValueError(
                f"zip entries must be added in sorted order: {name!r} after {self._last!r}"
            )
        self._last = name
        encoded = name.encode("utf-8")
        flags = 0 if name.isascii() else _UTF8_FLAG
        if csize > _LIMIT32 or size > _LIMIT32:
            raise PackagingError(
                f"{name} is larger than 4 GiB, far beyond what Lambda accepts.",
                hint="Exclude it from the package.",
            )
        entry = _Written(encoded, flags, method, crc, csize, size, mode, self._offset)
        self._write(
            _LOCAL_HEADER.pack(
                0x04034B50,
                _VERSION,
                flags,
                method,
                _DOS_TIME,
                _DOS_DATE,
                crc,
                csize,
                size,
                len(encoded),
                0,
            )
        )
        self._write(encoded)
        self._write(data)
        self._entries.append(entry)
        self.uncompressed_total += size

    def close(self) -> str:
        """Write the central directory; the zip's sha256 (hex)."""
        start = self._offset
        for e in self._entries:
            if e.offset > _LIMIT32:
                raise PackagingError(
                    f"The archive {self.path.name} is over 4 GiB.",
                    hint="Lambda takes at most 250 MB unzipped: exclude large files.",
                )
            self._write(
                _CENTRAL_HEADER.pack(
                    0x02014B50, _MADE_BY, _VERSION, e.flags, e.method, _DOS_TIME, _DOS_DATE,
                    e.crc, e.compressed_size, e.size, len(e.name), 0, 0, 0, 0,
                    (0o100000 | e.mode) << 16, e.offset,
                )
            )  # fmt: skip
            self._write(e.name)
        self._end_records(start, self._offset - start)
        self._handle.close()
        return self._digest.hexdigest()

    def abort(self) -> None:
        self._handle.close()
        self.path.unlink(missing_ok=True)

    def _end_records(self, cd_start: int, cd_size: int) -> None:
        count = len(self._entries)
        if count > 0xFFFF or cd_start > _LIMIT32:
            zip64_at = self._offset
            self._write(
                struct.pack(
                    "<IQHHIIQQQQ", 0x06064B50, 44, _VERSION_ZIP64, _VERSION_ZIP64, 0, 0,
                    count, count, cd_size, cd_start,
                )
            )  # fmt: skip
            self._write(struct.pack("<IIQI", 0x07064B50, 0, zip64_at, 1))
            count16 = 0xFFFF
            start32 = min(cd_start, _LIMIT32)
        else:
            count16, start32 = count, cd_start
        self._write(
            struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count16, count16, cd_size, start32, 0)
        )


def _inflate_other(member: RawMember) -> bytes:
    """A member compressed with something other than deflate: let zipfile read it."""
    import zipfile

    with zipfile.ZipFile(member.archive) as archive:
        for info in archive.infolist():
            if info.header_offset == member.header_offset:
                return archive.read(info)
    raise PackagingError(
        f"Cannot read a member of {member.archive.name}.", hint="Delete it from the skylift cache."
    )


def copy_file_compressed(
    out: DeterministicZip, name: str, path: Path, mode: int
) -> tuple[int, str]:
    """Add a file from disk; its size and sha256 (for the manifest)."""
    data = path.read_bytes()
    out.add_bytes(name, data, mode)
    return len(data), hashlib.sha256(data).hexdigest()
