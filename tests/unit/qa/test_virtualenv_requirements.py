"""With no requirements named, packaging says it packed the virtualenv, and what from it."""

from __future__ import annotations

from skylift.packaging.build import _virtualenv_warning
from skylift.packaging.requirements import Requirements


def test_packing_the_virtualenv_is_said_with_its_packages() -> None:
    names = [f"pkg{i}" for i in range(10)]
    found = Requirements(
        source="virtualenv",
        description="packages installed in the virtualenv /home/me/my env",
        lines=tuple(f"{n}==1.0" for n in names),
    )
    [warning] = _virtualenv_warning(found)
    assert "packages installed in the virtualenv /home/me/my env (10 top-level: pkg0, " in warning
    assert "pkg7 and 2 more)" in warning
    assert "A requirements.txt packs only what the app needs." in warning


def test_named_requirements_need_no_warning() -> None:
    found = Requirements(
        source="requirements.txt", description="requirements.txt", lines=("flask",)
    )
    assert _virtualenv_warning(found) == []
    assert _virtualenv_warning(Requirements(source="virtualenv", description="x")) == []
