"""What a cold start may fetch from S3: the slim handler's dependency archive, remote env vars.

``SKYLIFT_SLIM_ARCHIVE=s3://bucket/key`` (set by deploy for ``slim_handler`` stages) names
a zip of the project's dependencies: it is downloaded once per execution environment,
extracted under /tmp and put on ``sys.path`` before the app is imported. ``remote_env``
(``s3://bucket/key.json``, Zappa's setting) holds environment variables as a JSON object.
The S3 client is tasks.aws_client's (boto3 imported lazily, AWS_ENDPOINT_URL_S3 /
AWS_ENDPOINT_URL pointing it at the local cloud).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing costs ~9 ms to import: never at run time
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "SLIM_ENV",
    "load_include_libraries",
    "load_remote_env",
    "load_slim_archive",
    "parse_s3_url",
]

SLIM_ENV = "SKYLIFT_SLIM_ARCHIVE"
_MARKER = ".skylift-complete"


class RemoteError(Exception):
    """An S3 object the cold start needs is missing or unusable."""


def parse_s3_url(url: str) -> tuple[str, str]:
    if not isinstance(url, str) or not url.startswith("s3://"):
        raise RemoteError(f"{url!r} is not an s3://bucket/key URL")
    bucket, _, key = url[5:].partition("/")
    if not bucket or not key:
        raise RemoteError(f"{url!r} is not an s3://bucket/key URL")
    return bucket, key


def s3_client() -> Any:
    from skylift.runtime.tasks import aws_client

    return aws_client("s3", None)


def load_slim_archive(url: str, tmp_dir: str | None = None, client: Any = None) -> str:
    """Download and extract the dependency zip once, put it on sys.path; its directory."""
    import hashlib

    bucket, key = parse_s3_url(url)
    base = tmp_dir or os.environ.get("TMPDIR") or "/tmp"
    target = os.path.join(base, "skylift-deps-" + hashlib.sha256(url.encode()).hexdigest()[:16])
    if not os.path.exists(os.path.join(target, _MARKER)):
        _fetch_and_extract(client or s3_client(), bucket, key, target)
    _add_to_path(target)
    return target


def _fetch_and_extract(client: Any, bucket: str, key: str, target: str) -> None:
    import shutil
    import zipfile

    partial = target + ".part"
    archive = target + ".zip"
    shutil.rmtree(partial, ignore_errors=True)
    try:
        client.download_file(bucket, key, archive)
    except Exception as exc:
        raise RemoteError(f"cannot download the slim archive s3://{bucket}/{key}: {exc}") from exc
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(partial)
    except zipfile.BadZipFile as exc:
        raise RemoteError(f"the slim archive s3://{bucket}/{key} is not a zip: {exc}") from exc
    finally:
        os.remove(archive)  # /tmp is small: keep only the extracted tree
    open(os.path.join(partial, _MARKER), "w").close()
    shutil.rmtree(target, ignore_errors=True)
    os.replace(partial, target)


def _add_to_path(directory: str) -> None:
    """After the task root (the project wins over its dependencies), .pth files honoured."""
    import site

    if directory in sys.path:
        return
    root = os.environ.get("LAMBDA_TASK_ROOT")
    index = sys.path.index(root) + 1 if root in sys.path else 0
    sys.path.insert(index, directory)
    site.addsitedir(directory)  # runs .pth files; the directory is already on the path


def load_include_libraries(libraries: Any, root: str) -> None:
    """Zappa's ``include`` for slim stages: shared libraries loaded with ctypes."""
    if not isinstance(libraries, list) or not libraries:
        return
    from ctypes import cdll

    for library in libraries:
        try:
            cdll.LoadLibrary(os.path.join(root, str(library)))
        except OSError as exc:
            sys.stderr.write(f"[skylift] include: cannot load {library}: {exc}\n")


def load_remote_env(url: str, client: Any = None) -> dict[str, str]:
    """Set the environment variables of a JSON object in S3 (Zappa's ``remote_env``)."""
    import json

    bucket, key = parse_s3_url(url)
    try:
        body = (client or s3_client()).get_object(Bucket=bucket, Key=key)["Body"].read()
    except Exception as exc:
        raise RemoteError(f"cannot read remote_env {url}: {exc}") from exc
    try:
        values = json.loads(body)
    except ValueError as exc:
        raise RemoteError(f"remote_env {url} is not JSON: {exc}") from exc
    if not isinstance(values, dict):
        raise RemoteError(f"remote_env {url} is not a JSON object")
    loaded = {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}
    os.environ.update(loaded)
    return loaded
