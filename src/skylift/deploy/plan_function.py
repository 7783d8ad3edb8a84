"""Planning the function: layer, code, configuration, the released version, pruning.

A version freezes code and configuration, so the alias only moves to a
version whose code hash and configuration both equal what is desired. An
unchanged artifact never gets UpdateFunctionCode; nothing changed, no step.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, replace

from skylift.deploy.current import Current, VersionState
from skylift.deploy.desired import LAYER_ARN, SLIM_ENV
from skylift.deploy.model import Desired, FunctionConfig, Later, Value
from skylift.deploy.steps import (
    CreateFunction,
    DeleteLayerVersion,
    DeleteObjects,
    DeleteVersion,
    PointAlias,
    PublishLayer,
    PublishVersion,
    SetConcurrency,
    Step,
    TagFunction,
    UpdateFunctionCode,
    UpdateFunctionConfiguration,
)

NEW_VERSION = Later("version")
_AWS_TAG_PREFIX = "aws:"


def desired_config(desired: Desired, current: Current) -> tuple[FunctionConfig, list[Step]]:
    """The configuration with the dependency layer's ARN filled in, and the step publishing it."""
    config = desired.function.config
    layer = desired.layer
    if layer is None:
        return config, []
    existing = next(
        (lay for lay in current.layers if lay.name == layer.name and lay.versions), None
    )
    if existing is None:
        return config, [PublishLayer(spec=layer, bucket=desired.bucket.name)]
    arn = existing.versions[-1][1]
    return replace(config, layers=tuple(arn if v == LAYER_ARN else v for v in config.layers)), []


def code_changes(desired: Desired, current: Current) -> bool:
    f = current.function
    return (
        f is None
        or f.code_sha256 != desired.function.code_sha256
        or f.config.architecture != desired.function.config.architecture
    )


def function_steps(desired: Desired, current: Current, config: FunctionConfig) -> list[Step]:
    spec = desired.function
    f = current.function
    if f is None:
        steps: list[Step] = [
            CreateFunction(spec=replace(spec, config=config), bucket=desired.bucket.name)
        ]
        if spec.concurrency is not None:
            steps.append(SetConcurrency(name=spec.name, value=spec.concurrency, before=None))
        return steps
    steps = []
    if f.code_sha256 != spec.code_sha256 or f.config.architecture != config.architecture:
        steps.append(
            UpdateFunctionCode(
                name=spec.name,
                bucket=desired.bucket.name,
                key=spec.code.key,
                code_sha256=spec.code_sha256,
                before_sha256=f.code_sha256,
                architecture=config.architecture,
                before_architecture=f.config.architecture,
            )
        )
    # The architecture goes with the code (UpdateFunctionCode), not the configuration.
    changes = tuple(c for c in config.diff(f.config) if c.field != "architecture")
    if changes:
        changed = tuple(sorted({c.field.split(".", 1)[0] for c in changes}))
        steps.append(
            UpdateFunctionConfiguration(
                name=spec.name, config=config, changes=changes, fields=changed
            )
        )
    add = {k: v for k, v in spec.tags.items() if f.tags.get(k) != v}
    remove = tuple(
        sorted(k for k in f.tags if k not in spec.tags and not k.startswith(_AWS_TAG_PREFIX))
    )
    if add or remove:
        steps.append(TagFunction(arn=f.arn, tags=add, remove=remove))
    if f.concurrency != spec.concurrency:
        steps.append(SetConcurrency(name=spec.name, value=spec.concurrency, before=f.concurrency))
    return steps


def _matches(version: VersionState | None, desired: Desired, config: FunctionConfig) -> bool:
    """Whether a published version runs exactly the desired code and configuration.

    A version's Description is its own (set at publish), not the function's.
    """
    if version is None or version.code_sha256 != desired.function.code_sha256:
        return False
    return replace(version.config, description=config.description) == config


@dataclass(frozen=True)
class Release:
    steps: list[Step]
    live: Value | None  # the version the alias ends on (None: unchanged)


def release_steps(
    desired: Desired, current: Current, config: FunctionConfig, function_changed: bool
) -> Release:
    """Publish a version if none matches, and point the alias at the matching one."""
    fn = desired.function.name
    if not function_changed and _matches(current.live, desired, config):
        return Release([], None)
    newest = current.versions[-1] if current.versions else None
    steps: list[Step] = []
    target: Value
    if not function_changed and _matches(newest, desired, config):
        assert newest is not None
        target = str(newest.version)
    else:
        steps.append(
            PublishVersion(
                name=fn,
                description=desired.function.version_description,
                code_sha256=desired.function.code_sha256,
            )
        )
        target = NEW_VERSION
    steps.append(
        PointAlias(function=fn, alias=desired.alias, version=target, before=current.alias_version)
    )
    return Release(steps, target)


def prune_steps(
    desired: Desired, current: Current, live: Value, config: FunctionConfig
) -> list[Step]:
    """Keep the newest ``retain`` versions (the live one counted), their layers and archives."""
    fn = desired.function.name
    keep_existing = desired.retain - (1 if isinstance(live, Later) else 0)
    existing = list(current.versions)
    kept = existing[-keep_existing:] if keep_existing > 0 else []
    if not isinstance(live, Later):
        kept += [v for v in existing if str(v.version) == live and v not in kept]
    steps: list[Step] = [
        DeleteVersion(function=fn, version=v.version) for v in existing if v not in kept
    ]
    configs = [v.config for v in kept] + [config]
    used_layers = {_layer_name(arn) for c in configs for arn in c.layers}
    for layer in current.layers:
        if layer.name not in used_layers and (
            desired.layer is None or layer.name != desired.layer.name
        ):
            steps += [DeleteLayerVersion(name=layer.name, version=n) for n, _ in layer.versions]
    keys, layer_hashes = _kept_keys(desired, kept)
    stale = tuple(
        sorted(
            k
            for k in current.bucket.objects
            if k not in keys and not _kept_layer_archive(k, desired.object_prefix, layer_hashes)
        )
    )
    if stale:
        steps.append(DeleteObjects(bucket=desired.bucket.name, keys=stale))
    return steps


def _layer_name(arn: Value) -> str:
    """``arn:aws:lambda:r:a:layer:NAME:3`` -> ``NAME``."""
    return str(arn).rsplit(":", 2)[-2] if str(arn).count(":") >= 2 else str(arn)


def _kept_keys(desired: Desired, kept: list[VersionState]) -> tuple[set[str], set[str]]:
    """The archive keys the kept versions still need, and the hashes of their layers."""
    keys = {o.key for o in desired.objects}
    prefix = desired.object_prefix
    layer_hashes: set[str] = set()
    for v in kept:
        hex_sha = _hex(v.code_sha256)
        if hex_sha:
            keys.add(f"{prefix}{hex_sha}.zip")
        slim = v.config.environment.get(SLIM_ENV, "")
        if slim.startswith("s3://"):
            keys.add(slim.removeprefix("s3://").split("/", 1)[-1])
        for arn in v.config.layers:
            name = _layer_name(arn)
            if name.startswith(desired.layer_prefix):
                layer_hashes.add(name.removeprefix(desired.layer_prefix))
    return keys, layer_hashes


def _kept_layer_archive(key: str, prefix: str, layer_hashes: set[str]) -> bool:
    """Layer archives are keyed by the full hash; a layer's name holds its first 16 digits."""
    if not key.endswith(".layer.zip"):
        return False
    return key.removeprefix(prefix)[:16] in layer_hashes


def _hex(code_sha256: str) -> str:
    try:
        return base64.b64decode(code_sha256, validate=True).hex()
    except (binascii.Error, ValueError):
        return ""
