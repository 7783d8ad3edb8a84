from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from skylift.packaging.files import Rules, select_files


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name, encoding="utf-8")


def selected(root: Path, rules: Rules | None = None) -> tuple[set[str], dict[str, str]]:
    sel = select_files(root, rules or Rules())
    return {f.rel for f in sel.files}, dict(sel.excluded)


def test_secrets_caches_and_vcs_never_go_in(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "app.py", "pkg/mod.py", ".env", ".env.production", "certs/server.pem", "deploy.key",
        ".aws/credentials", ".git/config", "pkg/__pycache__/mod.cpython-312.pyc", "old.pyc",
        "node_modules/x/index.js", ".skylift/build/app-dev.zip", "release.zip", ".ssh/id_rsa",
    )  # fmt: skip
    files, excluded = selected(tmp_path)
    assert files == {"app.py", "pkg/mod.py"}
    assert excluded[".env"] == excluded[".env.production"] == "secrets (.env files)"
    assert excluded["certs/server.pem"].startswith("secrets")
    assert excluded["deploy.key"].startswith("secrets")
    assert excluded[".aws/"].startswith("secrets")
    assert excluded[".git/"] == "version control"
    assert excluded["node_modules/"] == "node_modules"
    assert excluded[".skylift/"] == "skylift build output"
    assert excluded["release.zip"] == "default exclude: *.zip"


def test_any_folder_with_pyvenv_cfg_is_a_virtualenv(tmp_path: Path) -> None:
    touch(tmp_path, "app.py", "myenv/pyvenv.cfg", "myenv/lib/python3.12/site-packages/x.py")
    files, excluded = selected(tmp_path)
    assert files == {"app.py"}
    assert excluded["myenv/"] == "virtualenv"


def test_exclude_matches_names_at_any_depth_like_zappa(tmp_path: Path) -> None:
    touch(tmp_path, "app.py", "tests/test_app.py", "pkg/tests/t.py", "data/big.csv", "pkg/a.csv")
    files, excluded = selected(tmp_path, Rules(exclude=("tests", "*.csv")))
    assert files == {"app.py"}
    assert excluded["pkg/tests/"] == "exclude: tests"
    assert excluded["data/big.csv"] == "exclude: *.csv"


def test_exclude_glob_is_relative_to_the_project(tmp_path: Path) -> None:
    touch(tmp_path, "app.py", "docs/a.md", "docs/sub/b.md", "pkg/docs/c.md", "notes/x.md")
    files, excluded = selected(tmp_path, Rules(exclude_glob=("docs", "**/x.md")))
    assert files == {"app.py", "pkg/docs/c.md"}
    assert excluded["docs/"] == "exclude_glob: docs"
    assert excluded["notes/x.md"] == "exclude_glob: **/x.md"


def test_symlinks_out_of_the_project_are_left_out(tmp_path: Path) -> None:
    project, outside = tmp_path / "p", tmp_path / "outside"
    touch(project, "app.py", "real/data.txt")
    touch(outside, "secret.txt")
    os.symlink(outside / "secret.txt", project / "leak.txt")
    os.symlink(outside, project / "leakdir")
    os.symlink(project / "real" / "data.txt", project / "alias.txt")
    os.symlink(project / "missing", project / "broken")
    files, excluded = selected(project)
    assert files == {"app.py", "real/data.txt", "alias.txt"}
    assert excluded["leak.txt"] == excluded["leakdir/"] == "symlink pointing outside the project"
    assert excluded["broken"] == "broken symlink"


def test_extra_paths_and_executable_bit(tmp_path: Path) -> None:
    touch(tmp_path, "zappa_settings.json", "run.sh", "app.py")
    (tmp_path / "run.sh").chmod(0o700)
    sel = select_files(tmp_path, Rules(extra_paths=frozenset({"zappa_settings.json"})))
    assert {f.rel: f.executable for f in sel.files} == {"app.py": False, "run.sh": True}
    assert dict(sel.excluded)["zappa_settings.json"] == "settings file or build output"


def test_user_reason_applies_to_dependency_paths() -> None:
    rules = Rules(exclude=("tests",), exclude_glob=("numpy/_core/include",))
    assert rules.user_reason("numpy/_core/tests/test_a.py") == "exclude: tests"
    assert rules.user_reason("numpy/_core/include/numpy/x.h") == "exclude_glob: numpy/_core/include"
    assert rules.user_reason("numpy/_core/multiarray.py") is None


@settings(max_examples=200, deadline=None)
@given(
    pattern=st.text(alphabet="ab*?", min_size=1, max_size=6),
    name=st.text(alphabet="ab.", min_size=1, max_size=8),
)
def test_glob_on_one_name_agrees_with_fnmatch(pattern: str, name: str) -> None:
    import fnmatch

    from skylift.packaging.files import _glob_regex

    assert bool(_glob_regex(pattern).fullmatch(name)) == fnmatch.fnmatchcase(name, pattern)
