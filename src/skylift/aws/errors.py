"""botocore's exceptions turned into skylift errors: one message a user can act on, and a hint."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import botocore.exceptions

from skylift.errors import AwsError, CredentialsError

__all__ = [
    "AwsError",
    "BucketNotOwnedError",
    "CredentialsError",
    "NameTakenError",
    "ThrottledError",
    "UnknownRegionError",
    "absent_ok",
    "error_code",
    "is_not_found",
    "translate",
]


class UnknownRegionError(AwsError):
    """The region is not one AWS has (or none is set)."""

    exit_code = 2


class NameTakenError(AwsError):
    """A resource with skylift's name for it exists, and skylift did not create it."""


class BucketNotOwnedError(AwsError):
    """The artifact bucket exists and belongs to another account."""


class ThrottledError(AwsError):
    """AWS kept throttling after every retry."""


_BAD_CREDENTIALS = {
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidAccessKeyId",
    "AuthFailure",
    "InvalidToken",
}
_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden"}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "RequestThrottled",
    "RequestThrottledException",
}
_NOT_FOUND = {
    "ResourceNotFoundException",
    "NotFoundException",
    "NoSuchEntity",
    "NoSuchBucket",
    "NoSuchKey",
    "404",
    "NotFound",
    "NoSuchTagSet",
    "NoSuchPublicAccessBlockConfiguration",
    "ServerSideEncryptionConfigurationNotFoundError",
}

_CREDENTIALS_HINT = (
    "Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), run "
    "`aws configure`, or name a profile with profile_name in the settings. "
    "No AWS account? Add --local: the local cloud on this machine needs none."
)


def error_code(exc: BaseException) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def is_not_found(exc: BaseException) -> bool:
    return error_code(exc) in _NOT_FOUND


@contextlib.contextmanager
def absent_ok() -> Iterator[None]:
    """Around a delete: what is already gone is done (re-runs converge); other errors pass."""
    try:
        yield
    except botocore.exceptions.ClientError as exc:
        if not is_not_found(exc):
            raise


def translate(exc: BaseException, doing: str) -> AwsError:
    """The skylift error for a botocore failure while ``doing`` (e.g. "creating the function")."""
    if isinstance(exc, AwsError):
        return exc
    if isinstance(
        exc, botocore.exceptions.NoCredentialsError | botocore.exceptions.PartialCredentialsError
    ):
        return CredentialsError("No usable AWS credentials were found.", hint=_CREDENTIALS_HINT)
    if isinstance(
        exc, botocore.exceptions.CredentialRetrievalError | botocore.exceptions.ProfileNotFound
    ):
        return CredentialsError(
            f"AWS credentials could not be loaded: {exc}", hint=_CREDENTIALS_HINT
        )
    if isinstance(
        exc, botocore.exceptions.EndpointConnectionError | botocore.exceptions.ConnectionError
    ):
        return AwsError(
            f"Could not reach AWS while {doing}: {exc}",
            hint="Check the network, the region, and any endpoint setting "
            "(--endpoint-url, aws_endpoint_urls, AWS_ENDPOINT_URL); is the local cloud running?",
        )
    if isinstance(exc, botocore.exceptions.ClientError):
        return _client_error(exc, doing)
    return AwsError(
        f"AWS call failed while {doing}: {exc}", hint="Re-run the command; it converges."
    )


def _client_error(exc: botocore.exceptions.ClientError, doing: str) -> AwsError:
    code = error_code(exc)
    message = str(exc.response.get("Error", {}).get("Message", "")) or str(exc)
    operation = getattr(exc, "operation_name", "") or "the call"
    if code in _BAD_CREDENTIALS:
        return CredentialsError(
            f"AWS rejected the credentials while {doing} ({code}: {message}).",
            hint=_CREDENTIALS_HINT + " Expired session tokens need refreshing.",
        )
    if code in _DENIED:
        return AwsError(
            f"Access denied while {doing}: {operation} is not allowed ({message}).",
            hint="The credentials in use lack this permission; see docs/deploy.md for the "
            "IAM permissions a deploying user needs.",
        )
    if code in _THROTTLED:
        return ThrottledError(
            f"AWS kept throttling {operation} while {doing}, after {_attempts(exc)} attempts.",
            hint="Wait a minute and run the same command again; it picks up where it stopped.",
        )
    return AwsError(f"AWS refused {operation} while {doing}: {code}: {message}")


def _attempts(exc: botocore.exceptions.ClientError) -> int:
    retries = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0)
    return int(retries) + 1
