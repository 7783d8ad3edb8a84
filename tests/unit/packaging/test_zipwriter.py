from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skylift.packaging.zipwriter import DeterministicZip, RawMember, read_raw

from .helpers import make_wheel


def write(path: Path, entries: dict[str, bytes], level: int = 6) -> str:
    out = DeterministicZip(path, level)
    for name in sorted(entries):
        out.add_bytes(name, entries[name], 0o755 if name.endswith(".sh") else 0o644)
    return out.close()


def test_same_entries_give_the_same_bytes_and_hash(tmp_path: Path) -> None:
    entries = {"a.py": b"print(1)\n", "pkg/run.sh": b"#!/bin/sh\n", "pkg/x.txt": b"x" * 5000}
    h1 = write(tmp_path / "1.zip", entries)
    h2 = write(tmp_path / "2.zip", entries)
    assert h1 == h2
    assert (tmp_path / "1.zip").read_bytes() == (tmp_path / "2.zip").read_bytes()
    import hashlib

    assert hashlib.sha256((tmp_path / "1.zip").read_bytes()).hexdigest() == h1


def test_entries_have_fixed_time_and_normalized_modes(tmp_path: Path) -> None:
    write(tmp_path / "a.zip", {"a.py": b"1", "run.sh": b"2"})
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.testzip() is None
        infos = {i.filename: i for i in archive.infolist()}
    assert {i.date_time for i in infos.values()} == {(1980, 1, 1, 0, 0, 0)}
    assert infos["a.py"].external_attr >> 16 == 0o100644
    assert infos["run.sh"].external_attr >> 16 == 0o100755


def test_unsorted_or_duplicate_names_are_refused(tmp_path: Path) -> None:
    out = DeterministicZip(tmp_path / "a.zip")
    out.add_bytes("b", b"")
    with pytest.raises(ValueError, match="sorted"):
        out.add_bytes("a", b"")
    with pytest.raises(ValueError, match="sorted"):
        out.add_bytes("b", b"")
    out.abort()
    assert not (tmp_path / "a.zip").exists()


def test_level_zero_stores(tmp_path: Path) -> None:
    write(tmp_path / "a.zip", {"a": b"x" * 1000}, level=0)
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.getinfo("a").compress_type == zipfile.ZIP_STORED
        assert archive.read("a") == b"x" * 1000


def test_raw_copy_from_a_wheel_keeps_the_compressed_bytes(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path, "pkg", files={"pkg/__init__.py": b"A = 1\n" * 500})
    out = DeterministicZip(tmp_path / "out.zip")
    with zipfile.ZipFile(wheel) as source, wheel.open("rb") as handle:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            member = RawMember(
                wheel,
                info.header_offset,
                info.compress_type,
                info.CRC,
                info.compress_size,
                info.file_size,
            )
            data = read_raw(handle, member)
            assert len(data) == info.compress_size
            out.add_raw(info.filename, member, data)
    out.close()
    with zipfile.ZipFile(wheel) as source, zipfile.ZipFile(tmp_path / "out.zip") as copy:
        assert copy.testzip() is None
        for info in source.infolist():
            assert copy.read(info.filename) == source.read(info.filename)
            assert copy.getinfo(info.filename).compress_size == info.compress_size


def test_many_entries_use_zip64_end_records(tmp_path: Path) -> None:
    entries = {f"f{i:06d}": b"" for i in range(70_000)}
    write(tmp_path / "big.zip", entries, level=0)
    with zipfile.ZipFile(tmp_path / "big.zip") as archive:
        assert len(archive.infolist()) == 70_000


@settings(max_examples=30, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=20).filter(lambda s: "\0" not in s),
        st.binary(max_size=300),
        max_size=8,
    )
)
def test_any_names_and_contents_round_trip(
    tmp_path_factory: pytest.TempPathFactory, entries: dict[str, bytes]
) -> None:
    path = tmp_path_factory.mktemp("z") / "a.zip"
    write(path, entries)
    with zipfile.ZipFile(path) as archive:
        assert {i.filename: archive.read(i) for i in archive.infolist()} == entries
