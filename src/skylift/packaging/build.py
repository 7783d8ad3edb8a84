"""``build(stage)``: the deployment package of a stage, from settings to verified zip(s)."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import skylift
from skylift.config import Stage
from skylift.errors import PackagingError
from skylift.packaging import limits, reuse, verify
from skylift.packaging.artifact import Artifact, BuildReport, DependencyInfo
from skylift.packaging.cache import cache_dir
from skylift.packaging.callbacks import callback_path, run_callback, run_prebuild_script
from skylift.packaging.contents import (
    Planned,
    WheelPlan,
    generated,
    plan_project,
    plan_runtime,
    plan_wheel,
    write_archive,
)
from skylift.packaging.files import Rules, Selection, select_files
from skylift.packaging.progress import NullReporter, Reporter
from skylift.packaging.requirements import Requirements, find_requirements
from skylift.packaging.resolve import Resolution, resolve, uv_binary
from skylift.packaging.target import Target
from skylift.packaging.wheels import Wheel, fetch_all, missing_bytes
from skylift.runtime.config import IDENTITY_KEYS, RUNTIME_SETTING_KEYS, SETTINGS_FILENAME

DEFAULT_HANDLER = "skylift.runtime.handler.lambda_handler"
MANIFEST_NAME = ".skylift/manifest.json"
MANIFEST_FORMAT = 1
BUILD_DIR = Path(".skylift") / "build"


def build(
    stage: Stage,
    *,
    output: Path | None = None,
    compression_level: int | None = None,
    refresh: bool = False,
    reuse_unchanged: bool = True,
    reporter: Reporter | None = None,
) -> Artifact:
    """Build (or reuse) the stage's package; raises PackagingError on anything a user can fix.

    ``output`` defaults to ``.skylift/build/<function>.zip`` in the project;
    ``compression_level`` to the stage's ``compression_level``; ``refresh``
    resolves the requirements again instead of reusing the cached resolution.
    """
    started = time.perf_counter()
    progress = reporter or NullReporter()
    target = Target.for_runtime(stage.settings.runtime, stage.settings.architecture)
    level = stage.settings.compression_level if compression_level is None else compression_level
    if not 0 <= level <= 9:
        raise PackagingError(
            f"Compression level {level} is out of range.", hint="Use 0 (store) to 9 (smallest)."
        )
    out = _output_path(stage, output)
    run_callback(stage, "settings", stage)
    run_prebuild_script(stage)
    requirements = find_requirements(stage)
    selection = select_files(stage.project_dir, _project_rules(stage, out))
    print_ = reuse.fingerprint(stage, target, level, requirements, selection.files, out)
    cache_root = cache_dir()
    can_reuse = reuse_unchanged and not refresh and callback_path(stage, "zip") is None
    if can_reuse and (previous := reuse.load(cache_root, out, print_)) is not None:
        return previous
    job = _Job(stage, target, level, out, cache_root, requirements, selection, progress)
    artifact = job.run(refresh, started)
    if callback_path(stage, "zip") is None:
        reuse.save(cache_root, artifact, print_)
    return artifact


def _output_path(stage: Stage, output: Path | None) -> Path:
    if output is None:
        output = stage.project_dir / BUILD_DIR / f"{stage.function_name}.zip"
    output = Path(output).expanduser().absolute()
    if output.is_dir():
        raise PackagingError(
            f"The output {output} is a folder.", hint="Give a file name, e.g. -o dist/app.zip."
        )
    return output


def _project_rules(stage: Stage, out: Path) -> Rules:
    root = stage.project_dir.resolve()
    skip: set[str] = set()
    for path in (stage.source, out, _sibling(out, "deps"), _sibling(out, "layer")):
        resolved = Path(path).resolve()
        if resolved.is_relative_to(root):
            skip.add(resolved.relative_to(root).as_posix())
    s = stage.settings
    return Rules(tuple(s.exclude), tuple(s.exclude_glob), frozenset(skip))


def _sibling(out: Path, kind: str) -> Path:
    return out.with_name(f"{out.stem}-{kind}.zip")


@dataclass(frozen=True)
class _DepsArchive:
    path: Path | None = None
    sha256: str | None = None
    size: int = 0
    unzipped: int = 0


@dataclass
class _Job:
    stage: Stage
    target: Target
    level: int
    out: Path
    cache_root: Path
    requirements: Requirements
    selection: Selection
    progress: Reporter
    warnings: list[str] = field(default_factory=list)

    def run(self, refresh: bool, started: float) -> Artifact:
        resolution, wheels = self._dependencies(refresh)
        s = self.stage.settings
        mode = "layer" if s.layers == "auto" else "slim" if s.slim_handler else "function"
        dep_rules = Rules(tuple(s.exclude), tuple(s.exclude_glob))
        plans = [plan_wheel(w, dep_rules, "python/" if mode == "layer" else "") for w in wheels]
        project = plan_project(self.selection.files)
        self.progress.step("Verifying native files")
        self._verify(plans, project)
        dep_entries = [e for plan in plans for e in plan.entries]
        deps = self._write_dependencies(mode, dep_entries)
        entries = self._function_entries(project, dep_entries if mode == "function" else [])
        deps_info = _dependency_info(plans, mode)
        manifest = self._manifest(entries, deps_info, resolution, mode, deps.sha256)
        entries.append(generated(MANIFEST_NAME, _json_bytes(manifest)))
        content_hash, unzipped = self._write(self.out, entries, "Zipping")
        size = self.out.stat().st_size
        sizes = limits.Sizes(size, unzipped, deps.size, deps.unzipped)
        self.warnings += limits.check(self.stage, sizes)
        self.warnings += _virtualenv_warning(self.requirements)
        self.progress.close()
        if run_callback(self.stage, "zip", self.out):
            content_hash, size = _rehash(self.out)
        return Artifact(
            path=self.out,
            content_hash=content_hash,
            size=size,
            handler=self.stage.settings.lambda_handler or DEFAULT_HANDLER,
            runtime=self.target.runtime,
            architecture=self.target.architecture,
            manifest=manifest,
            slim_archive=deps.path if mode == "slim" else None,
            slim_hash=deps.sha256 if mode == "slim" else None,
            layer_archive=deps.path if mode == "layer" else None,
            layer_hash=deps.sha256 if mode == "layer" else None,
            unzipped_size=unzipped,
            slim_size=deps.size if mode == "slim" else 0,
            layer_size=deps.size if mode == "layer" else 0,
            report=self._report(resolution, plans, deps_info, started),
        )

    def _write_dependencies(self, mode: str, entries: list[Planned]) -> _DepsArchive:
        """The slim or layer archive; nothing when the dependencies go in the function zip."""
        if mode == "function":
            return _DepsArchive()
        path = _sibling(self.out, "deps" if mode == "slim" else "layer")
        if not entries:
            path.unlink(missing_ok=True)  # a stale archive from an earlier build
            return _DepsArchive()
        sha256, unzipped = self._write(path, entries, f"Zipping the {mode}")
        return _DepsArchive(path, sha256, path.stat().st_size, unzipped)

    def _report(
        self,
        resolution: Resolution,
        plans: list[WheelPlan],
        deps_info: list[DependencyInfo],
        started: float,
    ) -> BuildReport:
        excluded = [*self.selection.excluded, *((p, r) for plan in plans for p, r in plan.excluded)]
        return BuildReport(
            requirements=self.requirements.description,
            resolver=resolution.resolver,
            included=tuple((f.rel, f.size) for f in self.selection.files),
            excluded=tuple(excluded),
            dependencies=tuple(deps_info),
            warnings=tuple(self.warnings),
            seconds=time.perf_counter() - started,
        )

    def _dependencies(self, refresh: bool) -> tuple[Resolution, list[Wheel]]:
        self.progress.step(f"Resolving for {self.target.runtime}/{self.target.architecture}")
        resolution = resolve(
            self.requirements, self.target, self.cache_root, self.stage.project_dir, refresh=refresh
        )
        self.progress.step("Downloading wheels", total=missing_bytes(resolution, self.cache_root))
        wheels = fetch_all(
            resolution,
            self.target,
            self.cache_root,
            uv_binary(),
            on_bytes=self.progress.advance,
        )
        return resolution, wheels

    def _verify(self, plans: list[WheelPlan], project: list[Planned]) -> None:
        problems: list[tuple[str, str, str]] = []
        for plan in plans:
            facts = verify.wheel_facts(plan.wheel.path, plan.wheel.sha256, self.cache_root)
            for entry in plan.entries:
                if verify.is_native(entry.name):
                    reason = verify.problem(entry.name, facts.get(entry.member or ""), self.target)
                    if reason:
                        problems.append(
                            (f"{plan.wheel.name} {plan.wheel.version}", entry.name, reason)
                        )
        for entry in project:
            if verify.is_native(entry.name) and entry.path is not None:
                reason = verify.problem(
                    entry.name, verify.elf_facts(entry.path.read_bytes()), self.target
                )
                if reason:
                    problems.append(("the project", entry.name, reason))
        verify.raise_problems(problems, self.target)

    def _function_entries(self, project: list[Planned], deps: list[Planned]) -> list[Planned]:
        """Dependencies, then the project over them, then skylift's files over both."""
        merged: dict[str, Planned] = {e.name: e for e in deps}
        shadowed: dict[str, list[str]] = {}
        for entry in project:
            if entry.name in merged:
                shadowed.setdefault(merged[entry.name].origin, []).append(entry.name)
            merged[entry.name] = entry
        for origin, names in sorted(shadowed.items()):
            more = f" and {len(names) - 1} more" if len(names) > 1 else ""
            self.warnings.append(
                f"{names[0]}{more} are both project files and part of {origin}: "
                "the project's files are packed."
            )
        for entry in [*plan_runtime(), generated(SETTINGS_FILENAME, self._settings_json())]:
            if merged.get(entry.name, entry).origin == "project":
                self.warnings.append(f"The project's {entry.name} is replaced by skylift's.")
            merged[entry.name] = entry
        return list(merged.values())

    def _settings_json(self) -> bytes:
        resolved = self.stage.resolved()
        settings = resolved["settings"]
        identity = {
            "stage": self.stage.name,
            "project_name": self.stage.project_name,
            "function_name": self.stage.function_name,
        }
        data: dict[str, Any] = {key: identity[key] for key in IDENTITY_KEYS}
        data.update({key: settings.get(key) for key in RUNTIME_SETTING_KEYS})
        return _json_bytes(data)

    def _manifest(
        self,
        entries: list[Planned],
        deps: list[DependencyInfo],
        resolution: Resolution,
        mode: str,
        deps_hash: str | None,
    ) -> dict[str, Any]:
        return {
            "format": MANIFEST_FORMAT,
            "skylift_version": skylift.__version__,
            "stage": self.stage.name,
            "function_name": self.stage.function_name,
            "runtime": self.target.runtime,
            "architecture": self.target.architecture,
            "handler": self.stage.settings.lambda_handler or DEFAULT_HANDLER,
            "resolver": resolution.resolver,
            "dependencies_in": mode,
            "dependencies_archive_sha256": deps_hash,
            "dependencies": [
                {k: v for k, v in d.to_json().items() if k not in ("files", "unzipped")}
                for d in deps
            ],
            "files": [
                {"path": e.name, "size": e.size, "sha256": e.sha256}
                for e in sorted(entries, key=lambda e: e.name)
            ],
        }

    def _write(self, path: Path, entries: list[Planned], label: str) -> tuple[str, int]:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.progress.step(label, total=len(entries), unit="files")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            digest, unzipped = write_archive(tmp, entries, self.level, self.progress.advance)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return digest, unzipped


def _dependency_info(plans: list[WheelPlan], mode: str) -> list[DependencyInfo]:
    return [
        DependencyInfo(
            name=p.wheel.name,
            version=p.wheel.version,
            wheel=p.wheel.path.name,
            tag=p.wheel.tag,
            sha256=p.wheel.sha256,
            files=len(p.entries),
            unzipped=p.unzipped,
            location=mode,
            built_from=p.wheel.built_from,
        )
        for p in sorted(plans, key=lambda p: p.wheel.name.lower())
    ]


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _rehash(path: Path) -> tuple[str, int]:
    from skylift.packaging.cache import sha256_file

    return sha256_file(path), path.stat().st_size


def _virtualenv_warning(requirements: Requirements) -> list[str]:
    """Zappa's fallback packs whatever the virtualenv holds; say so, and how to choose.

    A virtualenv that also holds skylift[local] (moto's server: docker, cfn-lint,
    sympy, ...) or a test stack adds tens of MiB the function never imports.
    """
    if requirements.source != "virtualenv" or not requirements.lines:
        return []
    names = [line.split("==")[0] for line in requirements.lines]
    shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
    return [
        "No requirements.txt, requirements setting or [project].dependencies: packed the "
        f"{requirements.description} ({len(names)} top-level: {shown}). "
        "A requirements.txt packs only what the app needs."
    ]
