from __future__ import annotations

import sys
from pathlib import Path

import pytest

from skylift.errors import PackagingError
from skylift.packaging import requirements as reqs
from skylift.packaging.requirements import find_requirements

from .helpers import make_stage


def test_setting_list_wins_and_pins_keep_boto(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n", encoding="utf-8")
    found = find_requirements(make_stage(tmp_path, requirements=["boto3==1.35.0", "botocore>=1"]))
    assert found.source == "setting"
    assert found.lines == ("boto3==1.35.0", "botocore>=1")
    left_out = found.left_out()
    assert "boto3" not in left_out
    assert {"botocore", "s3transfer", "jmespath", "skylift"} <= set(left_out)


def test_setting_string_is_a_file_and_includes_are_fingerprinted(tmp_path: Path) -> None:
    (tmp_path / "req").mkdir()
    (tmp_path / "req" / "prod.txt").write_text("-r base.txt\nflask\n", encoding="utf-8")
    (tmp_path / "req" / "base.txt").write_text("numpy\n", encoding="utf-8")
    stage = make_stage(tmp_path, requirements="req/prod.txt")
    first = find_requirements(stage)
    assert first.file == tmp_path / "req" / "prod.txt"
    (tmp_path / "req" / "base.txt").write_text("numpy==2.2.6\n", encoding="utf-8")
    assert find_requirements(stage).fingerprint != first.fingerprint


def test_missing_requirements_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PackagingError, match="does not exist") as info:
        find_requirements(make_stage(tmp_path, requirements="nope.txt"))
    assert info.value.hint


def test_requirements_txt_then_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "1"\ndependencies = ["flask>=3"]\n', encoding="utf-8"
    )
    found = find_requirements(make_stage(tmp_path))
    assert (found.source, found.lines) == ("pyproject.toml", ("flask>=3",))
    (tmp_path / "requirements.txt").write_text("bottle\n", encoding="utf-8")
    assert find_requirements(make_stage(tmp_path)).source == "requirements.txt"


def test_dynamic_pyproject_dependencies_need_a_requirements_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\ndynamic = ["dependencies", "version"]\n', encoding="utf-8"
    )
    with pytest.raises(PackagingError, match="dynamic"):
        find_requirements(make_stage(tmp_path))


def fake_dist(
    site: Path, name: str, version: str, requires: tuple[str, ...] = (), editable: bool = False
) -> None:
    info = site / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    (info / "METADATA").write_text(meta, encoding="utf-8")
    if editable:
        (info / "direct_url.json").write_text(
            '{"url": "file:///x", "dir_info": {"editable": true}}', encoding="utf-8"
        )


def test_virtualenv_roots_minus_dev_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    venv = tmp_path / "venv"
    (venv / "pyvenv.cfg").parent.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr\n", encoding="utf-8")
    site = venv / "lib" / "python3.12" / "site-packages"
    fake_dist(site, "Flask", "3.1.0", ("Werkzeug>=3", "click>=8"))
    fake_dist(site, "werkzeug", "3.1.3")
    fake_dist(site, "click", "8.1.8")
    fake_dist(site, "pytest", "8.3.0", ("pluggy",))
    fake_dist(site, "pluggy", "1.5.0")
    fake_dist(site, "myproject", "0.1", editable=True)
    fake_dist(site, "attrs", "24.1.0", ("pytest ; extra == 'tests'",))
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    project = tmp_path / "p"
    project.mkdir()
    found = find_requirements(make_stage(project))
    assert found.source == "virtualenv"
    assert found.lines == ("attrs==24.1.0", "flask==3.1.0")
    assert found.pinned == frozenset()  # versions from a venv are not the user's pins


def test_no_requirements_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "prefix", sys.base_prefix)
    found = find_requirements(make_stage(tmp_path))
    assert found.source == "none"
    assert found.empty


def test_pins_are_recognized() -> None:
    pinned = reqs._pinned(
        ["Boto3 == 1.2.3", "botocore>=1", "s3transfer[crt]==0.10 ; python_version>'3'", "x===1"]
    )
    assert pinned == {"boto3", "s3transfer", "x"}
