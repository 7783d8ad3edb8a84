"""``@task``: run a function asynchronously, in another invocation of this Lambda function.

Zappa's semantics. Outside Lambda (no ``AWS_LAMBDA_FUNCTION_NAME``) the function simply
runs, inline, and its result is returned. On Lambda, calling it sends
``{"skylift_task": "module.func", "args": [...], "kwargs": {...}}`` to this same
function (``InvocationType=Event``, the running version) -- or, with
``@task(service="sns")``, publishes it to the function's async topic -- and returns an
:class:`AsyncResponse`; the invocation that receives it runs the function.

boto3 is imported here lazily, only when a client is first needed (a task sent, or
remote.py's S3 reads): it never touches the HTTP path. ``aws_client`` is the runtime's
one way to a boto3 client.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar, overload

__all__ = [
    "PAYLOAD_LIMIT",
    "AsyncResponse",
    "TaskError",
    "async_topic_name",
    "get_async_response",
    "run",
    "run_task",
    "task",
]

TASK_KEY = "skylift_task"
PAYLOAD_LIMIT = 256_000  # bytes: Lambda's async invocation and SNS message limits
SERVICES = ("lambda", "sns")
TOPIC_SUFFIX = "-skylift-async"

F = TypeVar("F", bound=Callable[..., Any])

_clients: dict[tuple[str, str | None], Any] = {}
_account: list[str] = []


class TaskError(Exception):
    """A task that cannot be sent: not importable elsewhere, not serializable, too large."""


def async_topic_name(function_name: str) -> str:
    """The SNS topic ``@task(service="sns")`` publishes to, for a function name."""
    return function_name + TOPIC_SUFFIX


class AsyncResponse:
    """What an @task call returns on Lambda: whether the call was handed over, and its id."""

    __slots__ = ("response", "response_id", "sent", "service")

    def __init__(self, service: str, response_id: str | None) -> None:
        self.service = service
        self.response_id = response_id
        self.sent = False
        self.response: Any = None

    def __repr__(self) -> str:
        return f"<AsyncResponse service={self.service} sent={self.sent} id={self.response_id}>"


def task_path(func: Callable[..., Any]) -> str:
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", "")
    if not module or "." in qualname or "<" in qualname:
        raise TaskError(
            f"{qualname or func!r} cannot be a task: a task must be a module-level function, "
            "so that another invocation can import it by its dotted path"
        )
    return f"{module}.{qualname}"


@overload
def task(func: F) -> F: ...


@overload
def task(
    func: None = None,
    *,
    service: str = "lambda",
    remote_aws_lambda_function_name: str | None = None,
    remote_aws_region: str | None = None,
    capture_response: bool = False,
    arn: str | None = None,
) -> Callable[[F], F]: ...


def task(
    func: Callable[..., Any] | None = None,
    *,
    service: str = "lambda",
    remote_aws_lambda_function_name: str | None = None,
    remote_aws_region: str | None = None,
    capture_response: bool = False,
    arn: str | None = None,
) -> Any:
    """Make ``func`` run asynchronously on Lambda (``@task`` or ``@task(service="sns")``).

    The wrapped function keeps the original as ``.sync`` (always runs inline) and its
    ``.service``. Arguments must be JSON-serializable.
    """
    if service not in SERVICES:
        raise TaskError(f"unknown task service {service!r}: use 'lambda' or 'sns'")

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        path = task_path(fn)

        @functools.wraps(fn)
        def dispatch(*args: Any, **kwargs: Any) -> Any:
            function_name = remote_aws_lambda_function_name or os.environ.get(
                "AWS_LAMBDA_FUNCTION_NAME"
            )
            if not function_name:
                _serialize(path, args, kwargs)  # fail here, not only once deployed
                return fn(*args, **kwargs)
            return send(
                path,
                args,
                kwargs,
                service=service,
                function_name=function_name,
                region=remote_aws_region,
                capture_response=capture_response,
                arn=arn,
                same_function=remote_aws_lambda_function_name is None,
            )

        dispatch.sync = fn  # type: ignore[attr-defined]
        dispatch.service = service  # type: ignore[attr-defined]
        return dispatch

    return decorate(func) if func is not None else decorate


def run(
    func: Callable[..., Any],
    args: tuple[Any, ...] | list[Any] = (),
    kwargs: dict[str, Any] | None = None,
    *,
    service: str = "lambda",
    remote_aws_lambda_function_name: str | None = None,
    remote_aws_region: str | None = None,
    capture_response: bool = False,
    arn: str | None = None,
) -> Any:
    """Run ``func(*args, **kwargs)`` as a task without decorating it (Zappa's ``run``)."""
    target: Callable[..., Any] = getattr(func, "sync", None) or func
    wrapped = task(
        service=service,
        remote_aws_lambda_function_name=remote_aws_lambda_function_name,
        remote_aws_region=remote_aws_region,
        capture_response=capture_response,
        arn=arn,
    )(target)
    return wrapped(*args, **(kwargs or {}))


def _serialize(path: str, args: Any, kwargs: Any, **extra: Any) -> str:
    import json

    try:
        payload = json.dumps({TASK_KEY: path, "args": list(args), "kwargs": kwargs, **extra})
    except (TypeError, ValueError) as exc:
        raise TaskError(f"the arguments of task {path} are not JSON-serializable: {exc}") from None
    if len(payload.encode()) > PAYLOAD_LIMIT:
        raise TaskError(
            f"the arguments of task {path} are {len(payload)} bytes serialized; "
            f"an asynchronous invocation takes at most {PAYLOAD_LIMIT}: pass a reference "
            "(an S3 key, a database id) instead of the data"
        )
    return payload


def send(
    path: str,
    args: Any,
    kwargs: Any,
    *,
    service: str,
    function_name: str,
    region: str | None,
    capture_response: bool,
    arn: str | None,
    same_function: bool,
) -> AsyncResponse:
    """Hand a task call over to Lambda (or SNS); the caller gets an AsyncResponse at once."""
    if path.startswith("__main__."):
        raise TaskError(
            f"task {path} is defined in __main__, which another invocation cannot import"
        )
    response_id = None
    if capture_response:
        if _response_table():
            import uuid

            response_id = str(uuid.uuid4())
        else:
            import sys

            sys.stderr.write(
                "[skylift] capture_response needs the async_response_table setting; "
                "the task's response will not be kept\n"
            )
    payload = _serialize(
        path, args, kwargs, capture_response=response_id is not None, response_id=response_id
    )
    result = AsyncResponse(service, response_id)
    region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if service == "sns":
        topic = arn or _topic_arn(function_name, region)
        result.response = aws_client("sns", region).publish(TargetArn=topic, Message=payload)
        result.sent = bool(result.response.get("MessageId"))
        return result
    params: dict[str, Any] = {
        "FunctionName": function_name,
        "InvocationType": "Event",
        "Payload": payload.encode(),
    }
    version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
    if same_function and version and version != "$LATEST":
        params["Qualifier"] = version  # the code that sent the task is the code that runs it
    result.response = aws_client("lambda", region).invoke(**params)
    result.sent = result.response.get("StatusCode") == 202
    return result


def run_task(message: dict[str, Any]) -> Any:
    """Run a task message received by this invocation (direct or via SNS)."""
    from skylift.runtime.loader import import_function

    path = message.get(TASK_KEY)
    args = message.get("args") or []
    kwargs = message.get("kwargs") or {}
    if not isinstance(path, str) or not isinstance(args, list) or not isinstance(kwargs, dict):
        raise TaskError(f"malformed task message: {sorted(message)}")
    response_id = message.get("response_id") if message.get("capture_response") else None
    table = _response_table() if response_id else None
    if table:
        _put_response(table, str(response_id), "in progress", "N/A")
    func = import_function(path)
    result = getattr(func, "sync", func)(*args, **kwargs)
    if table:
        _put_response(table, str(response_id), "complete", result)
    return result


def get_async_response(response_id: str) -> dict[str, Any] | None:
    """The status and response of a task sent with ``capture_response=True``, or None."""
    import json

    table = _response_table()
    if not table:
        raise TaskError("get_async_response needs the async_response_table setting")
    item = aws_client("dynamodb", None).get_item(TableName=table, Key={"id": {"S": response_id}})
    if "Item" not in item:
        return None
    return {
        "status": item["Item"]["async_status"]["S"],
        "response": json.loads(item["Item"]["async_response"]["S"]),
    }


def _put_response(table: str, response_id: str, status: str, response: Any) -> None:
    import json
    import time

    aws_client("dynamodb", None).put_item(
        TableName=table,
        Item={
            "id": {"S": response_id},
            "ttl": {"N": str(int(time.time()) + 600)},
            "async_status": {"S": status},
            "async_response": {"S": json.dumps(response, default=repr)},
        },
    )


@functools.lru_cache(maxsize=1)
def _response_table() -> str | None:
    """The ``async_response_table`` setting (read once per environment)."""
    from skylift.runtime.config import load_runtime_settings

    table = load_runtime_settings().get("async_response_table")
    return table if isinstance(table, str) and table else None


def _topic_arn(function_name: str, region: str | None) -> str:
    if not _account:
        _account.append(aws_client("sts", region).get_caller_identity()["Account"])
    return f"arn:aws:sns:{region}:{_account[0]}:{async_topic_name(function_name)}"


def aws_client(service: str, region: str | None) -> Any:
    """A cached boto3 client; AWS_ENDPOINT_URL_<SERVICE> / AWS_ENDPOINT_URL honoured (local cloud)."""
    key = (service, region)
    client = _clients.get(key)
    if client is None:
        import boto3

        endpoint = os.environ.get(f"AWS_ENDPOINT_URL_{service.upper()}") or os.environ.get(
            "AWS_ENDPOINT_URL"
        )
        make: Any = boto3.client  # typed per service name; this one is a variable
        client = _clients[key] = make(service, region_name=region, endpoint_url=endpoint)
    return client
