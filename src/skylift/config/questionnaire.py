"""``skylift init``: Zappa's questionnaire, and the settings file it writes.

The questions are Zappa's, in Zappa's order: stage name, AWS profile, S3
bucket, the app (detected from the source), runtime, and whether to deploy
to every region. A ``Prompter`` asks them: the CLI's asks on the terminal,
``Defaults`` takes every default without reading anything (``--yes``).
"""

from __future__ import annotations

import importlib.util
import secrets
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from skylift.config.aws_profiles import (
    AwsProfile,
    aws_profiles,
    credentials_in_environment,
    default_region,
)
from skylift.config.detect import Detected, detect_apps, module_file_exists
from skylift.config.files import SEARCH_ORDER, find_settings_file
from skylift.config.regions import DEFAULT_REGIONS, primary_regions, regional_stage_name
from skylift.config.runtimes import SUPPORTED_RUNTIMES, default_runtime
from skylift.config.stage import default_project_name
from skylift.config.types import API_STAGE_NAME, BUCKET_NAME, DOTTED_PATH, MODULE_PATH, REGION_NAME
from skylift.config.write import FILENAMES, render_settings
from skylift.errors import ConfigError, ConfigNotFoundError, UsageError

InitFormat = Literal["skylift", "zappa"]
Check = Callable[[str], str | None]  # returns what is wrong with an answer, or None

DEFAULT_APP_FUNCTION = "app.app"  # Zappa's default when nothing is found


class Prompter(Protocol):
    """Asks the questions. ``interactive`` is False when nobody can answer (``--yes``)."""

    interactive: bool

    def say(self, text: str) -> None: ...

    def ask(self, question: str, default: str) -> str: ...

    def confirm(self, question: str, default: bool) -> bool: ...

    def warn(self, text: str) -> None: ...


@dataclass
class Defaults:
    """Takes every default and reads nothing: ``skylift init --yes`` and CI. What it is told
    goes to ``echo`` (the CLI prints it) and is kept in ``said``."""

    echo: Callable[[str], None] | None = None
    echo_warning: Callable[[str], None] | None = None
    interactive: bool = False
    said: list[str] = field(default_factory=list)

    def say(self, text: str) -> None:
        self.said.append(text)
        if self.echo:
            self.echo(text)

    def warn(self, text: str) -> None:
        self.said.append(f"Warning: {text}")
        if self.echo_warning:
            self.echo_warning(text)

    def ask(self, question: str, default: str) -> str:
        return default

    def confirm(self, question: str, default: bool) -> bool:
        return default


@dataclass(frozen=True)
class Answers:
    stage: str
    profile: str | None
    region: str
    bucket: str
    app_key: Literal["app_function", "django_settings"]
    app: str
    runtime: str
    regions: tuple[str, ...] = ()  # the other regions the stage is copied to
    aws_credentials: bool = True  # a profile or credentials in the environment were found


@dataclass(frozen=True)
class InitPlan:
    """What ``init`` will write, and where."""

    path: Path
    stages: dict[str, dict[str, Any]]
    text: str
    next_steps: tuple[str, ...]  # commands to run next, each with a comment when several

    @property
    def next_command(self) -> str:
        """The deploy to AWS (the last step)."""
        return self.next_steps[-1].split("#")[0].strip()


def plan_init(
    project_dir: Path | str, prompter: Prompter, *, fmt: InitFormat = "skylift", force: bool = False
) -> InitPlan:
    """Ask the questions and build the file; raises before asking if one would be overwritten."""
    project = Path(project_dir).resolve()
    target = project / FILENAMES["skylift" if fmt == "skylift" else "zappa-json"]
    _refuse_overwrite(project, target, force)
    answers = ask_questions(project, prompter)
    _note_shadowing(project, target, prompter)
    stages = build_stages(answers, project)
    text = render_settings(stages, "skylift" if fmt == "skylift" else "zappa-json")
    return InitPlan(target, stages, text, next_steps(answers))


def _local_cloud_installed() -> bool:
    return importlib.util.find_spec("moto") is not None


def next_steps(answers: Answers) -> tuple[str, ...]:
    """Deploy to AWS; without credentials, first offer the local cloud, which needs none."""
    aws = "skylift deploy --all" if answers.regions else f"skylift deploy {answers.stage}"
    if answers.aws_credentials:
        return (aws,)
    local = f"skylift deploy {answers.stage} --local"
    needs = "" if _local_cloud_installed() else " (pip install 'skylift[local]' first)"
    width = max(len(local), len(aws)) + 2
    return (
        f"{local:<{width}}# on the local cloud on this machine: no AWS account needed{needs}",
        f"{aws:<{width}}# on AWS, once `aws configure` has set up credentials",
    )


def write_plan(plan: InitPlan) -> Path:
    try:
        plan.path.write_text(plan.text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"Cannot write {plan.path}: {exc.strerror or exc}.",
            hint="Run init in a directory you can write to.",
        ) from None
    return plan.path


def _refuse_overwrite(project: Path, target: Path, force: bool) -> None:
    if force:
        return
    if target.exists():
        raise ConfigError(
            f"{target} already exists; init does not overwrite it.",
            hint="Edit it, or run `skylift init --force` to replace it.",
        )
    try:
        existing = find_settings_file(project)
    except ConfigNotFoundError:
        return
    raise ConfigError(
        f"This project already has settings in {existing.name}, which skylift reads as is.",
        hint=f"Use them (`skylift settings dev`), or run `skylift init --force` to write "
        f"{target.name} too (the first of {', '.join(SEARCH_ORDER[:3])}... found wins).",
    )


def _note_shadowing(project: Path, target: Path, prompter: Prompter) -> None:
    try:
        first = find_settings_file(project)
    except ConfigNotFoundError:
        return
    if first != target and SEARCH_ORDER.index(first.name) < SEARCH_ORDER.index(target.name):
        prompter.say(
            f"Note: {first.name} is read before {target.name}; remove it for the new file "
            "to take effect."
        )


# -- the questions -------------------------------------------------------------------


def ask_questions(project: Path, prompter: Prompter) -> Answers:
    prompter.say("skylift init: a few questions, each with a default in [brackets].\n")
    stage = _ask(
        prompter,
        "Name of the stage (dev, staging, production, ...)",
        "dev",
        lambda a: None if API_STAGE_NAME.fullmatch(a) else "Use letters, digits and '_' only.",
    )
    profile = _ask_profile(prompter)
    region = default_region(profile)
    if not REGION_NAME.fullmatch(region):
        region = "us-east-1"
    bucket = _ask(
        prompter,
        "S3 bucket for the packages (created if missing)",
        "skylift-" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(8)),
        _check_bucket,
    )
    app_key, app = _ask_app(project, prompter)
    _warn_if_missing(project, prompter, app_key, app)
    runtime = _ask(
        prompter,
        "Python runtime on Lambda",
        default_runtime(),
        lambda a: (
            None if a in SUPPORTED_RUNTIMES else f"Use one of {', '.join(SUPPORTED_RUNTIMES)}."
        ),
    )
    regions = _ask_global(prompter, region)
    name = profile.name if profile else None
    found = profile is not None or credentials_in_environment()
    return Answers(stage, name, region, bucket, app_key, app, runtime, regions, found)


def _ask(prompter: Prompter, question: str, default: str, check: Check | None = None) -> str:
    for _attempt in range(20):
        answer = prompter.ask(question, default).strip()
        problem = check(answer) if check else None
        if problem is None:
            return answer
        if not prompter.interactive:
            raise UsageError(f"{question}: {answer!r} is not valid: {problem}")
        prompter.say(problem)
    raise UsageError(f"{question}: no valid answer given.", hint="Run `skylift init --yes`.")


def _ask_profile(prompter: Prompter) -> AwsProfile | None:
    profiles = aws_profiles()
    if not profiles:
        prompter.say(
            "No AWS profile found in ~/.aws/config or ~/.aws/credentials: the settings will "
            "use the standard credentials (AWS_ACCESS_KEY_ID, ...). `aws configure` makes one."
        )
        return None
    by_name = {p.name: p for p in profiles}
    if len(profiles) == 1:
        prompter.say(f"Using the AWS profile '{profiles[0].name}'.")
        return profiles[0]
    default = "default" if "default" in by_name else profiles[0].name
    prompter.say("AWS profiles found: " + ", ".join(by_name) + ".")
    name = _ask(
        prompter,
        "AWS profile to deploy with",
        default,
        lambda a: None if a in by_name else f"Pick one of: {', '.join(by_name)}.",
    )
    return by_name[name]


def _check_bucket(answer: str) -> str | None:
    if BUCKET_NAME.fullmatch(answer):
        return None
    return "S3 bucket names are 3-63 lowercase letters, digits, '.' or '-'."


def _ask_app(
    project: Path, prompter: Prompter
) -> tuple[Literal["app_function", "django_settings"], str]:
    found = detect_apps(project)
    django = [d for d in found if d.key == "django_settings"]
    if django:
        prompter.say("This is a Django project.")
        question = "Django settings module"
        answer = _pick(prompter, question, django, _AppShape(project, "django_settings"))
        return "django_settings", answer
    if not found:
        prompter.say(
            "No Flask, Bottle, FastAPI, Starlette, Quart or Pyramid app object found; give "
            "the dotted path of your WSGI or ASGI app."
        )
    return "app_function", _pick(prompter, "App function", found, _AppShape(project))


@dataclass
class _AppShape:
    """What an answer naming the app must be: the right shape, and (unless the user
    insists by giving the same answer twice) a module whose file is in the project."""

    project: Path
    key: Literal["app_function", "django_settings"] = "app_function"
    doubted: set[str] = field(default_factory=set)

    @property
    def example(self) -> str:
        return DEFAULT_APP_FUNCTION if self.key == "app_function" else "mysite.settings"

    def problem(self, answer: str, interactive: bool) -> str | None:
        shape = DOTTED_PATH if self.key == "app_function" else MODULE_PATH
        if not shape.fullmatch(answer):
            return f"Give a dotted path such as '{self.example}'."
        if not interactive or answer in self.doubted or self.module_exists(answer):
            return None
        # Asked once, then believed: it may come from an installed package.
        self.doubted.add(answer)
        file = self.module_file(answer)
        return (
            f"There is no {file}.py or {file}/__init__.py in this project ({self.project}). "
            f"Check the spelling, or answer '{answer}' again to use it anyway (a module from "
            "an installed package)."
        )

    def module(self, answer: str) -> str:
        return answer.rpartition(".")[0] if self.key == "app_function" else answer

    def module_file(self, answer: str) -> str:
        return self.module(answer).replace(".", "/")

    def module_exists(self, answer: str) -> bool:
        return module_file_exists(self.project, self.module(answer))


def _warn_if_missing(
    project: Path, prompter: Prompter, key: Literal["app_function", "django_settings"], app: str
) -> None:
    shape = _AppShape(project, key)
    if not shape.module_exists(app):
        prompter.warn(
            f"using '{app}' although {shape.module_file(app)}.py is not in this project; "
            "it must come from a package in your requirements, or the app will not start."
        )


def _pick(prompter: Prompter, question: str, found: Sequence[Detected], shape: _AppShape) -> str:
    if found:
        prompter.say("Found:")
        for number, candidate in enumerate(found, 1):
            prompter.say(f"  {number}. {candidate}")
        question += " (a number from the list, or a dotted path)"
    path_example = f"a dotted path such as '{shape.example}'"

    def check(answer: str) -> str | None:
        if answer.isdigit() and found:
            if 1 <= int(answer) <= len(found):
                return None
            return f"{answer} is not a number from the list: {_choices(found)}, or {path_example}."
        return shape.problem(answer, prompter.interactive)

    answer = _ask(prompter, question, found[0].value if found else shape.example, check)
    return found[int(answer) - 1].value if answer.isdigit() else answer


def _choices(found: Sequence[Detected]) -> str:
    if len(found) == 1:
        return f"answer 1 ({found[0].value})"
    listed = ", ".join(f"{n} = {d.value}" for n, d in enumerate(found, 1))
    return f"answer 1 to {len(found)} ({listed})"


def _ask_global(prompter: Prompter, region: str) -> tuple[str, ...]:
    prompter.say(
        f"\nThe stage deploys to {region}. It can also be copied to every region "
        "(one stage per region), for fast service worldwide; first-time users usually do not."
    )
    answer = _ask(
        prompter,
        "Deploy globally? n = no, y = all regions, p = the primary region of each area",
        "n",
        lambda a: (
            None if a.lower() in {"n", "no", "y", "yes", "p", "primary"} else "Answer n, y or p."
        ),
    ).lower()
    if answer in {"n", "no"}:
        return ()
    pool = primary_regions() if answer in {"p", "primary"} else DEFAULT_REGIONS
    return tuple(r for r in pool if r != region)


# -- the stages written ----------------------------------------------------------------


def build_stages(answers: Answers, project: Path) -> dict[str, dict[str, Any]]:
    base: dict[str, Any] = {answers.app_key: answers.app, "aws_region": answers.region}
    if answers.profile:
        base["profile_name"] = answers.profile
    base["project_name"] = default_project_name(project)
    base["runtime"] = answers.runtime
    base["s3_bucket"] = answers.bucket
    stages = {answers.stage: base}
    for region in answers.regions:
        # Lambda reads code only from a bucket in its own region: one bucket per region.
        stages[regional_stage_name(answers.stage, region)] = {
            "extends": answers.stage,
            "aws_region": region,
            "s3_bucket": regional_bucket(answers.bucket, region),
        }
    return stages


def regional_bucket(bucket: str, region: str) -> str:
    suffix = f"-{region}"
    return bucket[: 63 - len(suffix)].rstrip(".-") + suffix
