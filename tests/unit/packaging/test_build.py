"""build(stage) end to end, offline: dependencies are wheel files made by the tests."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest

from skylift.errors import PackagingError
from skylift.packaging import MANIFEST_NAME, build, limits
from skylift.runtime.config import IDENTITY_KEYS, RUNTIME_SETTING_KEYS, SETTINGS_FILENAME

from .helpers import make_elf, make_stage, make_wheel


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UV_OFFLINE", "1")  # these builds never reach an index
    root = tmp_path / "proj"
    root.mkdir()
    (root / "app.py").write_text(
        "def app(environ, start_response):\n    return []\n", encoding="utf-8"
    )
    (root / ".env").write_text("TOKEN=hunter2-from-dotenv\n", encoding="utf-8")
    (root / "zappa_settings.json").write_text('{"dev": {}}', encoding="utf-8")
    make_wheel(
        root / "wheels",
        "purepkg",
        files={"purepkg/__init__.py": b"VALUE = 1\n", "purepkg/tests/test_x.py": b"assert True\n"},
    )
    return root


WHEEL = "./wheels/purepkg-1.0-py3-none-any.whl"


def names(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as archive:
        return set(archive.namelist())


def contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def test_package_holds_project_deps_runtime_settings_and_manifest(project: Path) -> None:
    stage = make_stage(
        project,
        app_function="app.app",
        requirements=[WHEEL],
        environment_variables={"API_KEY": "hunter2-from-settings"},
    )
    artifact = build(stage)
    assert artifact.path == project / ".skylift" / "build" / "proj-dev.zip"
    assert artifact.content_hash == hashlib.sha256(artifact.path.read_bytes()).hexdigest()
    assert artifact.size == artifact.path.stat().st_size
    assert artifact.handler == "skylift.runtime.handler.lambda_handler"
    assert (artifact.runtime, artifact.architecture) == ("python3.12", "x86_64")
    files = contents(artifact.path)
    assert {"app.py", "purepkg/__init__.py", "purepkg-1.0.dist-info/METADATA"} <= files.keys()
    assert {
        "skylift/__init__.py",
        "skylift/runtime/__init__.py",
        "skylift/runtime/config.py",
    } <= files.keys()
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in files)
    assert ".env" not in files
    assert "zappa_settings.json" not in files
    assert not any(n.startswith("wheels/") for n in files)  # *.whl is not project code
    everything = b"".join(files.values())
    assert b"hunter2" not in everything  # neither .env nor environment_variables
    settings = json.loads(files[SETTINGS_FILENAME])
    assert set(settings) == set(IDENTITY_KEYS) | set(RUNTIME_SETTING_KEYS)
    assert (settings["stage"], settings["function_name"], settings["app_function"]) == (
        "dev",
        "proj-dev",
        "app.app",
    )


def test_manifest_lists_every_file_with_size_and_hash(project: Path) -> None:
    artifact = build(make_stage(project, requirements=[WHEEL]))
    files = contents(artifact.path)
    manifest = json.loads(files[MANIFEST_NAME])
    assert manifest == artifact.manifest
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(files) - {MANIFEST_NAME}
    for name, data in files.items():
        if name != MANIFEST_NAME:
            assert listed[name]["size"] == len(data)
            assert listed[name]["sha256"] == hashlib.sha256(data).hexdigest()
    (dep,) = manifest["dependencies"]
    assert (dep["name"], dep["version"], dep["tag"]) == ("purepkg", "1.0", "py3-none-any")


def test_same_inputs_give_a_byte_identical_zip(project: Path, tmp_path: Path) -> None:
    stage = make_stage(project, requirements=[WHEEL])
    first = build(stage, output=tmp_path / "a.zip")
    os.utime(project / "app.py", ns=(1, 1))  # a new mtime forces a real rebuild
    second = build(stage, output=tmp_path / "b.zip")
    assert not second.reused
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.content_hash == second.content_hash
    with zipfile.ZipFile(first.path) as archive:
        assert [i.filename for i in archive.infolist()] == sorted(archive.namelist())


def test_unchanged_project_reuses_the_artifact(project: Path) -> None:
    stage = make_stage(project, requirements=[WHEEL])
    first = build(stage)
    again = build(stage)
    assert again.reused
    assert not first.reused
    assert again.content_hash == first.content_hash
    assert again.report is not None
    assert again.report.included == first.report.included
    (project / "app.py").write_text("changed = True\n", encoding="utf-8")
    changed = build(stage)
    assert not changed.reused
    assert changed.content_hash != first.content_hash
    changed.path.write_bytes(b"tampered")
    assert not build(stage).reused
    env_only = make_stage(project, requirements=[WHEEL], environment_variables={"A": "1"})
    assert build(env_only).reused  # environment variables never change the zip


def test_lambda_handler_setting_is_the_handler(project: Path) -> None:
    artifact = build(make_stage(project, requirements=[], lambda_handler="app.handler"))
    assert artifact.handler == "app.handler"


def test_excludes_apply_to_dependencies_too(project: Path) -> None:
    artifact = build(make_stage(project, requirements=[WHEEL], exclude=["tests"]))
    assert "purepkg/tests/test_x.py" not in names(artifact.path)
    assert artifact.report is not None
    assert ("purepkg/tests/", "exclude: tests") in artifact.report.excluded


def test_compression_level_zero_stores(project: Path) -> None:
    artifact = build(make_stage(project, requirements=[], compression_level=0))
    with zipfile.ZipFile(artifact.path) as archive:
        assert archive.getinfo("app.py").compress_type == zipfile.ZIP_STORED


def test_slim_handler_puts_dependencies_in_a_second_archive(project: Path) -> None:
    artifact = build(make_stage(project, requirements=[WHEEL], slim_handler=True))
    assert artifact.slim_archive == project / ".skylift" / "build" / "proj-dev-deps.zip"
    assert artifact.slim_hash == hashlib.sha256(artifact.slim_archive.read_bytes()).hexdigest()
    assert artifact.layer_archive is None
    function = names(artifact.path)
    assert "app.py" in function
    assert "skylift/runtime/config.py" in function
    assert not any(n.startswith("purepkg") for n in function)
    assert "purepkg/__init__.py" in names(artifact.slim_archive)
    assert artifact.manifest["dependencies_archive_sha256"] == artifact.slim_hash
    assert json.loads(contents(artifact.path)[SETTINGS_FILENAME])["slim_handler"] is True


def test_layers_auto_puts_dependencies_under_python(project: Path) -> None:
    artifact = build(make_stage(project, requirements=[WHEEL], layers="auto"))
    assert artifact.layer_archive is not None
    assert artifact.layer_hash
    assert "python/purepkg/__init__.py" in names(artifact.layer_archive)
    assert not any(n.startswith("purepkg") for n in names(artifact.path))
    again = build(
        make_stage(project, requirements=[WHEEL], layers="auto"), output=project / "other.zip"
    )
    assert again.layer_hash == artifact.layer_hash


def test_native_file_built_for_another_machine_is_refused(project: Path) -> None:
    (project / "fast.cpython-312-x86_64-linux-gnu.so").write_bytes(make_elf(62, ("GLIBC_2.39",)))
    out = project / "out.zip"
    with pytest.raises(
        PackagingError, match=r"needs glibc 2\.39, python3\.12 has glibc 2\.34"
    ) as info:
        build(make_stage(project, requirements=[]), output=out)
    assert "the project" in info.value.message
    assert not out.exists()


def test_wheel_with_a_foreign_extension_is_refused(project: Path) -> None:
    make_wheel(
        project / "wheels",
        "liar",
        files={"liar/__init__.py": b"", "liar/_c.cpython-312-x86_64-linux-gnu.so": make_elf(183)},
        tag="cp312-cp312-manylinux_2_17_x86_64",
    )
    req = "./wheels/liar-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"
    with pytest.raises(PackagingError, match=r"liar 1\.0.*ELF machine 183"):
        build(make_stage(project, requirements=[req]))
    with pytest.raises(PackagingError, match=r"does not run on python3\.12 on arm64"):
        build(make_stage(project, requirements=[req], architecture="arm64"))


def test_wheel_for_another_platform_is_refused(project: Path) -> None:
    make_wheel(project / "wheels", "mac", tag="cp312-cp312-macosx_11_0_arm64")
    with pytest.raises(PackagingError):
        build(
            make_stage(project, requirements=["./wheels/mac-1.0-cp312-cp312-macosx_11_0_arm64.whl"])
        )


def test_bad_requirement_is_a_clear_error(project: Path) -> None:
    with pytest.raises(PackagingError, match="Cannot resolve") as info:
        build(make_stage(project, requirements=["fla sk!!"]))
    assert "fla sk!!" in info.value.message
    assert info.value.hint
    assert "requirement" in info.value.hint


def test_too_big_without_slim_or_layers(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "UNZIPPED_LIMIT", 1000)
    with pytest.raises(PackagingError, match="250 MiB") as info:
        build(make_stage(project, requirements=[WHEEL]))
    assert info.value.hint
    assert "slim_handler" in info.value.hint


def test_slim_dependencies_must_fit_tmp(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "_TMP_HEADROOM", 512 * limits.MB)
    with pytest.raises(PackagingError, match="/tmp") as info:
        build(make_stage(project, requirements=[WHEEL], slim_handler=True))
    assert info.value.hint
    assert "ephemeral_storage" in info.value.hint


def test_callbacks_get_the_stage_and_the_archive(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "hooks.py").write_text(
        "import pathlib\n"
        "def on_settings(stage):\n"
        "    pathlib.Path('settings.log').write_text(stage.name)\n"
        "def on_zip(path):\n"
        "    pathlib.Path('zip.log').write_text(str(path))\n",
        encoding="utf-8",
    )
    stage = make_stage(
        project, requirements=[], callbacks={"settings": "hooks.on_settings", "zip": "hooks.on_zip"}
    )
    monkeypatch.chdir(project)
    artifact = build(stage)
    assert (project / "settings.log").read_text(encoding="utf-8") == "dev"
    assert (project / "zip.log").read_text(encoding="utf-8") == str(artifact.path)
    assert not build(stage).reused  # a zip callback may change the archive: always rebuilt


def test_broken_callback_is_a_clear_error(project: Path) -> None:
    stage = make_stage(project, requirements=[], callbacks={"zip": "nowhere.func"})
    with pytest.raises(PackagingError, match=r"callbacks\.zip: cannot import module 'nowhere'"):
        build(stage)


def test_project_file_shadowing_a_dependency_wins_with_a_warning(project: Path) -> None:
    (project / "purepkg").mkdir()
    (project / "purepkg" / "__init__.py").write_text("VALUE = 'mine'\n", encoding="utf-8")
    artifact = build(make_stage(project, requirements=[WHEEL]))
    assert contents(artifact.path)["purepkg/__init__.py"] == b"VALUE = 'mine'\n"
    assert artifact.report is not None
    assert any("purepkg/__init__.py" in w for w in artifact.report.warnings)


def test_progress_on_a_terminal(project: Path) -> None:
    import io

    from rich.console import Console

    from skylift.packaging.progress import RichReporter, terminal_reporter

    buffer = io.StringIO()
    reporter = terminal_reporter(Console(file=buffer, force_terminal=True, width=80))
    assert isinstance(reporter, RichReporter)
    build(make_stage(project, requirements=[WHEEL]), reporter=reporter)
    reporter.close()
    assert "Zipping" in buffer.getvalue()
    plain = terminal_reporter(Console(file=io.StringIO(), force_terminal=False))
    assert not isinstance(plain, RichReporter)


def test_wheel_member_escaping_the_package_is_refused(project: Path) -> None:
    make_wheel(
        project / "wheels", "evil", files={"../../etc/cron.d/x": b"* * * * * root rm -rf /\n"}
    )
    with pytest.raises(PackagingError, match="outside the package"):
        build(make_stage(project, requirements=["./wheels/evil-1.0-py3-none-any.whl"]))


def fake_uv(folder: Path, stderr: str) -> str:
    script = folder / "fake-uv"
    script.write_text(f"#!/bin/sh\necho '{stderr}' >&2\nexit 2\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


def test_resolution_is_cached_until_refresh(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from skylift.packaging import resolve

    stage = make_stage(project, requirements=[WHEEL])
    first = build(stage)
    monkeypatch.setattr(resolve, "uv_binary", lambda: fake_uv(tmp_path, "error: uv must not run"))
    (project / "app.py").write_text("changed = 1\n", encoding="utf-8")
    second = build(stage)  # project changed, requirements did not: no resolver run
    assert not second.reused
    assert second.manifest["dependencies"] == first.manifest["dependencies"]
    with pytest.raises(PackagingError, match="uv must not run"):
        build(stage, refresh=True)


def test_pip_takes_over_when_uv_is_too_old(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from skylift.packaging import resolve

    too_old = fake_uv(tmp_path, "error: unexpected argument '--excludes' found")
    monkeypatch.setattr(resolve, "uv_binary", lambda: too_old)
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # the wheel is a local file: no index needed
    artifact = build(make_stage(project, requirements=[WHEEL]))
    assert artifact.report is not None
    assert artifact.report.resolver == "pip"
    assert "purepkg/__init__.py" in names(artifact.path)
