from __future__ import annotations

import pytest

from skylift.errors import PackagingError
from skylift.packaging.target import Target, wheel_tag_text, wheel_tags


def accepts(target: Target, filename: str) -> bool:
    return target.accepts(wheel_tags(filename))


def test_al2_runtime_accepts_manylinux_up_to_glibc_2_26_only() -> None:
    t = Target.for_runtime("python3.11", "x86_64")
    assert t.glibc == (2, 26)
    assert accepts(t, "numpy-2.2.6-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
    assert accepts(t, "x-1.0-cp311-cp311-manylinux_2_26_x86_64.whl")
    assert accepts(t, "x-1.0-cp311-cp311-manylinux1_x86_64.whl")
    # NumPy >= 2.3 ships only glibc-2.28 wheels: wrong for python3.11 on Lambda.
    assert not accepts(t, "numpy-2.3.0-cp311-cp311-manylinux_2_28_x86_64.whl")


def test_wrong_python_arch_or_os_is_refused() -> None:
    t = Target.for_runtime("python3.11", "x86_64")
    assert not accepts(t, "numpy-2.2.6-cp312-cp312-manylinux_2_17_x86_64.whl")
    assert not accepts(t, "numpy-2.2.6-cp311-cp311-manylinux_2_17_aarch64.whl")
    assert not accepts(t, "numpy-2.2.6-cp311-cp311-musllinux_1_2_x86_64.whl")
    assert not accepts(t, "numpy-2.2.6-cp311-cp311-macosx_11_0_arm64.whl")
    assert not accepts(t, "x-1.0-cp311-cp311-linux_x86_64.whl")


def test_pure_and_abi3_wheels_run_everywhere_they_claim() -> None:
    t = Target.for_runtime("python3.12", "arm64")
    assert accepts(t, "six-1.17.0-py2.py3-none-any.whl")
    assert accepts(t, "cryptography-44.0.0-cp39-abi3-manylinux_2_28_aarch64.whl")
    assert accepts(t, "x-1.0-cp312-cp312-manylinux_2_34_aarch64.whl")
    assert not accepts(t, "x-1.0-cp312-cp312-manylinux_2_35_aarch64.whl")
    assert not accepts(t, "x-1.0-cp313-abi3-manylinux_2_17_aarch64.whl")


def test_uv_platform_never_exceeds_the_runtime_glibc() -> None:
    assert Target.for_runtime("python3.11", "x86_64").uv_platform == "x86_64-manylinux_2_17"
    assert not Target.for_runtime("python3.11", "x86_64").uv_glibc_exact
    assert Target.for_runtime("python3.12", "arm64").uv_platform == "aarch64-manylinux_2_34"
    assert Target.for_runtime("python3.13", "x86_64").uv_glibc_exact


def test_pip_platform_list_is_complete_and_best_first() -> None:
    x86 = Target.for_runtime("python3.10", "x86_64").platforms
    assert x86[0] == "manylinux_2_26_x86_64"
    assert {"manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"} <= set(x86)
    assert x86[-1] == "manylinux1_x86_64"
    arm = Target.for_runtime("python3.12", "arm64").platforms
    assert arm[0] == "manylinux_2_34_aarch64"
    assert arm[-1] == "manylinux2014_aarch64"
    assert all("aarch64" in p for p in arm)


def test_unknown_runtime_and_architecture_are_clear_errors() -> None:
    with pytest.raises(PackagingError, match=r"python3\.8") as info:
        Target.for_runtime("python3.8", "x86_64")
    assert info.value.hint
    assert "python3.12" in info.value.hint
    with pytest.raises(PackagingError, match="architecture"):
        Target.for_runtime("python3.12", "sparc")


def test_wheel_names_parse() -> None:
    assert wheel_tag_text("a-1-py3-none-any.whl") == "py3-none-any"
    assert wheel_tags("a-1-2-py2.py3-none-any.whl") == {
        ("py2", "none", "any"),
        ("py3", "none", "any"),
    }
    with pytest.raises(PackagingError):
        wheel_tags("nonsense.whl")
