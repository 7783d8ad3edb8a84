"""``plan`` is pure: desired x current -> steps. No AWS anywhere in this file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from skylift.aws.errors import BucketNotOwnedError, NameTakenError
from skylift.deploy import steps as st
from skylift.deploy.current import (
    FunctionUrlState,
    HttpApiState,
    LayerState,
    RestApiState,
    StatementState,
    VersionState,
)
from skylift.deploy.desired import SLIM_ENV, desired_state
from skylift.deploy.display import plan_lines
from skylift.deploy.model import Later
from skylift.deploy.names import SID_REST_API, SID_URL, SID_URL_INVOKE
from skylift.deploy.plan import plan, preflight
from skylift.errors import DeployError
from tests.unit.deploy.support import (
    ACCOUNT,
    REGION,
    deployed,
    make_artifact,
    make_desired,
    make_stage,
    nothing,
)


def kinds(planned: object) -> list[str]:
    return [type(s).__name__ for s in planned.steps]  # type: ignore[attr-defined]


def test_first_deploy_creates_everything_in_order(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    assert kinds(plan(desired, nothing(desired))) == [
        "CreateBucket",
        "BlockPublicAccess",
        "EncryptBucket",
        "UploadObject",
        "CreateLogGroup",
        "CreateRole",
        "PutRolePolicy",
        "CreateFunction",
        "PublishVersion",
        "PointAlias",
        "CreateRestApi",
        "CreateProxyResource",
        "PutMethod",
        "PutIntegration",
        "PutMethod",
        "PutIntegration",
        "CreateDeployment",
        "AddPermission",
    ]


def test_converged_stage_plans_nothing(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    assert plan(desired, deployed(desired)).empty


def test_new_code_updates_code_only_and_releases_it(tmp_path: Path) -> None:
    old = make_desired(tmp_path, code="v1")
    new = make_desired(tmp_path, code="v2")
    planned = plan(new, deployed(old))
    assert kinds(planned) == ["UploadObject", "UpdateFunctionCode", "PublishVersion", "PointAlias"]
    alias = planned.steps[-1]
    assert isinstance(alias, st.PointAlias)
    assert alias.version == Later("version")
    assert alias.before == "1"


def test_same_code_is_never_uploaded_or_updated(tmp_path: Path) -> None:
    desired = make_desired(tmp_path, memory_size=1024)
    current = deployed(make_desired(tmp_path))
    current = replace(current, bucket=replace(current.bucket, objects={}))  # artifact pruned
    planned = plan(desired, current)
    assert kinds(planned) == ["UpdateFunctionConfiguration", "PublishVersion", "PointAlias"]
    update = planned.steps[0]
    assert isinstance(update, st.UpdateFunctionConfiguration)
    assert [(c.field, c.before, c.after) for c in update.details()] == [("memory_size", 512, 1024)]
    assert update.fields == ("memory_size",)


def test_environment_changes_show_names_never_values(tmp_path: Path) -> None:
    before = make_desired(tmp_path, environment_variables={"A": "1", "GONE": "x"})
    after = make_desired(
        tmp_path, environment_variables={"A": "secret-2", "NEW": "y"}, aws_environment_variables={}
    )
    update = plan(after, deployed(before)).steps[0]
    shown = [c.to_json() for c in update.details()]
    assert shown == [
        {"field": "environment.A", "before": "(old value)", "after": "(new value)"},
        {"field": "environment.GONE", "before": "(set)", "after": None},
        {"field": "environment.NEW", "before": None, "after": "(set)"},
    ]
    assert "secret-2" not in repr(shown)


def test_aws_environment_variables_join_the_environment(tmp_path: Path) -> None:
    desired = make_desired(
        tmp_path, environment_variables={"A": "1"}, aws_environment_variables={"A": "2", "B": "3"}
    )
    assert dict(desired.function.config.environment) == {"A": "2", "B": "3"}


def test_after_a_rollback_update_moves_the_alias_back_without_publishing(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    current = replace(deployed(desired, versions=2), alias_version="1")
    old = replace(current.versions[0], code_sha256="b2xk")
    current = replace(current, versions=(old, current.versions[1]))
    planned = plan(desired, current)
    assert kinds(planned) == ["PointAlias"]
    assert planned.steps[0].version == "2"  # type: ignore[attr-defined]


def test_latest_updated_but_never_published_gets_published(tmp_path: Path) -> None:
    """A run that failed after UpdateFunctionCode: the next one publishes, without re-updating."""
    old, new = make_desired(tmp_path, code="v1"), make_desired(tmp_path, code="v2")
    current = deployed(old)
    assert current.function is not None
    latest = replace(current.function, code_sha256=new.function.code_sha256)
    assert kinds(plan(new, replace(current, function=latest))) == ["PublishVersion", "PointAlias"]


def test_tags_and_concurrency_change_without_a_new_version(tmp_path: Path) -> None:
    before = make_desired(tmp_path, tags={"team": "a", "old": "x"})
    after = make_desired(tmp_path, tags={"team": "b"}, lambda_concurrency=3)
    planned = plan(after, deployed(before))
    assert kinds(planned) == ["TagFunction", "SetConcurrency"]
    tag = planned.steps[0]
    assert isinstance(tag, st.TagFunction)
    assert dict(tag.tags) == {"team": "b"}
    assert tag.remove == ("old",)


def test_publishing_prunes_beyond_the_retained_versions(tmp_path: Path) -> None:
    old = make_desired(tmp_path, code="v1", num_retained_versions=3)
    new = make_desired(tmp_path, code="v2", num_retained_versions=3)
    current = deployed(old, versions=4)
    stale_key = f"{new.object_prefix}{'0' * 64}.zip"
    current = replace(current, bucket=replace(current.bucket, objects={stale_key: "2020"}))
    planned = plan(new, current)
    deleted = [s.version for s in planned.steps if isinstance(s, st.DeleteVersion)]
    assert deleted == [1, 2]  # keeps 3, 4 and the new one
    objects = [s for s in planned.steps if isinstance(s, st.DeleteObjects)]
    assert objects[0].keys == (stale_key,)
    assert old.function.code.key not in objects[0].keys  # versions 3 and 4 still run it


def test_switching_to_http_api_and_function_url(tmp_path: Path) -> None:
    before = make_desired(tmp_path)
    after = make_desired(tmp_path, apigateway_version="v2", function_url_enabled=True)
    planned = plan(after, deployed(before))
    assert kinds(planned) == [
        "DeleteRestApi",
        "CreateHttpApi",
        "CreateIntegration",
        "PutRoute",
        "CreateHttpStage",
        "PutFunctionUrl",
        "RemovePermission",
        "AddPermission",
        "AddPermission",
        "AddPermission",
    ]
    sids = [s.spec.sid for s in planned.steps if isinstance(s, st.AddPermission)]
    assert sids == ["skylift-http-api", SID_URL, SID_URL_INVOKE]
    http_perm = planned.steps[7]
    assert isinstance(http_perm, st.AddPermission)
    assert http_perm.spec.source_arn == Later(
        "http_api_id", f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{{}}/*"
    )
    assert not any(isinstance(s, st.PublishVersion) for s in planned.steps)


def test_http_api_converged_plans_nothing(tmp_path: Path) -> None:
    desired = make_desired(tmp_path, apigateway_version="v2", function_url_enabled=True)
    base = deployed(make_desired(tmp_path))
    http = HttpApiState(
        id="h1",
        name=desired.function.name,
        tags=desired.function.tags,
        integrations={"i1": desired.alias_arn},
        routes={"$default": ("r1", "integrations/i1")},
        stages=frozenset({"$default"}),
    )
    perms = {
        "skylift-http-api": StatementState(
            "skylift-http-api",
            "apigateway.amazonaws.com",
            "lambda:InvokeFunction",
            source_arn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:h1/*",
        ),
        SID_URL: StatementState(SID_URL, "*", "lambda:InvokeFunctionUrl", url_auth_type="NONE"),
        SID_URL_INVOKE: StatementState(
            SID_URL_INVOKE, "*", "lambda:InvokeFunction", invoked_via_url=True
        ),
    }
    url = FunctionUrlState(
        url="https://x.lambda-url.on.aws/", auth_type="NONE", cors=None, invoke_mode="BUFFERED"
    )
    current = replace(base, rest_apis=(), http_apis=(http,), permissions=perms, function_url=url)
    assert plan(desired, current).empty


def test_function_url_turned_off_is_deleted_with_its_permissions(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    current = deployed(desired)
    url = FunctionUrlState(url="https://x/", auth_type="NONE", cors=None, invoke_mode="BUFFERED")
    perms = dict(current.permissions)
    perms[SID_URL] = StatementState(SID_URL, "*", "lambda:InvokeFunctionUrl", url_auth_type="NONE")
    planned = plan(desired, replace(current, function_url=url, permissions=perms))
    assert kinds(planned) == ["DeleteFunctionUrl", "RemovePermission"]


def test_a_permission_for_another_api_is_replaced(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    current = deployed(desired)
    wrong = replace(current.permissions[SID_REST_API], source_arn="arn:aws:execute-api:x:y:old/*")
    planned = plan(desired, replace(current, permissions={SID_REST_API: wrong}))
    assert kinds(planned) == ["RemovePermission", "AddPermission"]


def test_twin_rest_apis_from_a_lost_response_are_cleaned_up(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    current = deployed(desired)
    twin = RestApiState(id="twin", name=desired.function.name, tags=desired.function.tags)
    planned = plan(desired, replace(current, rest_apis=(twin, *current.rest_apis)))
    assert kinds(planned) == ["DeleteRestApi"]
    assert planned.steps[0].api_id == "twin"  # type: ignore[attr-defined]


def test_partial_rest_api_is_completed_and_deployed(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    current = deployed(desired)
    api = replace(current.rest_apis[0], proxy_id=None, methods={}, stages=frozenset())
    planned = plan(desired, replace(current, rest_apis=(api,)))
    assert kinds(planned) == [
        "CreateProxyResource",
        "PutMethod",
        "PutIntegration",
        "PutMethod",
        "PutIntegration",
        "CreateDeployment",
    ]


def test_iam_authorization_replaces_the_methods_and_redeploys(tmp_path: Path) -> None:
    desired = make_desired(tmp_path, iam_authorization=True)
    planned = plan(desired, deployed(make_desired(tmp_path)))
    assert kinds(planned) == [
        "PutMethod",
        "PutIntegration",
        "PutMethod",
        "PutIntegration",
        "CreateDeployment",
    ]


def test_role_policy_drift_is_put_back(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    current = deployed(desired)
    assert current.role is not None
    role = replace(current.role, policies={})
    planned = plan(desired, replace(current, role=role))
    assert kinds(planned) == ["PutRolePolicy"]


def test_unmanaged_role_is_left_alone(tmp_path: Path) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:role/existing"
    desired = make_desired(tmp_path, role_arn=arn)
    assert desired.function.config.role == arn
    current = replace(deployed(desired), role=None)
    assert plan(desired, current).empty


def test_layer_auto_publishes_once_then_reuses(tmp_path: Path) -> None:
    stage = make_stage(tmp_path, layers="auto")
    artifact = make_artifact(tmp_path / "art", layer="deps")
    desired = desired_state(stage, artifact, account=ACCOUNT, region=REGION, partition="aws")
    assert desired.layer is not None
    first = plan(desired, nothing(desired))
    assert [k for k in kinds(first) if k in {"UploadObject", "PublishLayer"}] == [
        "UploadObject",
        "UploadObject",
        "PublishLayer",
    ]
    create = next(s for s in first.steps if isinstance(s, st.CreateFunction))
    assert create.spec.config.layers == (Later("layer_arn"),)
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:{desired.layer.name}:1"
    existing = replace(nothing(desired), layers=(LayerState(desired.layer.name, ((1, arn),)),))
    again = plan(desired, existing)
    assert "PublishLayer" not in kinds(again)
    create = next(s for s in again.steps if isinstance(s, st.CreateFunction))
    assert create.spec.config.layers == (arn,)


def test_slim_handler_points_the_function_at_its_archive(tmp_path: Path) -> None:
    stage = make_stage(tmp_path, slim_handler=True)
    artifact = make_artifact(tmp_path / "art", slim="deps")
    desired = desired_state(stage, artifact, account=ACCOUNT, region=REGION, partition="aws")
    slim = next(o for o in desired.objects if o.kind == "slim")
    assert desired.function.config.environment[SLIM_ENV] == f"s3://{desired.bucket.name}/{slim.key}"
    current = deployed(desired)
    missing = replace(current, bucket=replace(current.bucket, objects={}))
    assert kinds(plan(desired, missing)) == ["UploadObject"]  # the runtime needs it; code does not


def test_preflight_refuses_a_function_someone_else_made(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    current = deployed(desired)
    assert current.function is not None
    foreign = replace(current.function, tags={"owner": "zappa"})
    with pytest.raises(NameTakenError, match="already exists"):
        preflight(desired, replace(current, function=foreign))


def test_preflight_refuses_a_role_someone_else_made(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    current = deployed(desired)
    assert current.role is not None
    with pytest.raises(NameTakenError, match="IAM role"):
        preflight(desired, replace(current, role=replace(current.role, tags={})))
    named = make_desired(tmp_path, role_name=desired.role.name)
    preflight(named, replace(current, role=replace(current.role, tags={})))  # on purpose: adopted


def test_preflight_refuses_foreign_and_misplaced_buckets(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    empty = nothing(desired)
    with pytest.raises(BucketNotOwnedError, match="another AWS account"):
        preflight(desired, replace(empty, bucket=replace(empty.bucket, owned_by_other=True)))
    elsewhere = replace(empty.bucket, exists=True, region="eu-west-1")
    with pytest.raises(DeployError, match="eu-west-1"):
        preflight(desired, replace(empty, bucket=elsewhere))


def test_preflight_refuses_a_missing_unmanaged_role(tmp_path: Path) -> None:
    desired = make_desired(tmp_path, manage_roles=False, role_name="given")
    with pytest.raises(DeployError, match="does not exist"):
        preflight(desired, nothing(desired))


def test_plan_json_names_every_step(tmp_path: Path) -> None:
    desired = make_desired(tmp_path)
    data = plan(desired, nothing(desired)).to_json()
    assert data["stage"] == "dev"
    assert data["steps"][0] == {
        "action": "create",
        "kind": "s3 bucket",
        "target": desired.bucket.name,
        "changes": [
            {"field": "region", "before": None, "after": REGION},
            {"field": "tags", "before": None, "after": dict(desired.bucket.tags)},
        ],
    }


def test_version_description_differs_from_function_description(tmp_path: Path) -> None:
    """A version reports its own description; that alone never means a new release."""
    desired = make_desired(tmp_path)
    current = deployed(desired)
    version = replace(current.versions[0], description="anything else")
    again = replace(current, versions=(VersionState(1, version.config, version.code_sha256),))
    assert plan(desired, again).empty


@given(
    before=hs.dictionaries(
        hs.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True), hs.text(), max_size=4
    ),
    after=hs.dictionaries(
        hs.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True), hs.text(), max_size=4
    ),
)
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_environment_values_never_reach_the_plan(
    tmp_path: Path, before: dict[str, str], after: dict[str, str]
) -> None:
    secret = "s3cr3t-9f2a"
    old = make_desired(tmp_path, environment_variables={k: secret + v for k, v in before.items()})
    new = make_desired(tmp_path, environment_variables={k: secret + v for k, v in after.items()})
    planned = plan(new, deployed(old))
    shown = json.dumps(planned.to_json()) + "\n".join(plan_lines(planned))
    assert secret not in shown
    updates = [s for s in planned.steps if isinstance(s, st.UpdateFunctionConfiguration)]
    changed = {c.field for s in updates for c in s.details()}
    assert changed == {
        f"environment.{k}" for k in set(before) | set(after) if before.get(k) != after.get(k)
    }


def _step_classes(base: type[st.Step]) -> list[type[st.Step]]:
    found = []
    for cls in base.__subclasses__():
        found += [cls, *_step_classes(cls)]
    return found


def test_every_step_names_its_target() -> None:
    """A step is named by one field (``target_field``) or overrides ``target``: never neither."""
    classes = _step_classes(st.Step)
    assert len(classes) > 40
    for cls in classes:
        assert cls.target_field or cls.target is not st.Step.target, cls.__name__
        if cls.target_field:
            assert cls.target_field.split(".")[0] in cls.__dataclass_fields__, cls.__name__
