"""What to run for an invocation, read from moto's Lambda backend.

A ``FunctionSpec`` freezes one version's code and configuration. Its ``key``
names the environments that can serve it: a new version, new code or a
changed configuration of ``$LATEST`` gets fresh environments, as on Lambda.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from skylift.local.executor.code import digest_of

if TYPE_CHECKING:
    from skylift.local.control import ControlPlane


@dataclass(frozen=True)
class Layer:
    arn: str
    digest: str
    load: Callable[[], bytes] = field(compare=False, repr=False)


@dataclass(frozen=True)
class FunctionSpec:
    account_id: str
    region: str
    function_name: str
    function_arn: str  # unqualified
    version: str  # "$LATEST" or "7"
    invoked_arn: str  # as the caller named it (with its alias or version)
    handler: str
    runtime: str
    memory_size: int
    timeout: int
    environment: tuple[tuple[str, str], ...]
    layers: tuple[Layer, ...]
    architecture: str
    code_digest: str
    load_code: Callable[[], bytes] = field(compare=False, repr=False)
    reserved_concurrency: int | None = field(default=None, compare=False)
    max_retries: int = field(default=2, compare=False)
    # moto's resource policy of the function (its statements name their qualifier)
    policy: Any = field(default=None, compare=False, repr=False)

    @property
    def qualifier(self) -> str | None:
        """The alias or version the caller named, if any."""
        return self.invoked_arn[len(self.function_arn) + 1 :] or None

    @property
    def key(self) -> tuple[Any, ...]:
        """Identity of the environments that may serve this spec."""
        return (
            self.function_arn,
            self.version,
            self.handler,
            self.runtime,
            self.memory_size,
            self.timeout,
            self.environment,
            tuple(layer.digest for layer in self.layers),
            self.code_digest,
        )

    @property
    def log_group(self) -> str:
        return f"/aws/lambda/{self.function_name}"


def split_name(name_or_arn: str, qualifier: str | None) -> tuple[str, str | None, str | None]:
    """(function name, qualifier, region from the ARN) for any way Lambda accepts a name."""
    region = None
    name = name_or_arn
    if name_or_arn.startswith("arn:"):
        parts = name_or_arn.split(":")
        region = parts[3] if len(parts) > 3 else None
        name = parts[6] if len(parts) > 6 else name_or_arn
        if len(parts) > 7 and parts[7]:
            qualifier = parts[7]
    elif ":" in name_or_arn:
        parts = name_or_arn.split(":")
        if len(parts) == 2:  # name:qualifier
            name, qualifier = parts
        elif len(parts) == 3:  # account-id:function:name (partial ARN)
            name = parts[2]
    return name, qualifier, region


def resolve(
    control: ControlPlane, name_or_arn: str, qualifier: str | None, region: str
) -> FunctionSpec:
    """The spec to run; raises moto's ResourceNotFound-style errors for unknown targets."""
    name, qualifier, arn_region = split_name(name_or_arn, qualifier)
    region = arn_region or region
    backend = control.lambda_backend(region)
    with control.lock:
        latest = backend.get_function(name, None)
        version = _route_alias(backend, name, qualifier)
        fn = backend.get_function(name, version)
        return _spec_from(control, backend, fn, latest, name, qualifier, region)


def _route_alias(backend: Any, name: str, qualifier: str | None) -> str | None:
    """Follow an alias, honouring its weighted routing (canaries) as Lambda does."""
    if qualifier is None or qualifier == "$LATEST" or qualifier.isdigit():
        return qualifier
    alias = backend.get_alias(qualifier, name)
    weights = (alias.routing_config or {}).get("AdditionalVersionWeights") or {}
    draw = random.random()
    for extra_version, weight in weights.items():
        draw -= float(weight)
        if draw < 0:
            return str(extra_version)
    return str(alias.function_version)


def _spec_from(
    control: ControlPlane,
    backend: Any,
    fn: Any,
    latest: Any,
    name: str,
    qualifier: str | None,
    region: str,
) -> FunctionSpec:
    unqualified = latest.function_arn
    invoked = f"{unqualified}:{qualifier}" if qualifier else unqualified
    code = fn.code_bytes
    layers: list[Layer] = []
    for entry in fn.layers or []:
        layer_version = backend.layers_versions_by_arn(entry["Arn"])
        if layer_version is None:
            continue
        layers.append(
            Layer(entry["Arn"], layer_version.code_digest, _constant(layer_version.code_bytes))
        )
    reserved = latest.reserved_concurrency
    return FunctionSpec(
        account_id=control.account_id,
        region=region,
        function_name=name,
        function_arn=unqualified,
        version=str(fn.version),
        invoked_arn=invoked,
        handler=fn.handler or "",
        runtime=fn.run_time or "",
        memory_size=int(fn.memory_size or 128),
        timeout=int(fn.timeout or 3),
        environment=tuple(sorted((fn.environment_vars or {}).items())),
        layers=tuple(layers),
        architecture=(fn.architectures or ["x86_64"])[0],
        code_digest=getattr(fn, "code_digest", "") or digest_of(code or b""),
        load_code=_constant(code),
        reserved_concurrency=int(reserved) if reserved not in (None, "") else None,
        max_retries=_max_retries(fn),
        policy=getattr(latest, "policy", None),
    )


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _max_retries(fn: Any) -> int:
    for config in getattr(fn, "event_invoke_config", None) or []:
        retries = config.config.get("MaximumRetryAttempts")
        if retries is not None:
            return int(retries)
    return 2
