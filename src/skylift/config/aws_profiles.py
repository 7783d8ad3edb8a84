"""The AWS profiles of this machine, read from ~/.aws/config and ~/.aws/credentials.

Only names and regions are read (never keys), with configparser, so ``init``
needs neither boto3 nor credentials. AWS_CONFIG_FILE and
AWS_SHARED_CREDENTIALS_FILE move the files, as they do for the AWS CLI.
"""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class AwsProfile:
    name: str
    region: str | None = None


def config_paths() -> tuple[Path, Path]:
    home = Path.home()
    config = os.environ.get("AWS_CONFIG_FILE") or str(home / ".aws" / "config")
    credentials = os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or str(
        home / ".aws" / "credentials"
    )
    return Path(config).expanduser(), Path(credentials).expanduser()


def aws_profiles() -> list[AwsProfile]:
    """Every profile named in either file ('default' first), with its region if set."""
    config_path, credentials_path = config_paths()
    regions: dict[str, str | None] = {}
    for section, values in _sections(config_path):
        name = section.removeprefix("profile ").strip() if section != "default" else "default"
        if section.startswith("sso-session ") or section.startswith("services "):
            continue
        regions[name] = values.get("region") or regions.get(name)
    for section, values in _sections(credentials_path):
        regions.setdefault(section.strip(), values.get("region"))
    names = sorted(regions, key=lambda n: (n != "default", n))
    return [AwsProfile(name, regions[name]) for name in names]


def _sections(path: Path) -> list[tuple[str, dict[str, str]]]:
    parser = configparser.RawConfigParser(default_section="__none__", strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return []  # a broken file means no profiles from it; init still works
    return [(name, dict(parser.items(name))) for name in parser.sections()]


# Where the AWS SDKs find credentials besides the profile files (an EC2 instance role is
# the exception: finding it needs a network call, which init does not make).
CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


def credentials_in_environment() -> bool:
    return any(os.environ.get(name) for name in CREDENTIAL_VARIABLES)


def default_region(profile: AwsProfile | None) -> str:
    """The profile's region, else the environment's, else us-east-1 (Zappa's default)."""
    if profile and profile.region:
        return profile.region
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
