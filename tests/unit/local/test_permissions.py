"""Resource-policy evaluation: principals, actions, qualifiers and conditions as AWS reads them."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from skylift.local.permissions import (
    APIGATEWAY,
    Caller,
    ResourcePolicies,
    allows,
    api_gateway,
    arn_like,
    denial,
    event_rule,
    public_url,
)

FN = "arn:aws:lambda:us-east-1:123456789012:function:hello-dev"
ALIAS = FN + ":dev"
API = "arn:aws:execute-api:us-east-1:123456789012:abc123"


def statement(resource: str = ALIAS, **extra: Any) -> dict[str, Any]:
    """A statement as moto stores what AddPermission was given."""
    return {
        "Sid": "s",
        "Effect": "Allow",
        "Action": "lambda:InvokeFunction",
        "Principal": {"Service": APIGATEWAY},
        "Resource": resource,
        **extra,
    }


def source(pattern: str) -> dict[str, Any]:
    return {"Condition": {"ArnLike": {"AWS:SourceArn": pattern}}}


def test_api_gateway_with_a_wildcard_source_arn() -> None:
    granted = [statement(**source(f"{API}/*"))]
    assert allows(granted, ALIAS, api_gateway(f"{API}/dev/GET/hello", "123456789012"))
    assert allows(granted, ALIAS, api_gateway(f"{API}/prod/POST/", "123456789012"))
    other_api = "arn:aws:execute-api:us-east-1:123456789012:zzz999/dev/GET/hello"
    assert not allows(granted, ALIAS, api_gateway(other_api, "123456789012"))


def test_source_arn_narrowed_to_a_method_and_path() -> None:
    granted = [statement(**source(f"{API}/*/GET/users/*"))]
    assert allows(granted, ALIAS, api_gateway(f"{API}/dev/GET/users/7", "1"))
    assert not allows(granted, ALIAS, api_gateway(f"{API}/dev/POST/users/7", "1"))
    assert not allows(granted, ALIAS, api_gateway(f"{API}/dev/GET/orders/7", "1"))
    single = [statement(**source(f"{API}/de?/GET/"))]
    assert allows(single, ALIAS, api_gateway(f"{API}/dev/GET/", "1"))
    assert not allows(single, ALIAS, api_gateway(f"{API}/prod/GET/", "1"))


def test_no_source_arn_condition_allows_any_api() -> None:
    assert allows([statement()], ALIAS, api_gateway(f"{API}/dev/GET/x", "1"))


def test_qualified_and_unqualified_are_separate_policies() -> None:
    caller = api_gateway(f"{API}/dev/GET/x", "1")
    assert not allows([statement(FN)], ALIAS, caller)
    assert not allows([statement(ALIAS)], FN, caller)
    assert allows([statement(FN + ":$LATEST")], FN, caller)
    assert allows([statement(FN)], FN + ":$LATEST", caller)
    assert not allows([statement(FN + ":prod")], ALIAS, caller)


def test_principal_and_action_must_match() -> None:
    caller = event_rule("arn:aws:events:us-east-1:123456789012:rule/nightly", "1")
    assert not allows([statement()], ALIAS, caller)
    assert allows([statement(Principal={"Service": ["events.amazonaws.com"]})], ALIAS, caller)
    assert allows([statement(Principal="*")], ALIAS, caller)
    assert allows([statement(Principal={"AWS": "*"})], ALIAS, caller)
    assert allows([statement(Principal="*", Action="lambda:*")], ALIAS, caller)
    assert not allows([statement(Principal="*", Action="lambda:GetFunction")], ALIAS, caller)


def test_an_explicit_deny_wins() -> None:
    caller = api_gateway(f"{API}/dev/GET/x", "1")
    granted = [statement(), statement(Effect="Deny", **source(f"{API}/dev/*"))]
    assert not allows(granted, ALIAS, caller)
    assert allows(granted, ALIAS, api_gateway(f"{API}/prod/GET/x", "1"))


def test_source_account_and_other_operators() -> None:
    caller = api_gateway(f"{API}/dev/GET/x", "123456789012")
    mine = {"StringEquals": {"AWS:SourceAccount": "123456789012"}}
    theirs = {"StringEquals": {"AWS:SourceAccount": "999999999999"}}
    assert allows([statement(Condition=mine)], ALIAS, caller)
    assert not allows([statement(Condition=theirs)], ALIAS, caller)
    assert allows(
        [statement(Condition={"ArnNotLike": {"AWS:SourceArn": "*:zzz/*"}})], ALIAS, caller
    )
    # a key the caller does not have: positive tests fail, negated and IfExists ones pass
    org = {"aws:PrincipalOrgID": "o-123"}
    assert not allows([statement(Condition={"StringEquals": org})], ALIAS, caller)
    assert allows([statement(Condition={"StringNotEquals": org})], ALIAS, caller)
    assert allows([statement(Condition={"StringEqualsIfExists": org})], ALIAS, caller)
    assert not allows(
        [statement(Condition={"NumericLessThan": {"aws:SourceArn": "1"}})], ALIAS, caller
    )


def test_public_function_url_needs_both_statements() -> None:
    url_statement = statement(
        Principal="*", Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="NONE"
    )
    invoke_statement = statement(Principal="*", InvokedViaFunctionUrl=True)
    assert allows([url_statement, invoke_statement], ALIAS, public_url())
    assert not allows([url_statement], ALIAS, public_url())
    assert not allows([invoke_statement], ALIAS, public_url())
    iam_only = statement(
        Principal="*", Action="lambda:InvokeFunctionUrl", FunctionUrlAuthType="AWS_IAM"
    )
    assert not allows([iam_only, invoke_statement], ALIAS, public_url())
    # the same statements as AWS shows them, with conditions
    aws_form = [
        statement(
            Principal="*",
            Action="lambda:InvokeFunctionUrl",
            Condition={"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
        ),
        statement(Principal="*", Condition={"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}),
    ]
    assert allows(aws_form, ALIAS, public_url())
    # a service's statement does not open the function to anyone
    assert not allows([statement(Action="lambda:*")], ALIAS, public_url())


def test_decisions_are_remembered_until_the_policy_changes() -> None:
    class Policy:
        def __init__(self) -> None:
            self.revision = "r1"
            self.statements: list[dict[str, Any]] = []

    policy = Policy()
    policies = ResourcePolicies()
    caller = api_gateway(f"{API}/dev/GET/x", "1")
    assert not policies.allows(policy, ALIAS, caller)
    policy.statements.append(statement())
    assert not policies.allows(policy, ALIAS, caller)  # same revision: the same answer
    policy.revision = "r2"
    assert policies.allows(policy, ALIAS, caller)
    assert not policies.allows(None, ALIAS, caller)


def test_denial_names_the_grant() -> None:
    text = denial(ALIAS, api_gateway(f"{API}/dev/GET/x", "1"))
    assert "hello-dev:dev does not allow apigateway.amazonaws.com" in text
    assert f"--source-arn '{API}/dev/GET/x'" in text
    url = denial(ALIAS, public_url())
    assert "--function-url-auth-type NONE" in url
    assert "--invoked-via-function-url" in url
    assert Caller("*").describe().startswith("anyone")


component = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-/$", min_size=1, max_size=12)


@given(st.lists(component, min_size=6, max_size=6), st.integers(min_value=1, max_value=5))
def test_arn_like_matches_component_by_component(parts: list[str], wild: int) -> None:
    arn = ":".join(parts)
    assert arn_like(arn, arn)
    pattern = parts.copy()
    pattern[wild] = "*"
    assert arn_like(":".join(pattern), arn)
    changed = parts.copy()
    changed[wild] = parts[wild] + "x"
    assert not arn_like(arn, ":".join(changed))
    assert arn_like("*", arn)
    assert not arn_like("arn:aws", arn)
