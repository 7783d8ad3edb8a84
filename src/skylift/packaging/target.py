"""The platform a package is built for: Python version, CPU, glibc, and the wheel tags they accept."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from skylift.config.runtimes import SUPPORTED_RUNTIMES, glibc_for
from skylift.errors import PackagingError

# Lambda says arm64, wheels and ELF say aarch64.
_WHEEL_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}
# e_machine values in the ELF header.
ELF_MACHINE = {"x86_64": 62, "arm64": 183}
# Legacy manylinux names and the glibc they stand for (PEP 600 aliases).
_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
# The glibc levels uv's --python-platform can name (besides 2_17, the manylinux2014 floor).
_UV_GLIBC_LEVELS = ((2, 17), (2, 28), *((2, minor) for minor in range(31, 41)))


@dataclass(frozen=True)
class Target:
    """One Lambda runtime on one architecture."""

    runtime: str
    architecture: str

    @classmethod
    def for_runtime(cls, runtime: str, architecture: str) -> Target:
        if runtime not in SUPPORTED_RUNTIMES:
            raise PackagingError(
                f"Cannot package for runtime {runtime!r}: Lambda does not run it.",
                hint=f"Set `runtime` to one of {', '.join(SUPPORTED_RUNTIMES)}.",
            )
        if architecture not in _WHEEL_ARCH:
            raise PackagingError(
                f"Unknown architecture {architecture!r}.",
                hint="Set `architecture` to x86_64 or arm64.",
            )
        return cls(runtime, architecture)

    @property
    def python_version(self) -> str:
        """``3.12`` for ``python3.12``."""
        return self.runtime.removeprefix("python")

    @property
    def minor(self) -> int:
        return int(self.python_version.split(".")[1])

    @property
    def cp(self) -> str:
        """The CPython tag: ``cp312``."""
        return f"cp3{self.minor}"

    @property
    def glibc(self) -> tuple[int, int]:
        return glibc_for(self.runtime)

    @property
    def wheel_arch(self) -> str:
        return _WHEEL_ARCH[self.architecture]

    @property
    def elf_machine(self) -> int:
        return ELF_MACHINE[self.architecture]

    @property
    def extension_suffix_tag(self) -> str:
        """What CPython puts in extension file names: ``cpython-312-x86_64-linux-gnu``."""
        return f"cpython-3{self.minor}-{self.wheel_arch}-linux-gnu"

    @property
    def uv_platform(self) -> str:
        """The newest glibc level uv can name that does not exceed the runtime's.

        uv names 2_17 and 2_28 but nothing between, so the glibc-2.26 runtimes
        resolve as 2_17 (wheels built for 2.24-2.26 only are found by the pip
        fallback, which gets the full list).
        """
        level = max(lvl for lvl in _UV_GLIBC_LEVELS if lvl <= self.glibc)
        return f"{self.wheel_arch}-manylinux_{level[0]}_{level[1]}"

    @property
    def uv_glibc_exact(self) -> bool:
        """Whether uv's platform covers every glibc level the runtime accepts."""
        return self.glibc in _UV_GLIBC_LEVELS

    @cached_property
    def platforms(self) -> tuple[str, ...]:
        """Every platform tag the runtime accepts, best first (pip's ``--platform`` list)."""
        lowest = 5 if self.wheel_arch == "x86_64" else 17
        tags: list[str] = []
        for minor in range(self.glibc[1], lowest - 1, -1):
            tags.append(f"manylinux_2_{minor}_{self.wheel_arch}")
            for legacy, level in _LEGACY_MANYLINUX.items():
                if level == (2, minor) and (self.wheel_arch == "x86_64" or minor >= 17):
                    tags.append(f"{legacy}_{self.wheel_arch}")
        return tuple(tags)

    @cached_property
    def interpreters(self) -> tuple[str, ...]:
        """Interpreter tags a wheel may carry for this Python, best first."""
        pys = [f"py3{minor}" for minor in range(self.minor, -1, -1)]
        return (self.cp, "py3", *pys)

    @cached_property
    def _supported(self) -> frozenset[tuple[str, str, str]]:
        supported: set[tuple[str, str, str]] = set()
        platforms = (*self.platforms, "any")
        for plat in platforms:
            supported.add((self.cp, self.cp, plat))
            supported.add((self.cp, "none", plat))
            for minor in range(2, self.minor + 1):
                supported.add((f"cp3{minor}", "abi3", plat))
            for interp in ("py3", *(f"py3{m}" for m in range(self.minor + 1))):
                supported.add((interp, "none", plat))
        return frozenset(supported)

    def accepts(self, tags: frozenset[tuple[str, str, str]]) -> bool:
        """Whether any of a wheel's tag triples runs here."""
        return not tags.isdisjoint(self._supported)

    def describe(self) -> str:
        glibc = f"{self.glibc[0]}.{self.glibc[1]}"
        return f"{self.runtime} on {self.architecture} (manylinux, glibc {glibc})"


def wheel_tags(filename: str) -> frozenset[tuple[str, str, str]]:
    """The (interpreter, abi, platform) triples a wheel file name declares (PEP 427)."""
    stem = filename.removesuffix(".whl")
    parts = stem.split("-")
    if len(parts) not in (5, 6):
        raise PackagingError(
            f"{filename!r} is not a valid wheel file name.",
            hint="Wheel names look like name-version-python-abi-platform.whl.",
        )
    interps, abis, plats = parts[-3], parts[-2], parts[-1]
    return frozenset(
        (i, a, p) for i in interps.split(".") for a in abis.split(".") for p in plats.split(".")
    )


def wheel_tag_text(filename: str) -> str:
    """The tag part of a wheel name: ``cp312-cp312-manylinux_2_17_x86_64``."""
    return "-".join(filename.removesuffix(".whl").split("-")[-3:])
