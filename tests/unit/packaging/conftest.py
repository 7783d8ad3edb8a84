"""Every packaging test gets its own empty skylift cache (no test reads ~/.cache)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path_factory.mktemp("skylift-cache")
    monkeypatch.setenv("SKYLIFT_CACHE_DIR", str(cache))
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("SKYLIFT_RESOLVER", raising=False)
    return cache
