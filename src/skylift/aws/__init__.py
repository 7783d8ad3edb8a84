"""Thin typed wrappers over boto3: the only place (with local/) that imports it."""

from skylift.aws.session import Aws, AwsTarget, Identity

__all__ = ["Aws", "AwsTarget", "Identity"]
