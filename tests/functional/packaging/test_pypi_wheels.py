"""Real wheels from PyPI, for Lambda targets unlike this machine: exactly the right files."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from skylift.errors import PackagingError
from skylift.packaging import build
from skylift.packaging.verify import elf_facts, is_native
from tests.unit.packaging.helpers import make_stage

pytestmark = [pytest.mark.slow, pytest.mark.functional]

NATIVE = ["numpy", "cffi", "pydantic-core"]


def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app.py").write_text("import numpy, cffi, pydantic_core\n", encoding="utf-8")
    return root


def deps(artifact: object) -> dict[str, tuple[str, str]]:
    report = artifact.report  # type: ignore[attr-defined]
    return {d.name: (d.version, d.tag) for d in report.dependencies}


def natives(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if is_native(n)}


def test_python311_x86_64_gets_glibc_2_17_wheels_and_numpy_2_2(tmp_path: Path) -> None:
    artifact = build(make_stage(project(tmp_path), runtime="python3.11", requirements=NATIVE))
    found = deps(artifact)
    assert set(found) == {"numpy", "cffi", "pycparser", "pydantic-core", "typing-extensions"}
    version, tag = found["numpy"]
    assert version.startswith("2.2."), version  # NumPy >= 2.3 has only glibc-2.28 wheels
    for name in ("numpy", "cffi", "pydantic-core"):
        tag = found[name][1]
        assert tag.startswith("cp311-cp311-"), tag
        assert re.search(r"manylinux(_2_17|2014)_x86_64", tag), tag
    files = natives(artifact.path)
    assert "_cffi_backend.cpython-311-x86_64-linux-gnu.so" in files
    assert any(
        re.match(r"pydantic_core/_pydantic_core\.cpython-311-x86_64-linux-gnu\.so$", n)
        for n in files
    )
    for name, data in files.items():
        facts = elf_facts(data)
        assert facts is not None, name
        assert facts.machine == 62, name
        assert facts.glibc is None or facts.glibc <= (2, 26), (name, facts.glibc)
    with zipfile.ZipFile(artifact.path) as archive:
        assert not any(n.startswith(("boto3/", "botocore/")) for n in archive.namelist())


def test_python312_arm64_gets_aarch64_wheels(tmp_path: Path) -> None:
    stage = make_stage(
        project(tmp_path), runtime="python3.12", architecture="arm64", requirements=NATIVE
    )
    artifact = build(stage)
    found = deps(artifact)
    assert {"numpy", "cffi", "pydantic-core"} <= set(found)
    for name in ("numpy", "cffi", "pydantic-core"):
        tag = found[name][1]
        assert re.fullmatch(r"cp312-cp312-.*aarch64", tag), tag
    files = natives(artifact.path)
    assert "_cffi_backend.cpython-312-aarch64-linux-gnu.so" in files
    assert files, "expected extension modules"
    for name, data in files.items():
        facts = elf_facts(data)
        assert facts is not None, name
        assert facts.machine == 183, name  # EM_AARCH64
        assert facts.glibc is None or facts.glibc <= (2, 34), (name, facts.glibc)
        assert "x86_64" not in name, name
    # Same inputs, another output path: the same bytes.
    again = build(stage, output=tmp_path / "again.zip")
    assert again.content_hash == artifact.content_hash


def test_pip_fallback_uses_the_full_manylinux_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SKYLIFT_RESOLVER", "pip")
    artifact = build(
        make_stage(project(tmp_path), runtime="python3.11", requirements=["numpy", "cffi"])
    )
    assert artifact.report is not None
    assert artifact.report.resolver == "pip"
    found = deps(artifact)
    assert found["numpy"][0].startswith("2.2.")
    assert all(tag.startswith(("cp311-", "py3-")) for _, tag in found.values())


def test_pure_sdist_is_built_into_a_wheel(tmp_path: Path) -> None:
    artifact = build(
        make_stage(project(tmp_path), runtime="python3.12", requirements=["docopt==0.6.2"])
    )
    (dep,) = artifact.report.dependencies  # type: ignore[union-attr]
    assert (dep.name, dep.built_from, dep.tag) == ("docopt", "sdist", "py2.py3-none-any")
    with zipfile.ZipFile(artifact.path) as archive:
        assert "docopt.py" in archive.namelist()


def test_native_sdist_without_a_wheel_is_a_clear_error(tmp_path: Path) -> None:
    stage = make_stage(project(tmp_path), runtime="python3.11", requirements=["numpy==2.3.0"])
    with pytest.raises(PackagingError) as info:
        build(stage)
    assert "numpy 2.3.0 has no wheel for python3.11 on x86_64" in info.value.message
    assert "native code" in info.value.message
    assert info.value.hint
    assert "Pin a version of numpy" in info.value.hint


def test_unknown_package_is_a_clear_error(tmp_path: Path) -> None:
    stage = make_stage(project(tmp_path), requirements=["skylift-no-such-package-zz"])
    with pytest.raises(PackagingError, match="skylift-no-such-package-zz") as info:
        build(stage)
    assert info.value.hint
