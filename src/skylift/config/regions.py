"""The AWS regions a global ``init`` spreads a stage over.

Zappa's list also names China and GovCloud, which need separate accounts, and
leaves out regions added since; this is the set every new account has enabled
(opt-in regions such as af-south-1 need the account owner to turn them on).
"""

from __future__ import annotations

DEFAULT_REGIONS: tuple[str, ...] = (
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "sa-east-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
)


def primary_regions() -> tuple[str, ...]:
    """Zappa's "primary" choice: the first region of each area (names ending in -1)."""
    return tuple(r for r in DEFAULT_REGIONS if r.endswith("-1"))


def regional_stage_name(stage: str, region: str) -> str:
    """Zappa's name for a stage's copy in another region: ``dev_us_east_1``."""
    return f"{stage}_{region.replace('-', '_')}"
