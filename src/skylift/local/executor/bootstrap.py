"""The runtime inside one local execution environment: a Lambda Runtime API client.

Run as ``python -I -S -u bootstrap.py`` by the executor, under the interpreter
matching the function's runtime when one is installed, so nothing from the host's
site-packages leaks in: sys.path is the task root, the layers, and the AWS SDK
that Lambda's Python runtimes ship (boto3). Standard library only, and it must
run on every Python a Lambda runtime names (3.8+): annotations stay strings
(``from __future__ import annotations``) and nothing newer is used at run time.

Two marker lines (``\\x1eSKYLIFT START|END ...``) go to stdout around each
invocation so the log collector can put START/END/REPORT exactly where the
function's own output begins and ends; the collector strips them.
"""

from __future__ import annotations

import http.client
import importlib
import json
import logging
import os
import socket
import sys
import threading
import time
import traceback
from typing import Any, Callable  # noqa: UP035  (collections.abc.Callable[...] needs 3.9)

MARKER = "\x1eSKYLIFT"
API_PREFIX = "/2018-06-01/runtime"

Handler = Callable[[Any, Any], Any]


class _Identity:
    def __init__(self, data: dict[str, Any] | None) -> None:
        data = data or {}
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class _ClientContext:
    def __init__(self, data: dict[str, Any]) -> None:
        self.client = data.get("client")
        self.custom = data.get("custom")
        self.env = data.get("env")


class LambdaContext:
    """The ``context`` argument, with the attributes Lambda's Python runtime gives it."""

    def __init__(
        self,
        request_id: str,
        deadline_ms: int,
        invoked_arn: str,
        identity: dict[str, Any] | None,
        client_context: dict[str, Any] | None,
    ) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = _Identity(identity)
        self.client_context = _ClientContext(client_context) if client_context else None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def log(self, message: str) -> None:
        sys.stdout.write(message)


class RuntimeClient:
    """Keep-alive HTTP/1.1 to the Runtime API with TCP_NODELAY (Nagle costs ~40 ms a call)."""

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        self.host = host
        self.port = int(port)
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            conn = http.client.HTTPConnection(self.host, self.port)
            conn.connect()
            assert conn.sock is not None
            conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.conn = conn
        return self.conn

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, API_PREFIX + path, body=body, headers=headers or {})
                response = conn.getresponse()
                return response.status, response.getheaders(), response.read()
            except (http.client.HTTPException, OSError):
                self.conn = None
                conn.close()
                if attempt == 2:
                    raise
        raise RuntimeError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def post(self, path: str, payload: bytes, error_type: str | None = None) -> None:
        headers = {"Content-Type": "application/json"}
        if error_type:
            headers["Lambda-Runtime-Function-Error-Type"] = error_type
        self.request("POST", path, body=payload, headers=headers)


class InitError(Exception):
    def __init__(self, error_type: str, message: str, cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.cause = cause


def error_payload(
    exc: BaseException, error_type: str | None = None, message: str | None = None
) -> dict[str, Any]:
    frames = traceback.extract_tb(exc.__traceback__)
    return {
        "errorMessage": message if message is not None else str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": traceback.format_list(frames),
    }


def log_error(payload: dict[str, Any]) -> None:
    """The ``[ERROR]`` record Lambda's Python runtime writes for an unhandled exception."""
    lines = [f"[ERROR] {payload['errorType']}: {payload['errorMessage']}"]
    if payload.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        lines.extend(frame.rstrip("\n") for frame in payload["stackTrace"])
    # Lambda keeps a multi-line record in one log event; a carriage return does that here too.
    sys.stdout.write("\r".join(lines) + "\n")


def load_handler(spec: str) -> Handler:
    module_name, _, function_name = spec.rpartition(".")
    if not module_name or not function_name:
        raise InitError(
            "Runtime.MalformedHandlerName",
            f"Bad handler '{spec}': not enough values to unpack (expected 2, got 1)",
        )
    module_path = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_path)
    except ImportError as exc:
        raise InitError(
            "Runtime.ImportModuleError", f"Unable to import module '{module_path}': {exc}", exc
        ) from exc
    except SyntaxError as exc:
        raise InitError(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_path}': {exc}", exc
        ) from exc
    try:
        handler: Handler = getattr(module, function_name)
    except AttributeError:
        raise InitError(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' missing on module '{module_path}'",
        ) from None
    return handler


class _RequestIdFilter(logging.Filter):
    request_id = ""

    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _RequestIdFilter.request_id
        return True


def configure_logging() -> None:
    formatter = logging.Formatter(
        "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
        "%Y-%m-%dT%H:%M:%S",
    )
    formatter.converter = time.gmtime
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    if level:
        root.setLevel(level.upper())


def watch_parent(parent_pid: int) -> None:
    """End this environment when the local cloud that started it is gone."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent_pid:
            os._exit(0)


def marker(kind: str, request_id: str, extra: str = "") -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(1, f"{MARKER} {kind} {request_id} {extra}\n".encode())


def _json_header(fields: dict[str, str], name: str) -> dict[str, Any] | None:
    value = fields.get(name)
    return json.loads(value) if value else None


def serve(client: RuntimeClient, handler: Handler) -> None:
    try:
        _serve(client, handler)
    finally:
        client.close()


def _serve(client: RuntimeClient, handler: Handler) -> None:
    while True:
        try:
            status, headers, body = client.request("GET", "/invocation/next")
        except (http.client.HTTPException, OSError):
            return  # the Runtime API is gone: the local cloud stopped
        if status != 200:
            return
        fields = {name.lower(): value for name, value in headers}
        request_id = fields.get("lambda-runtime-aws-request-id", "")
        trace_id = fields.get("lambda-runtime-trace-id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        context = LambdaContext(
            request_id,
            int(fields.get("lambda-runtime-deadline-ms") or 0),
            fields.get("lambda-runtime-invoked-function-arn", ""),
            _json_header(fields, "lambda-runtime-cognito-identity"),
            _json_header(fields, "lambda-runtime-client-context"),
        )
        _RequestIdFilter.request_id = request_id
        marker("START", request_id)
        started = time.perf_counter()
        path, payload, error_type = handle(handler, body, context, request_id)
        marker("END", request_id, f"{(time.perf_counter() - started) * 1000:.3f}")
        try:
            client.post(path, payload, error_type)
        except (http.client.HTTPException, OSError):
            return


def handle(
    handler: Handler, body: bytes, context: LambdaContext, request_id: str
) -> tuple[str, bytes, str | None]:
    """Run one invocation: (path to post to, body, error type or None)."""
    try:
        event = json.loads(body) if body else {}
        result = handler(event, context)
    except Exception as exc:
        payload = error_payload(exc)
        payload["requestId"] = request_id
        log_error(payload)
        return f"/invocation/{request_id}/error", json.dumps(payload).encode(), payload["errorType"]
    try:
        data = json.dumps(result).encode()
    except (TypeError, ValueError) as exc:
        payload = {
            "errorMessage": f"Unable to marshal response: {exc}",
            "errorType": "Runtime.MarshalError",
            "requestId": request_id,
            "stackTrace": [],
        }
        log_error(payload)
        return (
            f"/invocation/{request_id}/error",
            json.dumps(payload).encode(),
            "Runtime.MarshalError",
        )
    return f"/invocation/{request_id}/response", data, None


def init_failure(exc: BaseException) -> tuple[dict[str, Any], str]:
    if isinstance(exc, InitError):
        payload = error_payload(exc.cause or exc, exc.error_type, exc.message)
        if exc.cause is None:
            payload["stackTrace"] = []
        return payload, exc.error_type
    payload = error_payload(exc)
    return payload, payload["errorType"]


def main() -> None:
    threading.Thread(target=watch_parent, args=(os.getppid(),), daemon=True).start()
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    extra = os.environ.pop("SKYLIFT_LOCAL_PYTHONPATH", "")
    sys.path[:0] = [task_root, *(entry for entry in extra.split(os.pathsep) if entry)]
    configure_logging()
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as exc:  # import errors and anything the module raises while loading
        payload, error_type = init_failure(exc)
        log_error(payload)
        client.post("/init/error", json.dumps(payload).encode(), error_type)
        sys.exit(1)
    serve(client, handler)


if __name__ == "__main__":
    main()
