"""A package with native code for another architecture fails its init with a clear message.

The local cloud runs host binaries: an arm64 stage's aarch64 wheels on an x86_64
machine used to fail every request with an ImportError from deep inside a wheel.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path

import pytest

from skylift.local.executor.architecture import (
    host_architecture,
    manifest_architectures,
    problem_in_tree,
    problem_in_zips,
)
from tests.unit.local.conftest import Local, server_log
from tests.unit.local.test_gateway_rest import deploy, rest_api

HOST = host_architecture()
OTHER = "arm64" if HOST == "x86_64" else "x86_64"
ELF_MACHINE = {"x86_64": 62, "arm64": 183}
CODE = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'ran'}\n"

pytestmark = pytest.mark.skipif(
    HOST not in ELF_MACHINE, reason="the check applies on x86_64 and arm64 machines"
)


def elf(architecture: str) -> bytes:
    """The start of a 64-bit little-endian shared object for ``architecture``."""
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    header[16:18] = (3).to_bytes(2, "little")  # ET_DYN
    header[18:20] = ELF_MACHINE[architecture].to_bytes(2, "little")
    return bytes(header)


def manifest(*tags: str) -> str:
    dependencies = [{"name": f"dep{n}", "tag": tag} for n, tag in enumerate(tags)]
    return json.dumps({"format": 1, "architecture": "arm64", "dependencies": dependencies})


def package(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def message(built_for: str = OTHER) -> str:
    return message_for(built_for, HOST)


def test_manifest_architectures_read_wheel_platform_tags() -> None:
    tags = (
        "cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64",
        "cp312-abi3-manylinux_2_28_x86_64",
        "py3-none-any",
        "cp312-cp312-linux_x86_64",
    )
    assert manifest_architectures(json.loads(manifest(*tags))) == {"arm64", "x86_64"}
    assert manifest_architectures(json.loads(manifest("py2.py3-none-any"))) == set()
    assert manifest_architectures({"dependencies": [{"tag": 7}, "junk"]}) == set()
    assert manifest_architectures([]) == set()


def message_for(built_for: str, host: str) -> str:
    return (
        f"this package was built for {built_for}; the local cloud runs {host} code: "
        f'set architecture = "{host}" for local runs, or run on an {built_for} machine'
    )


def test_tree_manifest_decides_before_any_file(tmp_path: Path) -> None:
    (tmp_path / ".skylift").mkdir()
    (tmp_path / ".skylift" / "manifest.json").write_text(
        manifest("cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64", "py3-none-any")
    )
    (tmp_path / "stray.so").write_bytes(elf("x86_64"))  # the manifest is what counts
    assert problem_in_tree("arm64", (tmp_path,), host="x86_64") == message_for("arm64", "x86_64")
    assert problem_in_tree("x86_64", (tmp_path,), host="x86_64") is None  # Architectures match
    assert problem_in_tree("arm64", (tmp_path,), host="arm64") is None
    assert problem_in_tree("arm64", (tmp_path,), host="ppc64le") is None  # no Lambda machine


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"app.py": "x = 1"}, None),  # pure Python runs anywhere
        ({"pkg/_speedups.cpython-312-aarch64-linux-gnu.so": elf("arm64")}, "arm64"),
        ({"pkg.libs/libz-1a2b.so.1.2.13": elf("arm64")}, "arm64"),
        ({"pkg/_speedups.so": elf("x86_64")}, None),  # native, but for this machine
        ({"pkg/notes.so": b"not an ELF file at all"}, None),
    ],
)
def test_tree_without_manifest_reads_elf_headers(
    tmp_path: Path, files: dict[str, bytes], expected: str | None
) -> None:
    for name, content in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode())
    found = problem_in_tree("arm64", (tmp_path,), host="x86_64")
    assert found == (message_for(expected, "x86_64") if expected else None)


def test_zips_are_judged_like_trees() -> None:
    native = package({"lib/_c.so": elf("arm64"), "app.py": CODE})
    assert problem_in_zips("arm64", [native], host="x86_64") == message_for("arm64", "x86_64")
    pure_manifest = package({".skylift/manifest.json": manifest("py3-none-any")})
    assert problem_in_zips("arm64", [pure_manifest, b"not a zip"], host="x86_64") is None
    # a layer's native code counts too; x86_64 code under an x86_64 function on arm64
    layer = package({"python/_c.so": elf("x86_64")})
    found = problem_in_zips("x86_64", [pure_manifest, layer], host="arm64")
    assert found == message_for("x86_64", "arm64")
    assert problem_in_zips("x86_64", [pure_manifest, layer], host="x86_64") is None
    # code for neither: named as found, with the function's own setting beside it
    odd = package({".skylift/manifest.json": manifest("cp312-cp312-manylinux2014_i686")})
    found = problem_in_zips("x86_64", [odd], host="arm64")
    assert found == message_for("i686", "arm64") + " (the function's Architectures is x86_64)"


def create(local: Local, files: dict[str, str | bytes], architecture: str) -> str:
    name = f"arch-{uuid.uuid4().hex[:10]}"
    local.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.11",
        Role=local.role,
        Handler="app.handler",
        Code={"ZipFile": package(files)},
        Architectures=[architecture],
    )
    return name


def test_foreign_native_package_fails_init_with_the_reason(local: Local) -> None:
    name = create(local, {"app.py": CODE, "pkg/_core.so": elf(OTHER)}, OTHER)
    # said at once, in the local cloud's log, by CreateFunction
    assert f"lambda: {name}: {message()}" in server_log(local)

    answer, payload = local.invoke(name)
    assert answer["FunctionError"] == "Unhandled"
    assert payload["errorType"] == "Runtime.InvalidEntrypoint"
    assert message() in payload["errorMessage"]
    assert any(
        line.startswith(f"[ERROR] Runtime.InvalidEntrypoint: {message()}")
        for line in local.logs_of(name)
    )

    lam = local.client("lambda")
    version = lam.publish_version(FunctionName=name)["Version"]
    arn = lam.create_alias(FunctionName=name, Name="dev", FunctionVersion=version)["AliasArn"]
    api = rest_api(local, arn)
    result = local.request(f"/restapis/{api}/dev/_user_request_/hello")
    assert (result.status, result.json()) == (502, {"message": "Internal server error"})
    assert f"{name}:{version}: {message()}" in server_log(local)


def test_pure_python_package_of_the_other_architecture_runs(local: Local) -> None:
    api, _alias = deploy(local, CODE, Architectures=[OTHER])
    result = local.request(f"/restapis/{api}/dev/_user_request_/hello")
    assert (result.status, result.body) == (200, b"ran")


def test_update_function_code_can_change_the_architecture(local: Local) -> None:
    """Switching `architecture` for local runs must reach the function (moto ignores it)."""
    lam = local.client("lambda")
    name = create(local, {"app.py": CODE}, OTHER)
    lam.update_function_code(
        FunctionName=name,
        ZipFile=package({"app.py": CODE, "pkg/_core.so": elf(HOST)}),
        Architectures=[HOST],
    )
    assert lam.get_function_configuration(FunctionName=name)["Architectures"] == [HOST]
    answer, payload = local.invoke(name)
    assert "FunctionError" not in answer, payload
    assert lam.publish_version(FunctionName=name)["Architectures"] == [HOST]
