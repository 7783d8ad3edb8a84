"""The local cloud in one object: control plane, executor, gateway, scheduler, logs, on one port.

``CloudServer`` runs in the background process (``skylift.local.server``) and,
in-process, in tests. Everything it holds is in memory: stopping it loses the
deployments (by design; ``skylift local up`` says so after an unclean stop).
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
import traceback
from typing import Any, TextIO

from skylift import __version__
from skylift.local.admin import Admin
from skylift.local.apigateway_api import ApiGatewayFixes
from skylift.local.control import ControlPlane
from skylift.local.executor.code import CodeCache, prepare_sdk
from skylift.local.executor.environment import EnvironmentContext
from skylift.local.executor.executor import Executor, ExecutorSettings, Throttled
from skylift.local.executor.invocation import Invocation
from skylift.local.executor.spec import FunctionSpec, resolve
from skylift.local.function_urls import FunctionUrls
from skylift.local.gateway import Gateway
from skylift.local.httpserver import LeanHTTPServer, Request, serve_in_thread
from skylift.local.lambda_api import LambdaApi
from skylift.local.logs.api import LogsApi
from skylift.local.logs.sink import LogSink
from skylift.local.metrics import EVENTS, MetricsRecorder
from skylift.local.paths import LocalPaths
from skylift.local.permissions import Caller, ResourcePolicies, denial, event_rule, sns_topic
from skylift.local.router import Router
from skylift.local.schedule.clock import Clock, SystemClock
from skylift.local.schedule.scheduler import Scheduler
from skylift.local.urls import http_api_host


class ServerLog:
    """The local cloud's own log (``skylift local logs``): one line per event.

    Access lines are gathered and written a few times a second (a write and a
    flush per request would cost the gateway a syscall each); everything else
    goes out at once, after any access lines still waiting.
    """

    def __init__(self, stream: TextIO, access: bool = True) -> None:
        self.stream = stream
        self.access_enabled = access
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self._stop = threading.Event()
        self._flusher = threading.Thread(target=self._flush_loop, name="server-log", daemon=True)
        self._flusher.start()

    @staticmethod
    def _line(level: str, message: str) -> str:
        now = time.time()
        stamp = (
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(now)) + f".{int(now % 1 * 1000):03d}"
        )
        return f"{stamp} {level:<5} {message}\n"

    def _write(self, text: str) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
            try:
                self.stream.write("".join(pending) + text)
                self.stream.flush()
            except (OSError, ValueError):
                pass  # a closed log must never take a request down

    def _flush_loop(self) -> None:
        while not self._stop.wait(0.2):
            if self._pending:
                self._write("")

    def close(self) -> None:
        self._stop.set()
        self._write("")

    def info(self, message: str) -> None:
        self._write(self._line("INFO", message))

    def warn(self, message: str) -> None:
        self._write(self._line("WARN", message))

    def error(self, message: str) -> None:
        self._write(self._line("ERROR", message))

    def access(self, message: str) -> None:
        if self.access_enabled:
            line = self._line("HTTP", message)
            with self._lock:
                self._pending.append(line)


class CloudServer:
    def __init__(
        self,
        port: int = 0,
        paths: LocalPaths | None = None,
        *,
        clock: Clock | None = None,
        settings: ExecutorSettings | None = None,
        log_stream: TextIO | None = None,
        access_log: bool = True,
    ) -> None:
        self.paths = paths or LocalPaths.default()
        self.paths.ensure()
        for scratch in (self.paths.code_dir, self.paths.env_dir):
            shutil.rmtree(scratch, ignore_errors=True)  # a new cloud starts from a clean state
            scratch.mkdir(parents=True, exist_ok=True)
        self.log = ServerLog(log_stream or sys.stdout, access_log)
        self.control = ControlPlane()
        self.router = Router(self)
        self.http = LeanHTTPServer(port, self.router, on_error=self._on_error)
        self.port = self.http.port
        self.endpoint_url = f"http://127.0.0.1:{self.port}"
        self.sink = LogSink(self.control)
        context = EnvironmentContext(
            endpoint_url=self.endpoint_url,
            code=CodeCache(self.paths.code_dir),
            sdk_dir=prepare_sdk(self.paths.sdk_dir),
            scratch_dir=self.paths.env_dir,
            sink=self.sink,
            warn=self.log.warn,
        )
        self.metrics = MetricsRecorder(self.control)
        self.policies = ResourcePolicies()
        self.executor = Executor(
            context, settings or ExecutorSettings.from_environment(), self.log.info, self.metrics
        )
        self.urls = FunctionUrls()
        self.lambda_api = LambdaApi(self)
        self.logs_api = LogsApi(self)
        self.apigateway_fixes = ApiGatewayFixes(self)
        self.gateway = Gateway(self)
        self.clock = clock or SystemClock()
        self.scheduler = Scheduler(self, self.clock)
        self.admin = Admin(self)
        self.started_at = time.time()
        self.version = __version__
        self._thread: threading.Thread | None = None
        self.control.install_patches(
            self._moto_invoke, self._api_endpoint, self.scheduler.rule_target, self._sns_may_invoke
        )

    def start(self) -> None:
        self._thread = serve_in_thread(self.http, "http")
        self.scheduler.start()
        self.metrics.start()
        self.log.info(f"skylift local cloud {self.version} listening on {self.endpoint_url}")

    def stop(self) -> None:
        self.log.info("stopping: environments, scheduler, HTTP")
        self.scheduler.stop()
        self.http.shutdown()
        self.http.close_connections()
        self.executor.shutdown()
        self.metrics.stop()
        self.sink.close()
        self.control.remove_patches()
        self.http.server_close()
        self.log.close()

    def executor_spec(self, name_or_arn: str, qualifier: str | None, region: str) -> FunctionSpec:
        return resolve(self.control, name_or_arn, qualifier, region)

    def permits(self, spec: FunctionSpec, caller: Caller) -> bool:
        """Whether the resource policy of what ``spec`` names lets ``caller`` invoke it."""
        # no lock: the statements are copied in one step, and the decisions' cache is a dict
        return self.policies.allows(spec.policy, spec.invoked_arn, caller)

    def invoke_event(
        self,
        function_arn: str,
        region: str,
        event: dict[str, Any],
        rule: Any = None,
    ) -> str | None:
        """Invoke asynchronously (schedules, SNS, EventBridge targets): retried like Lambda does.

        For an EventBridge ``rule``, the function's resource policy must allow the rule
        (``events.amazonaws.com``, its ARN as SourceArn); if not, nothing runs (None),
        as on AWS, where the rule's FailedInvocations metric is all that shows it.
        """
        spec = self.executor_spec(function_arn, None, region)
        if rule is not None:
            dimensions = (("RuleName", str(rule.name)),)
            caller = event_rule(str(rule.arn), self.control.account_id)
            if not self.permits(spec, caller):
                self.metrics.count(region, EVENTS, "FailedInvocations", dimensions)
                self.log.warn(
                    f"rule {rule.name}: did not invoke {function_arn}: {denial(spec.invoked_arn, caller)}"
                )
                return None
            self.metrics.count(region, EVENTS, "Invocations", dimensions)
        return self.executor.invoke_event(spec, json.dumps(event).encode())

    def _moto_invoke(
        self, name: str, qualifier: str | None, body: Any, headers: Any, response_headers: Any
    ) -> bytes:
        """moto's own invocations (SNS subscriptions, log subscription filters, …) run here."""
        payload = (
            body
            if isinstance(body, bytes)
            else (body if isinstance(body, str) else json.dumps(body)).encode()
        )
        region = name.split(":")[3] if name.startswith("arn:") else "us-east-1"
        spec = self.executor_spec(name, qualifier, region)
        kind = (headers or {}).get("x-amz-invocation-type") or (headers or {}).get(
            "X-Amz-Invocation-Type"
        )
        if kind == "Event":
            self.executor.invoke_event(spec, payload)
            return b""
        try:
            outcome = self.executor.invoke(spec, Invocation(payload or b"{}"))
        except Throttled:
            response_headers["x-amz-function-error"] = "Unhandled"
            return b'{"errorType":"TooManyRequestsException","errorMessage":"Rate Exceeded."}'
        if outcome.function_error:
            response_headers["x-amz-function-error"] = outcome.function_error
        return outcome.payload

    def _sns_may_invoke(self, function_arn: str, topic_arn: str) -> bool:
        """SNS delivers to a function only if its resource policy allows the topic."""
        try:
            spec = self.executor_spec(function_arn, None, function_arn.split(":")[3])
        except Exception:  # a missing function: moto's delivery reports it its own way
            return True
        caller = sns_topic(topic_arn, self.control.account_id)
        if self.permits(spec, caller):
            return True
        self.log.warn(
            f"SNS topic {topic_arn.rpartition(':')[2]}: did not invoke {function_arn}:"
            f" {denial(spec.invoked_arn, caller)}"
        )
        return False

    def _api_endpoint(self, api_id: str, region: str) -> str:
        return http_api_host(api_id, self.port).rstrip("/")

    def _on_error(self, request: Request, exc: BaseException) -> None:
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        self.log.error(f"{request.method} {request.target} failed: {exc!r}\n{trace}")
