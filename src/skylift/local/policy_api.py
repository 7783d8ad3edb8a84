"""AddPermission, GetPolicy and RemovePermission, one policy per version or alias as on AWS.

moto keeps one statement list per function; it drops a qualifier given in
the function name (``name:alias`` or an alias ARN, which Lambda honours),
returns every qualifier's statements from GetPolicy, accepts a statement id
twice and removes a statement without looking at its qualifier. Here the
statements stay in moto (marked with their qualified ARN in ``Resource``)
and these calls read and write them per qualifier, with AWS's answers.
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from skylift.local.awsapi import rest_error
from skylift.local.executor.spec import split_name
from skylift.local.httpserver import Request, Response
from skylift.local.permissions import conditions_of, unqualified_latest

if TYPE_CHECKING:
    from skylift.local.cloud import CloudServer

_MOTO_ONLY_KEYS = ("FunctionUrlAuthType", "InvokedViaFunctionUrl")


class PolicyApi:
    def __init__(self, cloud: CloudServer) -> None:
        self.cloud = cloud

    def handle(self, request: Request, name_or_arn: str, rest: str, region: str) -> Response | None:
        query = {key: values[0] for key, values in parse_qs(request.query).items()}
        name, qualifier, arn_region = split_name(name_or_arn, query.get("Qualifier"))
        region = arn_region or region
        backend = self.cloud.control.lambda_backend(region)
        with self.cloud.control.lock:
            latest = backend.get_function(name, None)  # moto's 404 if there is none
            if qualifier not in (None, "$LATEST"):
                backend.get_function(name, qualifier)  # the version or alias must exist
            resource = unqualified_latest(
                f"{latest.function_arn}:{qualifier}" if qualifier else latest.function_arn
            )
            policy = latest.policy
            if rest == "/policy" and request.method == "POST":
                return self._add(request, backend, name, qualifier, policy, resource)
            if rest == "/policy" and request.method == "GET":
                return _get(policy, resource)
            if rest.startswith("/policy/") and request.method == "DELETE":
                return _remove(policy, resource, rest[len("/policy/") :], query.get("RevisionId"))
        return None

    def _add(
        self,
        request: Request,
        backend: Any,
        name: str,
        qualifier: str | None,
        policy: Any,
        resource: str,
    ) -> Response:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = {}
        sid = str(body.get("StatementId", ""))
        if any(s.get("Sid") == sid for s in _statements_on(policy, resource)):
            return rest_error(
                409,
                "ResourceConflictException",
                f"The statement id ({sid}) provided already exists. Please provide a new"
                " statement id, or remove the existing statement.",
            )
        statement = backend.add_permission(name, qualifier, request.body.decode("utf-8"))
        return Response.json(json.dumps({"Statement": json.dumps(_aws_form(statement))}), 201)


def _statements_on(policy: Any, resource: str) -> list[dict[str, Any]]:
    return [
        s
        for s in list(policy.statements)
        if unqualified_latest(str(s.get("Resource", ""))) == resource
    ]


def _aws_form(statement: dict[str, Any]) -> dict[str, Any]:
    """A statement as AWS shows it: moto's extra keys become the conditions they stand for."""
    shown = {k: v for k, v in statement.items() if k not in _MOTO_ONLY_KEYS}
    conditions = {
        operator: {key: _text(value) for key, value in block.items()}
        for operator, block in conditions_of(statement).items()
    }
    if conditions:
        shown["Condition"] = conditions
    return shown


def _text(value: Any) -> Any:
    """Policy documents carry booleans as the strings "true" and "false"."""
    return str(value).lower() if isinstance(value, bool) else value


def _get(policy: Any, resource: str) -> Response:
    statements = _statements_on(policy, resource)
    if not statements:
        return rest_error(
            404, "ResourceNotFoundException", "No policy is associated with the given resource."
        )
    document = {
        "Version": "2012-10-17",
        "Id": "default",
        "Statement": [_aws_form(s) for s in statements],
    }
    return Response.json(
        json.dumps({"Policy": json.dumps(document), "RevisionId": policy.revision})
    )


def _remove(policy: Any, resource: str, sid: str, revision: str | None) -> Response:
    if revision and revision != policy.revision:
        return rest_error(
            412,
            "PreconditionFailedException",
            "The RevisionId provided does not match the latest RevisionId for the Lambda function"
            " or alias. Call the GetFunction or the GetAlias API to retrieve the latest RevisionId"
            " for your resource.",
        )
    for statement in _statements_on(policy, resource):
        if statement.get("Sid") == sid:
            policy.statements.remove(statement)
            policy.revision = str(uuid.uuid4())
            return Response(204)
    return rest_error(
        404, "ResourceNotFoundException", f"Statement {sid} is not found in resource policy."
    )
