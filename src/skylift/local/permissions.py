"""Lambda resource policies, enforced where AWS enforces them.

API Gateway, EventBridge, SNS and public Function URLs may invoke a function only
when its resource policy (the ``AddPermission`` statements of the version or
alias they name) allows them: the principal, the action, and the conditions
(``AWS:SourceArn`` with ``ArnLike`` wildcards, ``AWS:SourceAccount``,
``lambda:FunctionUrlAuthType``, ``lambda:InvokedViaFunctionUrl``).

moto keeps one list of statements per function and marks the qualifier in
each statement's ``Resource``; a qualified invocation is judged by the
statements on that qualified ARN only, as on AWS (a permission on the
function does not cover its aliases).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

APIGATEWAY = "apigateway.amazonaws.com"
EVENTS = "events.amazonaws.com"
SNS = "sns.amazonaws.com"
ANYONE = "*"
INVOKE = "lambda:InvokeFunction"
INVOKE_URL = "lambda:InvokeFunctionUrl"

# moto keeps these AddPermission parameters as keys of the statement; AWS turns them
# into conditions. (key in moto's statement, condition operator, condition key)
_MOTO_CONDITIONS = (
    ("FunctionUrlAuthType", "StringEquals", "lambda:FunctionUrlAuthType"),
    ("InvokedViaFunctionUrl", "Bool", "lambda:InvokedViaFunctionUrl"),
)
_CACHE_LIMIT = 4096


class Caller(NamedTuple):
    """Who asks to invoke, as a resource policy sees it (a tuple: built on every request)."""

    principal: str  # a service principal, or "*" for an anonymous caller
    source_arn: str | None = None
    source_account: str | None = None
    actions: tuple[str, ...] = (INVOKE,)
    context: tuple[tuple[str, str], ...] = ()  # further condition keys and their values

    def keys(self) -> dict[str, str]:
        keys = {name.lower(): value for name, value in self.context}
        if self.source_arn is not None:
            keys["aws:sourcearn"] = self.source_arn
        if self.source_account is not None:
            keys["aws:sourceaccount"] = self.source_account
        return keys

    def describe(self) -> str:
        who = "anyone" if self.principal == ANYONE else self.principal
        text = f"{who} to call {' and '.join(self.actions)}"
        return f"{text} from {self.source_arn}" if self.source_arn else text


def api_gateway(source_arn: str, account: str) -> Caller:
    return Caller(APIGATEWAY, source_arn, account)


def event_rule(rule_arn: str, account: str) -> Caller:
    return Caller(EVENTS, rule_arn, account)


def sns_topic(topic_arn: str, account: str) -> Caller:
    return Caller(SNS, topic_arn, account)


def public_url() -> Caller:
    """A Function URL with auth type NONE: both actions, for anyone (AWS's rule since 2025-10)."""
    return Caller(
        ANYONE,
        actions=(INVOKE_URL, INVOKE),
        context=(
            ("lambda:FunctionUrlAuthType", "NONE"),
            ("lambda:InvokedViaFunctionUrl", "true"),
        ),
    )


def denial(invoked_arn: str, caller: Caller) -> str:
    """Why ``caller`` may not invoke, and the command(s) that would let it."""
    base = f"aws lambda add-permission --function-name {invoked_arn} --statement-id ID"
    if caller.principal == ANYONE:
        commands = [
            f"{base} --action {INVOKE_URL} --principal '*' --function-url-auth-type NONE",
            f"{base}-invoke --action {INVOKE} --principal '*' --invoked-via-function-url",
        ]
    else:
        command = f"{base} --action {caller.actions[0]} --principal {caller.principal}"
        if caller.source_arn:
            command += f" --source-arn '{caller.source_arn}'"
        commands = [command]
    grants = " and ".join(f"`{c}`" for c in commands)
    return (
        f"the resource policy of {invoked_arn.rpartition(':function:')[2]} does not allow"
        f" {caller.describe()}; grant it with {grants}"
    )


def unqualified_latest(arn: str) -> str:
    """``…:function:f:$LATEST`` is the function itself, for policies as for Invoke."""
    return arn[: -len(":$LATEST")] if arn.endswith(":$LATEST") else arn


def allows(statements: Iterable[Mapping[str, Any]], resource: str, caller: Caller) -> bool:
    """Whether these statements let ``caller`` invoke ``resource``: every action allowed, none denied."""
    resource = unqualified_latest(resource)
    keys = caller.keys()
    relevant = [
        s
        for s in statements
        if _resource_matches(s.get("Resource"), resource)
        and _principal_matches(s.get("Principal"), caller.principal)
    ]
    for action in caller.actions:
        allowed = False
        for statement in relevant:
            if not _action_matches(statement.get("Action"), action):
                continue
            if not _conditions_hold(conditions_of(statement), keys):
                continue
            if str(statement.get("Effect", "Allow")) == "Deny":
                return False
            allowed = True
        if not allowed:
            return False
    return True


class ResourcePolicies:
    """Decisions on moto's policies, remembered until the policy changes (its revision moves)."""

    def __init__(self) -> None:
        self._decided: dict[tuple[Any, ...], bool] = {}

    def allows(self, policy: Any, resource: str, caller: Caller) -> bool:
        if policy is None:
            return False
        key = (id(policy), policy.revision, resource, caller)
        decision = self._decided.get(key)
        if decision is None:
            decision = allows(list(policy.statements), resource, caller)
            if len(self._decided) >= _CACHE_LIMIT:
                self._decided.clear()  # request paths vary without end; start over
            self._decided[key] = decision
        return decision


# --- matching ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _wildcard(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """IAM wildcards: ``*`` any run of characters, ``?`` any one."""
    body = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _like(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return _wildcard(pattern, ignore_case).fullmatch(value) is not None


def arn_like(pattern: str, arn: str) -> bool:
    """``ArnLike``: each of the six colon-separated parts matched on its own, with wildcards."""
    if pattern == "*":
        return True
    wanted = pattern.split(":", 5)
    actual = arn.split(":", 5)
    if len(wanted) != 6 or len(actual) != 6:
        return False
    return all(_like(w, a) for w, a in zip(wanted, actual, strict=True))


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _resource_matches(resource: Any, wanted: str) -> bool:
    return any(_like(unqualified_latest(r), wanted) for r in _listed(resource))


def _action_matches(action: Any, wanted: str) -> bool:
    return any(_like(a, wanted, ignore_case=True) for a in _listed(action))


def _principal_matches(principal: Any, caller: str) -> bool:
    if principal == "*":
        return True
    if not isinstance(principal, Mapping):
        return principal == caller and caller != ANYONE
    if "*" in _listed(principal.get("AWS")):
        return True
    if caller == ANYONE:
        return False
    return caller in _listed(principal.get("Service"))


def conditions_of(statement: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """A statement's conditions, with those moto keeps as statement keys among them."""
    merged: dict[str, dict[str, Any]] = {
        operator: dict(block)
        for operator, block in (statement.get("Condition") or {}).items()
        if isinstance(block, Mapping)
    }
    for field, operator, key in _MOTO_CONDITIONS:
        if field in statement:
            merged.setdefault(operator, {})[key] = statement[field]
    return merged


def _conditions_hold(conditions: Mapping[str, Mapping[str, Any]], keys: Mapping[str, str]) -> bool:
    for operator, block in conditions.items():
        for key, expected in block.items():
            if not _condition(operator, key, _listed(expected), keys):
                return False
    return True


def _condition(operator: str, key: str, expected: list[str], keys: Mapping[str, str]) -> bool:
    if_exists = operator.endswith("IfExists")
    base = operator.removesuffix("IfExists")
    actual = keys.get(key.lower())
    negated = "Not" in base
    if actual is None:
        # IAM: a missing key fails every positive test and passes every negated one
        return if_exists or negated
    test = _TESTS.get(base.replace("Not", ""))
    if test is None:
        return False  # an operator this cloud does not know grants nothing
    matched = any(test(value, actual) for value in expected)
    return not matched if negated else matched


_TESTS: dict[str, Callable[[str, str], bool]] = {
    "StringEquals": lambda expected, actual: expected == actual,
    "StringEqualsIgnoreCase": lambda expected, actual: expected.lower() == actual.lower(),
    "StringLike": lambda expected, actual: _like(expected, actual),
    "ArnEquals": lambda expected, actual: expected == actual,
    "ArnLike": arn_like,
    "Bool": lambda expected, actual: expected.lower() == actual.lower(),
}
