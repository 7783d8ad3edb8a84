from __future__ import annotations

from pathlib import Path

import pytest

from skylift.errors import PackagingError
from skylift.packaging.target import Target
from skylift.packaging.verify import elf_facts, is_native, problem, raise_problems

from .helpers import make_elf

X86_311 = Target.for_runtime("python3.11", "x86_64")
ARM_312 = Target.for_runtime("python3.12", "arm64")


def test_elf_facts_read_machine_and_newest_glibc() -> None:
    facts = elf_facts(make_elf(62, ("GLIBC_2.2.5", "GLIBC_2.17", "GLIBC_2.14")))
    assert facts is not None
    assert (facts.elf_class, facts.machine, facts.glibc) == (2, 62, (2, 17))


def test_not_elf_is_none() -> None:
    assert elf_facts(b"INPUT(libfoo.so.1)\n" + bytes(100)) is None


def test_matching_module_passes() -> None:
    facts = elf_facts(make_elf(62, ("GLIBC_2.17",)))
    assert problem("m/_x.cpython-311-x86_64-linux-gnu.so", facts, X86_311) is None
    assert problem("m/_x.abi3.so", facts, X86_311) is None


def test_glibc_newer_than_the_runtime_is_refused() -> None:
    facts = elf_facts(make_elf(62, ("GLIBC_2.28",)))
    reason = problem("m/_x.cpython-311-x86_64-linux-gnu.so", facts, X86_311)
    assert reason == "needs glibc 2.28, python3.11 has glibc 2.26"
    assert (
        problem(
            "m/_x.cpython-312-x86_64-linux-gnu.so",
            facts,
            Target.for_runtime("python3.12", "x86_64"),
        )
        is None
    )


def test_wrong_architecture_python_and_os() -> None:
    x86 = elf_facts(make_elf(62))
    assert "arm64" in str(problem("_x.cpython-312-aarch64-linux-gnu.so", x86, ARM_312))
    arm = elf_facts(make_elf(183))
    assert "cpython-312-aarch64-linux-gnu" in str(
        problem("_x.cpython-311-aarch64-linux-gnu.so", arm, ARM_312)
    )
    assert problem("_x.cpython-312-aarch64-linux-gnu.so", arm, ARM_312) is None
    assert problem("_x.pyd", None, ARM_312) == "a Windows/macOS binary"
    assert problem("lib.so", elf_facts(make_elf(62, elf_class=1)), X86_311) == "a 32-bit binary"


def test_is_native() -> None:
    assert is_native("a/b.so")
    assert is_native("numpy.libs/libgfortran-040039e1.so.5.0.0")
    assert is_native("x.dylib")
    assert not is_native("a/b.py")
    assert not is_native("a/so.py")


def test_problems_raise_one_error_naming_files_and_origins() -> None:
    raise_problems([], X86_311)
    with pytest.raises(PackagingError) as info:
        raise_problems([("numpy 2.3.0", "numpy/_core/x.so", "needs glibc 2.28")], X86_311)
    assert "numpy/_core/x.so (from numpy 2.3.0): needs glibc 2.28" in info.value.message
    assert info.value.hint
    assert "numpy 2.3.0" in info.value.hint


def test_real_extension_module_of_this_interpreter() -> None:
    import _ctypes
    import platform
    import sys

    if sys.platform != "linux" or platform.machine() != "x86_64":
        pytest.skip("reads an x86_64 Linux extension module")
    facts = elf_facts(Path(_ctypes.__file__).read_bytes())
    assert facts is not None
    assert facts.machine == 62
    assert facts.glibc is not None
    assert facts.glibc >= (2, 2)
