"""These tests download from PyPI: one wheel cache shared by all of them (and by xdist workers)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def pypi_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The parent of the base temp dir is common to every xdist worker of this run;
    # concurrent writers are safe (files land by atomic rename, uv locks its own cache).
    path = tmp_path_factory.getbasetemp().parent / "skylift-pypi-cache"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture(autouse=True)
def _shared_cache(pypi_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKYLIFT_CACHE_DIR", str(pypi_cache))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("SKYLIFT_RESOLVER", raising=False)
    monkeypatch.delenv("UV_OFFLINE", raising=False)
