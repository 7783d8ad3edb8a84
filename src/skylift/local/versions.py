"""PublishVersion with Lambda's numbering: a function's version numbers only ever increase.

moto numbers a new version ``len(versions) + 1``. Once old versions are deleted
(deploy prunes all but ``num_retained_versions``) that is the number of a version
that still exists: two versions share a number and an ARN, every lookup by
qualifier finds the older one (the alias keeps serving the old configuration),
and deleting the function fails on moto's ARN index. Lambda never reuses a
number, even after the version is deleted; only deleting the whole function
starts again at 1. The highest number handed out is kept in moto's own record
of the function, so it goes when the function goes.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from moto.awslambda.models import LambdaBackend, LambdaFunction

_LAST_NUMBER = "skylift_last_version"


class VersionConflict(Exception):
    """A precondition of PublishVersion (CodeSha256, RevisionId) does not hold."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


def publish_version(
    backend: LambdaBackend,
    name_or_arn: str,
    description: str = "",
    code_sha256: str | None = None,
    revision_of: Any = None,
    revision_id: str | None = None,
) -> LambdaFunction:
    """The new version (or the newest one when $LATEST has not changed since it was published).

    ``revision_of(latest)`` gives $LATEST's RevisionId, checked when ``revision_id`` is given.
    Raises moto's not-found error for an unknown function, VersionConflict for a failed
    precondition. The caller holds the control plane's lock.
    """
    storage = backend._lambdas
    latest = storage.get_function_by_name_or_arn_forbid_qualifier(name_or_arn)
    if latest is None:  # only $LATEST was deleted (DeleteFunction Qualifier=$LATEST)
        raise storage.construct_unknown_function_exception(name_or_arn)
    group: dict[str, Any] = storage._functions[latest.function_name]
    if code_sha256 and code_sha256 != latest.code_sha_256:
        raise VersionConflict(
            400,
            "InvalidParameterValueException",
            f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in $LATEST "
            f"({latest.code_sha_256}). Please try again with the CodeSHA256 in $LATEST.",
        )
    if revision_id and revision_of is not None and revision_id != revision_of(latest):
        raise VersionConflict(
            412,
            "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. "
            "Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
        )
    versions: list[LambdaFunction] = group["versions"]
    last = last_number(group)
    newest = versions[-1] if versions else None
    # Unchanged since the last publication: Lambda answers with that version. If that
    # version was deleted, what remains is older and may differ, so a new one is made.
    if newest is not None and int(newest.version) == last and not latest.code_or_config_updated:
        return newest
    version = copy.copy(latest)
    version.set_version(last + 1)
    if description:
        version.description = description
    latest.code_or_config_updated = False
    versions.append(version)
    storage._arns[version.function_arn] = version
    group[_LAST_NUMBER] = last + 1
    return version


def last_number(group: dict[str, Any]) -> int:
    """The highest version number the function has had (0: none yet)."""
    published = [int(v.version) for v in group["versions"]]
    return max([int(group.get(_LAST_NUMBER) or 0), *published])
