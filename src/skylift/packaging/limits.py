"""Lambda's size limits, checked before anything is uploaded.

A function's code, unzipped and with its layers, must fit in 250 MB; a zip
uploaded directly must be under 50 MB (deploy goes through S3 beyond that,
so that one is a warning). With ``slim_handler`` the dependencies unpack into
/tmp at cold start, so they must fit the function's ephemeral storage.
"""

from __future__ import annotations

from dataclasses import dataclass

from skylift.config import Stage
from skylift.errors import PackagingError

MB = 1024 * 1024
ZIPPED_LIMIT = 50 * MB
UNZIPPED_LIMIT = 250 * MB
_TMP_HEADROOM = 32 * MB  # /tmp also holds whatever the app writes


@dataclass(frozen=True)
class Sizes:
    zipped: int
    unzipped: int
    deps_zipped: int = 0  # the slim archive or the layer
    deps_unzipped: int = 0


def human(size: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover


def check(stage: Stage, sizes: Sizes) -> list[str]:
    """Raise when the package cannot be deployed; return warnings otherwise."""
    s = stage.settings
    warnings: list[str] = []
    layered = s.layers == "auto"
    on_function = sizes.unzipped + (sizes.deps_unzipped if layered else 0)
    if on_function > UNZIPPED_LIMIT:
        _too_big(stage, sizes, on_function)
    if s.slim_handler:
        storage = (s.ephemeral_storage.Size if s.ephemeral_storage else 512) * MB
        if sizes.deps_unzipped + _TMP_HEADROOM > storage:
            raise PackagingError(
                f"The dependencies unzip to {human(sizes.deps_unzipped)}, more than the "
                f"{human(storage)} of /tmp they are loaded into at cold start (slim_handler).",
                hint='Raise `ephemeral_storage` (e.g. {"Size": 2048}), or trim the requirements.',
            )
    if sizes.zipped > ZIPPED_LIMIT:
        warnings.append(
            f"The package is {human(sizes.zipped)} zipped, over the 50 MiB Lambda takes in a "
            "direct upload; deploy uploads it through S3 (`s3_bucket`)."
        )
    return warnings


def _too_big(stage: Stage, sizes: Sizes, on_function: int) -> None:
    s = stage.settings
    what = f"{human(on_function)} unzipped"
    if s.layers == "auto":
        hint = "Lambda counts layers in the 250 MiB: use `slim_handler: true` instead of layers."
    elif s.slim_handler:
        hint = (
            "The project files alone are too big: exclude data files with `exclude`/`exclude_glob`."
        )
    else:
        hint = (
            "Set `slim_handler: true` (dependencies loaded into /tmp at cold start) or "
            '`layers: "auto"`, or trim the requirements.'
        )
    raise PackagingError(
        f"The package for stage {stage.name!r} is {what}, over Lambda's 250 MiB limit "
        f"(dependencies: {human(sizes.deps_unzipped or 0)}).",
        hint=hint,
    )
