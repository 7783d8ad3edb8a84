"""``skylift init``: the questionnaire, what it writes, and its refusals."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from skylift.cli.main import cli
from skylift.config import load_all_stages, load_stage, questionnaire
from skylift.config.aws_profiles import CREDENTIAL_VARIABLES
from skylift.config.questionnaire import Answers, Defaults, build_stages, plan_init, regional_bucket
from skylift.config.regions import DEFAULT_REGIONS, primary_regions
from skylift.config.runtimes import default_runtime
from skylift.config.stage import default_project_name
from tests.conftest import write

FLASK = "from flask import Flask\n\napp = Flask(__name__)\n"


def init(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, ["init", *args], input=input)


def aws_files(config: str = "", credentials: str = "") -> None:
    write(Path(os.environ["AWS_CONFIG_FILE"]), config)
    write(Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"]), credentials)


def test_yes_takes_every_default_and_writes_skylift_toml(project: Path) -> None:
    write(project / "app.py", FLASK)
    result = init("--yes")
    assert result.exit_code == 0, result.output
    text = (project / "skylift.toml").read_text()
    assert text.startswith("[stages.dev]\n")
    stage = load_stage("dev", project)
    s = stage.settings
    assert (s.app_function, s.aws_region, s.runtime) == ("app.app", "us-east-1", default_runtime())
    assert s.profile_name is None  # no profile on this machine: the standard chain
    assert s.s3_bucket is not None
    assert re.fullmatch(r"skylift-[a-z]{8}", s.s3_bucket)
    assert s.project_name == default_project_name(project)
    assert "skylift deploy dev" in result.stderr
    assert result.stdout == ""
    assert "[y/n]" not in result.output.lower()  # nothing was asked


def test_buckets_differ_between_runs(project: Path) -> None:
    write(project / "app.py", FLASK)
    init("--yes")
    first = load_stage("dev", project).settings.s3_bucket
    init("--yes", "--force")
    assert load_stage("dev", project).settings.s3_bucket != first


def test_format_zappa_writes_zappa_settings_json(project: Path) -> None:
    write(project / "app.py", FLASK)
    result = init("--yes", "--format", "zappa")
    assert result.exit_code == 0, result.output
    data = json.loads((project / "zappa_settings.json").read_text())
    assert list(data["dev"]) == sorted(data["dev"])  # as Zappa writes it
    assert data["dev"]["app_function"] == "app.app"
    assert load_stage("dev", project).source.name == "zappa_settings.json"


def test_refuses_to_overwrite_without_force(project: Path) -> None:
    write(project / "skylift.toml", "# mine\n")
    result = init("--yes")
    assert result.exit_code == 2
    assert "skylift.toml already exists" in result.stderr
    assert "--force" in result.stderr
    assert (project / "skylift.toml").read_text() == "# mine\n"
    write(project / "app.py", FLASK)
    assert init("--yes", "--force").exit_code == 0
    assert load_stage("dev", project).settings.app_function == "app.app"


def test_refuses_when_zappa_settings_exist(project: Path) -> None:
    write(project / "zappa_settings.json", '{"dev": {"app_function": "a.b"}}')
    result = init("--yes")
    assert result.exit_code == 2
    assert "already has settings in zappa_settings.json" in result.stderr
    assert not (project / "skylift.toml").exists()


def test_interactive_answers(project: Path) -> None:
    write(project / "app.py", FLASK)
    write(project / "api.py", "from fastapi import FastAPI\napi = FastAPI()\n")
    answers = "bad-name\nprod\nBad_Bucket\nmy-bucket\n2\npython3.12\nn\ny\n"
    result = init(input=answers)
    assert result.exit_code == 0, result.output
    assert "Use letters, digits and '_' only." in result.stderr
    assert "S3 bucket names are 3-63" in result.stderr
    assert "1. app.app (Flask, app.py)" in result.stderr
    assert "2. api.api (FastAPI, api.py)" in result.stderr
    s = load_stage("prod", project).settings
    assert (s.s3_bucket, s.app_function, s.runtime) == ("my-bucket", "api.api", "python3.12")
    assert "skylift deploy prod" in result.stderr


def test_typed_app_path_and_profiles_from_aws_files(project: Path) -> None:
    aws_files(
        config="[default]\nregion = eu-west-1\n\n[profile work]\nregion = ap-southeast-2\n",
        credentials="[other]\naws_access_key_id = x\n",
    )
    write(project / "src" / "web.py", "app = None\n")  # read, not imported: not detected
    result = init(input="\nwork\n\nsrc.web.app\n\n\n\n")
    assert result.exit_code == 0, result.output
    assert "AWS profiles found: default, other, work." in result.stderr
    s = load_stage("dev", project).settings
    assert (s.profile_name, s.aws_region, s.app_function) == (
        "work",
        "ap-southeast-2",
        "src.web.app",
    )


def test_single_profile_is_used_without_asking(project: Path) -> None:
    aws_files(config="[default]\nregion = eu-north-1\n")
    write(project / "app.py", FLASK)
    result = init("--yes")
    assert "Using the AWS profile 'default'." in result.stderr
    s = load_stage("dev", project).settings
    assert (s.profile_name, s.aws_region) == ("default", "eu-north-1")


def test_global_deployment_one_stage_per_region(project: Path) -> None:
    write(project / "app.py", FLASK)
    result = init(input="\n\n\n\ny\ny\n")
    assert result.exit_code == 0, result.output
    stages = {s.name: s for s in load_all_stages(project)}
    others = [r for r in DEFAULT_REGIONS if r != "us-east-1"]
    assert list(stages) == ["dev", *[f"dev_{r.replace('-', '_')}" for r in others]]
    eu = stages["dev_eu_west_1"]
    assert eu.raw["extends"] == "dev"
    assert eu.settings.aws_region == "eu-west-1"
    assert eu.settings.app_function == "app.app"
    assert eu.settings.s3_bucket == f"{stages['dev'].settings.s3_bucket}-eu-west-1"
    assert "skylift deploy --all" in result.stderr


def test_global_primary_regions_only(project: Path) -> None:
    write(project / "app.py", FLASK)
    assert init(input="\n\n\n\np\ny\n").exit_code == 0
    regions = [s.settings.aws_region for s in load_all_stages(project)]
    assert regions == ["us-east-1", *[r for r in primary_regions() if r != "us-east-1"]]
    assert all(r.endswith("-1") for r in regions)


def test_django_project_writes_django_settings(project: Path) -> None:
    write(
        project / "manage.py",
        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n",
    )
    write(project / "site1" / "settings.py", "ROOT_URLCONF = 'site1.urls'\n")
    result = init("--yes")
    assert "This is a Django project." in result.stderr
    stage = load_stage("dev", project)
    assert stage.settings.django_settings == "site1.settings"
    assert "app_function" not in stage.raw


def test_nothing_detected_falls_back_to_app_app(project: Path) -> None:
    result = init("--yes")
    assert result.exit_code == 0
    assert "No Flask, Bottle, FastAPI" in result.stderr
    assert load_stage("dev", project).settings.app_function == "app.app"


def test_no_stdin_without_yes_aborts_with_a_hint(project: Path) -> None:
    result = init(input="")
    assert result.exit_code == 1
    assert "--yes" in result.stderr
    assert not (project / "skylift.toml").exists()


def test_declining_writes_nothing(project: Path) -> None:
    write(project / "app.py", FLASK)
    result = init(input="\n\n\n\n\nn\n")
    assert result.exit_code == 0  # declining is a choice, not a failure
    assert "Nothing written." in result.stderr
    assert "Error" not in result.stderr
    assert "Next:" not in result.stderr
    assert not (project / "skylift.toml").exists()


def test_plan_init_library_api(tmp_path: Path) -> None:
    write(tmp_path / "app.py", FLASK)
    prompter = Defaults()
    plan = plan_init(tmp_path, prompter)
    assert plan.path == tmp_path / "skylift.toml"
    assert plan.stages["dev"]["app_function"] == "app.app"
    assert plan.next_command == "skylift deploy dev"
    assert any("Found:" in line for line in prompter.said)
    assert not plan.path.exists()  # planning writes nothing


def test_build_stages_and_regional_buckets(tmp_path: Path) -> None:
    answers = Answers(
        "dev", "p", "eu-west-1", "b" * 60, "app_function", "a.b", "python3.12", ("us-west-2",)
    )
    stages = build_stages(answers, tmp_path)
    bucket = stages["dev_us_west_2"]["s3_bucket"]
    assert len(bucket) <= 63
    assert bucket.endswith("-us-west-2")
    assert regional_bucket("x.", "us-east-1") == "x-us-east-1"


@pytest.mark.parametrize("broken", ["[default\nregion=x\n", "\x00\x01"])
def test_broken_aws_config_is_not_fatal(project: Path, broken: str) -> None:
    aws_files(config=broken)
    assert init("--yes").exit_code == 0


def test_yes_never_prompts(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_prompt(*args: object, **kwargs: object) -> None:
        raise AssertionError("init --yes asked a question (CI has no stdin)")

    monkeypatch.setattr(click, "prompt", no_prompt)
    monkeypatch.setattr(click, "confirm", no_prompt)
    aws_files(config="[default]\n[profile a]\n[profile b]\n")  # several profiles: a question
    write(project / "app.py", FLASK)
    write(project / "api.py", "from fastapi import FastAPI\napi = FastAPI()\n")
    result = init("--yes")
    assert result.exit_code == 0, result.output
    assert load_stage("dev", project).settings.profile_name == "default"
    assert init(input="\n").exit_code != 0  # the patch is live: without --yes it asks


def test_a_number_outside_the_list_names_the_valid_choices(project: Path) -> None:
    write(project / "app.py", FLASK)
    result = init(input="\n\n9\n\n\n\ny\n")
    assert result.exit_code == 0, result.output
    assert "9 is not a number from the list: answer 1 (app.app)" in result.stderr
    assert "or a dotted path such as 'app.app'" in result.stderr
    assert "Give a dotted path" not in result.stderr
    assert load_stage("dev", project).settings.app_function == "app.app"


def test_out_of_range_lists_every_choice_and_a_path_still_works(project: Path) -> None:
    write(project / "app.py", FLASK)
    write(project / "api.py", "from fastapi import FastAPI\napi = FastAPI()\n")
    result = init(input="\n\n0\napi.api\n\n\ny\n")
    assert result.exit_code == 0, result.output
    assert "0 is not a number from the list: answer 1 to 2" in result.stderr
    assert load_stage("dev", project).settings.app_function == "api.api"


def test_an_app_path_whose_module_is_not_in_the_project_is_asked_again(project: Path) -> None:
    write(project / "app.py", FLASK)
    result = init(input="\n\nnope.x\napp.app\n\n\ny\n")
    assert result.exit_code == 0, result.output
    assert "There is no nope.py or nope/__init__.py in this project" in result.stderr
    assert "answer 'nope.x' again to use it anyway" in result.stderr
    assert load_stage("dev", project).settings.app_function == "app.app"


def test_insisting_on_a_missing_module_accepts_it_with_a_warning(project: Path) -> None:
    write(project / "app.py", FLASK)
    result = init(input="\n\nnope.x\nnope.x\n\n\ny\n")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("There is no nope.py") == 1  # asked once, then believed
    assert "Warning: using 'nope.x' although nope.py is not in this project" in result.stderr
    assert load_stage("dev", project).settings.app_function == "nope.x"


@pytest.mark.parametrize(
    ("files", "answer"),
    [
        (["pkg/web.py"], "pkg.web.app"),  # a module in a namespace package
        (["pkg/web/__init__.py"], "pkg.web.app"),  # a package
        (["server.py"], "server.make_app"),
    ],
)
def test_an_app_path_whose_module_exists_is_taken_at_once(
    project: Path, files: list[str], answer: str
) -> None:
    for name in files:
        write(project / name, "app = None\n")
    result = init(input=f"\n\n{answer}\n\n\ny\n")
    assert result.exit_code == 0, result.output
    assert "There is no" not in result.stderr
    assert load_stage("dev", project).settings.app_function == answer


def test_a_django_settings_module_is_checked_too(project: Path) -> None:
    write(
        project / "manage.py",
        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n",
    )
    write(project / "site1" / "settings.py", "ROOT_URLCONF = 'site1.urls'\n")
    result = init(input="\n\nsite2.settings\n\n\n\ny\n")
    assert result.exit_code == 0, result.output
    assert "There is no site2/settings.py or site2/settings/__init__.py" in result.stderr
    assert load_stage("dev", project).settings.django_settings == "site1.settings"


def test_yes_with_nothing_detected_warns_that_the_guess_is_missing(project: Path) -> None:
    result = init("--yes")
    assert result.exit_code == 0, result.output
    assert "Warning: using 'app.app' although app.py is not in this project" in result.stderr


def no_aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_without_aws_credentials_the_local_cloud_is_suggested(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_aws_credentials(monkeypatch)
    write(project / "app.py", FLASK)
    result = init("--yes")
    assert result.exit_code == 0, result.output
    assert "No AWS credentials were found" in result.stderr
    assert "skylift deploy dev --local" in result.stderr
    assert "no AWS account needed" in result.stderr
    assert "skylift local up" not in result.stderr  # --local starts it
    assert re.search(r"^  skylift deploy dev +# on AWS", result.stderr, re.MULTILINE)


def test_with_a_profile_or_credentials_only_aws_is_suggested(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "app.py", FLASK)
    result = init("--yes")  # the environment has (fake) keys
    assert "Next:\n\n  skylift deploy dev\n" in result.stderr
    assert "--local" not in result.stderr
    no_aws_credentials(monkeypatch)
    aws_files(config="[default]\nregion = eu-west-1\n")
    result = init("--yes", "--force")
    assert "--local" not in result.stderr
    assert "skylift deploy dev" in result.stderr


def test_plan_says_whether_credentials_were_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "app.py", FLASK)
    assert plan_init(tmp_path, Defaults()).next_steps == ("skylift deploy dev",)
    no_aws_credentials(monkeypatch)
    steps = plan_init(tmp_path, Defaults()).next_steps
    assert [step.split("#")[0].strip() for step in steps] == [
        "skylift deploy dev --local",
        "skylift deploy dev",
    ]


def test_without_moto_the_local_suggestion_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "app.py", FLASK)
    no_aws_credentials(monkeypatch)
    monkeypatch.setattr(questionnaire, "_local_cloud_installed", lambda: False)
    local, _aws = plan_init(tmp_path, Defaults()).next_steps
    assert local.endswith("(pip install 'skylift[local]' first)")
