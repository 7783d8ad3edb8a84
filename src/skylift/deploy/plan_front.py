"""Planning the front door (REST API, HTTP API, Function URL), invoke permissions and rules.

Everything points at the alias, never at ``$LATEST``, so releasing or
rolling back a version never touches the APIs.
"""

from __future__ import annotations

import hashlib

from skylift.deploy.current import Current, HttpApiState, RestApiState, StatementState
from skylift.deploy.model import Change, Desired, Later, PermissionSpec, Value
from skylift.deploy.names import (
    SID_HTTP_API,
    SID_PREFIX,
    SID_REST_API,
    SID_URL,
    SID_URL_INVOKE,
)
from skylift.deploy.steps import (
    AddPermission,
    CreateDeployment,
    CreateHttpApi,
    CreateHttpStage,
    CreateIntegration,
    CreateProxyResource,
    CreateRestApi,
    DeleteFunctionUrl,
    DeleteHttpApi,
    DeleteRestApi,
    DeleteRule,
    PutFunctionUrl,
    PutIntegration,
    PutMethod,
    PutRoute,
    PutRule,
    PutRuleTarget,
    RemovePermission,
    Step,
)

PROXY_PATH = "/{proxy+}"
HTTP_ROUTE = "$default"
HTTP_STAGE = "$default"
APIGATEWAY = "apigateway.amazonaws.com"
EVENTS = "events.amazonaws.com"


def primary_rest_api(apis: tuple[RestApiState, ...]) -> RestApiState | None:
    """The most complete of our REST APIs (a lost create response can leave twins)."""
    if not apis:
        return None
    return max(
        apis, key=lambda a: (len(a.stages), len(a.methods), a.proxy_id is not None, a.created)
    )


def primary_http_api(apis: tuple[HttpApiState, ...]) -> HttpApiState | None:
    if not apis:
        return None
    return max(apis, key=lambda a: (len(a.stages), len(a.routes), len(a.integrations), a.created))


def rest_api_steps(desired: Desired, current: Current) -> tuple[list[Step], Value | None]:
    """Steps for the REST API, and its id (None when the stage has none)."""
    spec = desired.rest_api
    keep = primary_rest_api(current.rest_apis) if spec else None
    steps: list[Step] = [
        DeleteRestApi(api_id=a.id, name=a.name) for a in current.rest_apis if a is not keep
    ]
    if spec is None:
        return steps, None
    api_id: Value
    root: Value
    proxy: Value | None
    if keep is None:
        steps.append(CreateRestApi(spec=spec))
        api_id, root, proxy = Later("rest_api_id"), Later("root_id"), None
        methods = {}
        stages: frozenset[str] = frozenset()
    else:
        api_id, root, proxy = keep.id, keep.root_id or Later("root_id"), keep.proxy_id
        methods, stages = dict(keep.methods), keep.stages
    if proxy is None:
        steps.append(CreateProxyResource(api_id=api_id, parent_id=root))
        proxy = Later("proxy_id")
    changed = False
    for path, resource in (("/", root), (PROXY_PATH, proxy)):
        method = methods.get(path)
        if method is None or method.authorization != spec.authorization:
            steps.append(
                PutMethod(
                    api_id=api_id, resource_id=resource, path=path, authorization=spec.authorization
                )
            )
            method = None
            changed = True
        if method is None or method.integration_uri != spec.integration_uri:
            before = methods[path].integration_uri if path in methods else None
            steps.append(
                PutIntegration(
                    api_id=api_id,
                    resource_id=resource,
                    path=path,
                    uri=spec.integration_uri,
                    before=before,
                )
            )
            changed = True
    if changed or spec.stage_name not in stages:
        steps.append(CreateDeployment(api_id=api_id, stage_name=spec.stage_name))
    return steps, api_id


def http_api_steps(desired: Desired, current: Current) -> tuple[list[Step], Value | None]:
    spec = desired.http_api
    keep = primary_http_api(current.http_apis) if spec else None
    steps: list[Step] = [
        DeleteHttpApi(api_id=a.id, name=a.name) for a in current.http_apis if a is not keep
    ]
    if spec is None:
        return steps, None
    api_id: Value
    if keep is None:
        steps.append(CreateHttpApi(spec=spec))
        api_id = Later("http_api_id")
        integrations: dict[str, str] = {}
        routes: dict[str, tuple[str, str]] = {}
        stages: frozenset[str] = frozenset()
    else:
        api_id = keep.id
        integrations, routes, stages = dict(keep.integrations), dict(keep.routes), keep.stages
    integration_id: Value | None = next(
        (i for i, uri in integrations.items() if uri == spec.integration_uri), None
    )
    if integration_id is None:
        steps.append(CreateIntegration(api_id=api_id, uri=spec.integration_uri))
        integration_id = Later("integration_id")
    target: Value = (
        Later(integration_id.key, "integrations/{}")
        if isinstance(integration_id, Later)
        else f"integrations/{integration_id}"
    )
    route = routes.get(HTTP_ROUTE)
    if route is None or route[1] != target:
        steps.append(
            PutRoute(
                api_id=api_id,
                route_key=HTTP_ROUTE,
                route_id=route[0] if route else None,
                target_ref=target,
                before=route[1] if route else None,
            )
        )
    if HTTP_STAGE not in stages:
        steps.append(CreateHttpStage(api_id=api_id, stage_name=HTTP_STAGE))
    return steps, api_id


def function_url_steps(desired: Desired, current: Current) -> list[Step]:
    spec, now = desired.function_url, current.function_url
    fn, alias = desired.function.name, desired.alias
    if spec is None:
        return [DeleteFunctionUrl(function=fn, alias=alias)] if now else []
    if now is None:
        return [PutFunctionUrl(function=fn, alias=alias, spec=spec, exists=False)]
    changes = [
        Change(name, before, after)
        for name, before, after in (
            ("auth_type", now.auth_type, spec.auth_type),
            ("cors", now.cors, spec.cors),
            ("invoke_mode", now.invoke_mode, spec.invoke_mode),
        )
        if before != after
    ]
    if not changes:
        return []
    return [
        PutFunctionUrl(function=fn, alias=alias, spec=spec, exists=True, changes=tuple(changes))
    ]


def rule_sid(rule: str) -> str:
    return f"{SID_PREFIX}rule-{hashlib.sha256(rule.encode()).hexdigest()[:16]}"


def desired_permissions(
    desired: Desired, rest_id: Value | None, http_id: Value | None
) -> list[PermissionSpec]:
    perms = []
    if rest_id is not None:
        perms.append(
            PermissionSpec(
                sid=SID_REST_API,
                principal=APIGATEWAY,
                action="lambda:InvokeFunction",
                source_arn=desired.execute_api_arn(rest_id),
            )
        )
    if http_id is not None:
        perms.append(
            PermissionSpec(
                sid=SID_HTTP_API,
                principal=APIGATEWAY,
                action="lambda:InvokeFunction",
                source_arn=desired.execute_api_arn(http_id),
            )
        )
    url = desired.function_url
    if url is not None and url.auth_type == "NONE":
        # Public Function URLs need both statements (AWS's rule since October 2025).
        perms.append(
            PermissionSpec(
                sid=SID_URL, principal="*", action="lambda:InvokeFunctionUrl", url_auth_type="NONE"
            )
        )
        perms.append(
            PermissionSpec(
                sid=SID_URL_INVOKE,
                principal="*",
                action="lambda:InvokeFunction",
                invoked_via_url=True,
            )
        )
    prefix = f"arn:{desired.partition}:events:{desired.region}:{desired.account}:rule/"
    perms += [
        PermissionSpec(
            sid=rule_sid(r.name),
            principal=EVENTS,
            action="lambda:InvokeFunction",
            source_arn=prefix + r.name,
        )
        for r in desired.rules
    ]
    return perms


def _same(spec: PermissionSpec, now: StatementState) -> bool:
    return (
        not isinstance(spec.source_arn, Later)
        and now.principal == spec.principal
        and now.action == spec.action
        and now.source_arn == spec.source_arn
        and (now.url_auth_type or None) == spec.url_auth_type
        and now.invoked_via_url == spec.invoked_via_url
    )


def permission_steps(desired: Desired, current: Current, perms: list[PermissionSpec]) -> list[Step]:
    fn, alias = desired.function.name, desired.alias
    steps: list[Step] = []
    wanted = {p.sid for p in perms}
    for sid in sorted(current.permissions):
        if sid not in wanted:
            steps.append(RemovePermission(function=fn, qualifier=alias, sid=sid))
    for spec in perms:
        now = current.permissions.get(spec.sid)
        if now is not None and _same(spec, now):
            continue
        if now is not None:
            steps.append(RemovePermission(function=fn, qualifier=alias, sid=spec.sid))
        steps.append(AddPermission(function=fn, qualifier=alias, spec=spec))
    return steps


def rule_steps(desired: Desired, current: Current) -> list[Step]:
    steps: list[Step] = []
    wanted = {r.name for r in desired.rules}
    for rule in current.rules:
        if rule.name not in wanted:
            steps.append(DeleteRule(name=rule.name, target_ids=tuple(t[0] for t in rule.targets)))
    now = {r.name: r for r in current.rules}
    for spec in desired.rules:
        have = now.get(spec.name)
        changes = []
        if have is not None:
            for name, before, after in (
                ("expression", have.expression, spec.expression),
                ("enabled", have.enabled, spec.enabled),
                ("description", have.description, spec.description),
            ):
                if before != after:
                    changes.append(Change(name, before, after))
        if have is None or changes:
            steps.append(PutRule(spec=spec, changes=tuple(changes)))
        target = (desired.alias_arn, spec.input)
        if have is None or [(t[1], t[2]) for t in have.targets] != [target]:
            steps.append(PutRuleTarget(rule=spec.name, arn=desired.alias_arn, input=spec.input))
    return steps
