"""One exception hierarchy for everything a user can cause.

Every error carries a message (what went wrong, naming the file, stage, key or
resource involved) and a hint (what to do about it). The CLI prints both and
exits with ``exit_code``; no user-caused error ever shows a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence


class SkyliftError(Exception):
    """Base of every error skylift reports to a user."""

    exit_code: int = 1

    def __init__(
        self, message: str, *, hint: str | None = None, warnings: Sequence[str] = ()
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        # Shown after the hint: things worth knowing that are not this error's cause.
        self.warnings = tuple(warnings)

    def __str__(self) -> str:
        return self.message


class UsageError(SkyliftError):
    """The command line itself is wrong (bad option value, missing argument)."""

    exit_code = 2


class ConfigError(SkyliftError):
    """Settings that cannot be loaded or are invalid: caught before any AWS call."""

    exit_code = 2


class ConfigNotFoundError(ConfigError):
    """No settings file in the project."""


class UnknownStageError(ConfigError):
    """The stage asked for is not in the settings file."""


class PackagingError(SkyliftError):
    """The deployment package cannot be built (requirements, wheels, sizes)."""


class AwsError(SkyliftError):
    """An AWS call failed for a reason the user can act on."""


class CredentialsError(AwsError):
    """No usable AWS credentials or profile."""


class DeployError(SkyliftError):
    """A deployment step failed or the stage is in the wrong state for the verb."""


class NotDeployedError(DeployError):
    """The verb needs a deployed stage and there is none."""


class AlreadyDeployedError(DeployError):
    """``deploy`` on a stage that already exists (use ``update``)."""


class LocalCloudError(SkyliftError):
    """The local cloud cannot be started, reached or stopped."""


class Aborted(SkyliftError):
    """The user declined a confirmation prompt."""

    exit_code = 1
