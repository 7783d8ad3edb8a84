"""S3: the artifact bucket (private, encrypted, ours) and the archives in it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from skylift.aws.errors import absent_ok, error_code, is_not_found

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def bucket_in_account(c: S3Client, bucket: str, account: str) -> tuple[bool, str | None]:
    """(whether the caller's account owns ``bucket``, its region when it does).

    ListBuckets only lists the caller's own buckets, so it tells "ours" from
    "someone else's" on every S3-compatible server (HeadBucket's
    ExpectedBucketOwner is not enforced everywhere).
    """
    try:
        listed = c.list_buckets(Prefix=bucket)
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) not in {"AccessDenied", "AccessDeniedException"}:
            raise
        return _owned_by_head(c, bucket, account)
    for entry in listed.get("Buckets", []):
        if entry.get("Name") == bucket:
            return True, entry.get("BucketRegion") or _region(c, bucket)
    return False, None


def _owned_by_head(c: S3Client, bucket: str, account: str) -> tuple[bool, str | None]:
    try:
        head = c.head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
    except botocore.exceptions.ClientError:
        return False, None
    return True, head.get("BucketRegion")


def _region(c: S3Client, bucket: str) -> str | None:
    try:
        return c.head_bucket(Bucket=bucket).get("BucketRegion")
    except botocore.exceptions.ClientError:
        return None


def bucket_exists(c: S3Client, bucket: str) -> bool:
    """Whether anyone has a bucket of that name (403 means someone else does)."""
    try:
        c.head_bucket(Bucket=bucket)
    except botocore.exceptions.ClientError as exc:
        return not is_not_found(exc)
    return True


def public_access_blocked(c: S3Client, bucket: str) -> bool:
    try:
        conf = c.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return False
        raise
    keys = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    return all(conf.get(k, False) for k in keys)


def encrypted(c: S3Client, bucket: str) -> bool:
    try:
        rules = c.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return False
        raise
    return bool(rules.get("Rules"))


def bucket_tags(c: S3Client, bucket: str) -> dict[str, str]:
    try:
        tag_set = c.get_bucket_tagging(Bucket=bucket).get("TagSet", [])
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return {}
        raise
    return {t["Key"]: t["Value"] for t in tag_set}


def list_objects(c: S3Client, bucket: str, prefix: str) -> dict[str, str]:
    """key -> last modified (ISO) of the objects under ``prefix``."""
    out: dict[str, str] = {}
    try:
        for page in c.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                out[obj["Key"]] = obj["LastModified"].isoformat()
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return {}
        raise
    return out


def any_object(c: S3Client, bucket: str) -> bool:
    return bool(c.list_objects_v2(Bucket=bucket, MaxKeys=1).get("KeyCount", 0))


# -- writes -----------------------------------------------------------------


def create_bucket(c: S3Client, bucket: str, region: str, tags: Mapping[str, str]) -> None:
    kwargs: dict[str, Any] = {"Bucket": bucket, "ObjectOwnership": "BucketOwnerEnforced"}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        c.create_bucket(**kwargs)
    except botocore.exceptions.ClientError as exc:
        if error_code(exc) != "BucketAlreadyOwnedByYou":
            raise
    tag_bucket(c, bucket, tags)


def tag_bucket(c: S3Client, bucket: str, tags: Mapping[str, str]) -> None:
    c.put_bucket_tagging(
        Bucket=bucket, Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}
    )


def block_public_access(c: S3Client, bucket: str) -> None:
    c.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )


def encrypt(c: S3Client, bucket: str) -> None:
    c.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )


def upload(c: S3Client, bucket: str, key: str, path: Path, sha256_hex: str) -> None:
    """Upload a file, encrypted, with its hash recorded (and checked by S3 where supported)."""
    with path.open("rb") as body:
        c.put_object(
            Bucket=bucket,
            Key=key,
            Body=body,
            ServerSideEncryption="AES256",
            Metadata={"sha256": sha256_hex},
        )


def delete_objects(c: S3Client, bucket: str, keys: Sequence[str]) -> None:
    for start in range(0, len(keys), 1000):
        chunk = keys[start : start + 1000]
        with absent_ok():
            c.delete_objects(
                Bucket=bucket,
                Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True},
            )


def delete_bucket(c: S3Client, bucket: str) -> bool:
    """Delete the bucket if it is empty; False when something else still lives in it."""
    try:
        if any_object(c, bucket):
            return False
        c.delete_bucket(Bucket=bucket)
    except botocore.exceptions.ClientError as exc:
        if is_not_found(exc):
            return True
        if error_code(exc) == "BucketNotEmpty":
            return False
        raise
    return True
