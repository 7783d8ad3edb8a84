"""One execution environment: a subprocess serving one function version, one request at a time.

The process runs the unpacked code under the Runtime API (``bootstrap.py`` for
Python runtimes, the zip's own ``bootstrap`` for ``provided.*``). Its stdout and
stderr go, line by line, to the function's log stream with START/END/REPORT
around each invocation. The environment dies when the process does: a crash
fails the request in flight (and only that one), a timeout kills it on purpose.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from skylift.errors import LocalCloudError
from skylift.local.executor.architecture import problem_in_tree
from skylift.local.executor.code import CodeCache
from skylift.local.executor.interpreter import for_runtime
from skylift.local.executor.invocation import Invocation, Latch, Outcome
from skylift.local.executor.runtime_api import ACCEPTED, RuntimeApiServer
from skylift.local.executor.spec import FunctionSpec
from skylift.local.httpserver import Response
from skylift.local.logs.sink import LogSink

BOOTSTRAP = Path(__file__).with_name("bootstrap.py")
MARKER = "\x1eSKYLIFT "
MAX_RESPONSE = 6_291_556  # Lambda's synchronous response limit, bytes
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "skylift-local",
    "AWS_SECRET_ACCESS_KEY": "skylift-local",
    "AWS_SESSION_TOKEN": "skylift-local",
}


@dataclass
class EnvironmentContext:
    """What every environment of one local cloud shares."""

    endpoint_url: str
    code: CodeCache
    sdk_dir: Path
    scratch_dir: Path
    sink: LogSink
    warn: Callable[[str], None]


def utc_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Environment:
    def __init__(
        self,
        spec: FunctionSpec,
        context: EnvironmentContext,
        on_exit: Callable[[Environment], None],
    ) -> None:
        self.id = uuid.uuid4().hex
        self.spec = spec
        self.context = context
        self.on_exit = on_exit
        self.log_stream = f"{datetime.now(timezone.utc):%Y/%m/%d}/[{spec.version}]{self.id}"
        self.inbox: queue.SimpleQueue[Invocation | None] = queue.SimpleQueue()
        self.current: Invocation | None = None
        self.ready = threading.Event()  # init finished (first `next`), or the environment died
        self.dead = threading.Event()
        self.init_error: Outcome | None = None
        self.init_ms: float | None = None
        self.death_reason: str | None = None
        self.exit_code: int | None = None
        self.last_used = time.monotonic()
        self.invocations = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.api: RuntimeApiServer | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._spawned = 0.0
        self._by_id: dict[str, Invocation] = {}
        self._open: tuple[str, float] | None = None  # request id and start of the logged invocation
        self._report_init = True
        # skylift's bootstrap marks where each invocation's output begins and ends;
        # a custom runtime does not, so its START/END lines are written as the API sees them.
        self._markers = True
        self._scratch: Path | None = None
        self._memory_mb = 0
        self._memory_read_at = -1.0

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        """Spawn the process; a broken package becomes an init error, never an exception."""
        self._spawned = time.monotonic()
        try:
            task_root = self.context.code.directory(self.spec.code_digest, self.spec.load_code)
            layers = [
                self.context.code.directory(layer.digest, layer.load) for layer in self.spec.layers
            ]
            problem = problem_in_tree(self.spec.architecture, (task_root, *layers))
            if problem is not None:
                self.context.warn(f"{self.spec.function_name}:{self.spec.version}: {problem}")
                self._fail_init("Runtime.InvalidEntrypoint", problem)
                return
            command = self._command(task_root, layers)
            self._markers = not self._custom_runtime(command)
        except LocalCloudError as exc:
            self._fail_init("Runtime.InvalidEntrypoint", f"{exc.message} {exc.hint or ''}".strip())
            return
        self.api = RuntimeApiServer(self)
        self._scratch = Path(
            tempfile.mkdtemp(prefix=f"{self.id[:12]}-", dir=self.context.scratch_dir)
        )
        self._log(f"INIT_START Runtime Version: {self.spec.runtime or 'unknown'} (skylift local)\n")
        try:
            self.process = subprocess.Popen(
                command,
                cwd=task_root,
                env=self._environ(task_root, layers),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        except OSError as exc:  # e.g. a custom runtime's bootstrap that is not executable
            self._fail_init(
                "Runtime.InvalidEntrypoint", f"Could not start {command[0]}: {exc.strerror or exc}"
            )
            return
        threading.Thread(target=self._collect, name=f"env-{self.id[:8]}", daemon=True).start()

    def _command(self, task_root: Path, layers: list[Path]) -> list[str]:
        runtime = self.spec.runtime
        if runtime.startswith("provided"):
            for root in [task_root, *reversed(layers)]:
                if (root / "bootstrap").is_file():
                    return [str(root / "bootstrap")]
            raise LocalCloudError(
                f"Couldn't find a bootstrap file for the {runtime} runtime.",
                hint="A custom runtime needs an executable `bootstrap` at the root of the package.",
            )
        if runtime and not runtime.startswith("python"):
            raise LocalCloudError(
                f"The local cloud runs Python and provided.* functions; {runtime} is not supported."
            )
        interpreter = for_runtime(runtime)
        if interpreter.warning:
            self.context.warn(f"{self.spec.function_name}: {interpreter.warning}")
            self._log(f"WARNING {interpreter.warning}\n")
        return [interpreter.path, "-I", "-S", "-u", str(BOOTSTRAP)]

    def _custom_runtime(self, command: list[str]) -> bool:
        return command[-1] != str(BOOTSTRAP)

    def _environ(self, task_root: Path, layers: list[Path]) -> dict[str, str]:
        spec = self.spec
        assert self.api is not None
        assert self._scratch is not None
        version = for_runtime(spec.runtime).version
        python_paths: list[str] = []
        for layer in reversed(layers):  # later layers win, as when Lambda unpacks them into /opt
            python_paths += [str(layer / "python" / "lib" / f"python{version}" / "site-packages")]
            python_paths += [str(layer / "python")]
        python_paths.append(str(self.context.sdk_dir))
        base = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "LANG": "en_US.UTF-8",
            "TZ": ":UTC",
            "HOME": str(self._scratch),
            "TMPDIR": str(self._scratch),
            "LD_LIBRARY_PATH": os.pathsep.join(str(layer / "lib") for layer in layers),
        }
        reserved = {
            "_HANDLER": spec.handler,
            "AWS_REGION": spec.region,
            "AWS_DEFAULT_REGION": spec.region,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
            "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
            "AWS_LAMBDA_FUNCTION_VERSION": spec.version,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_size),
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_LAMBDA_LOG_GROUP_NAME": spec.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": self.log_stream,
            "AWS_LAMBDA_RUNTIME_API": self.api.address,
            "AWS_ENDPOINT_URL": self.context.endpoint_url,
            "LAMBDA_TASK_ROOT": str(task_root),
            "LAMBDA_RUNTIME_DIR": str(BOOTSTRAP.parent),
            "SKYLIFT_LOCAL_PYTHONPATH": os.pathsep.join(python_paths),
            **FAKE_CREDENTIALS,
        }
        return {**base, **dict(spec.environment), **reserved}

    def submit(self, invocation: Invocation) -> bool:
        """Queue work for this environment; False when it has already died."""
        with self._lock:
            if self._closed:
                return False
            self._by_id[invocation.request_id] = invocation
            self.inbox.put(invocation)
            return True

    def unlogged(self) -> list[Latch]:
        """The log latches of invocations already answered whose output is still being read.

        The answer comes back over the Runtime API, the output (and START/END/REPORT)
        over the process's stdout: a reader that wants an answered invocation's lines
        waits on these.
        """
        pending = tuple(self._by_id.values())  # one C-level copy: safe against the collector
        return [inv.logs_done for inv in pending if inv.done.is_set()]

    def kill(self, reason: str) -> None:
        """End the process (and anything it started); the collector then reports the death."""
        self.death_reason = self.death_reason or reason
        process = self.process
        if process is None:
            self._exited(None)
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    @property
    def alive(self) -> bool:
        """Neither dead nor condemned (a kill may be on its way)."""
        return self.death_reason is None and not self.dead.is_set()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    # --- the Runtime API (called from its server's threads) -------------------------------

    def next_invocation(self) -> Response:
        if not self.ready.is_set():
            self.init_ms = (time.monotonic() - self._spawned) * 1000
            self.ready.set()
        invocation = self.inbox.get()
        if invocation is None:
            return Response.json(b'{"errorType":"EnvironmentStopped"}', 410)
        now = time.time()
        invocation.started_at = time.monotonic()
        invocation.deadline_ms = int((now + self.spec.timeout) * 1000)
        self.current = invocation
        self.invocations += 1
        if not self._markers:
            self._marker(["START", invocation.request_id])
        headers = [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", invocation.request_id),
            ("Lambda-Runtime-Deadline-Ms", str(invocation.deadline_ms)),
            ("Lambda-Runtime-Invoked-Function-Arn", self.spec.invoked_arn),
            ("Lambda-Runtime-Trace-Id", invocation.trace_id or ""),
        ]
        if invocation.client_context:
            headers.append(
                ("Lambda-Runtime-Client-Context", _decode_b64(invocation.client_context))
            )
        if invocation.identity:
            headers.append(("Lambda-Runtime-Cognito-Identity", invocation.identity))
        return Response(200, headers, invocation.payload)

    def post_result(self, request_id: str, body: bytes, error_type: str | None) -> Response:
        invocation = self.current
        if invocation is None or invocation.request_id != request_id:
            return Response.json(
                b'{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}', 400
            )
        if len(body) > MAX_RESPONSE:
            # The caller sees only an error (API Gateway: a bare 500/502): say why, here.
            self.context.warn(
                f"{self.spec.function_name}:{self.spec.version}: request {request_id} answered "
                f"{len(body)} bytes, over Lambda's limit of {MAX_RESPONSE} "
                "(Function.ResponseSizeTooLarge)"
            )
            outcome = Outcome.failure(
                "Function.ResponseSizeTooLarge",
                f"Response payload size exceeded maximum allowed payload size ({MAX_RESPONSE} bytes).",
                request_id,
                self.spec.version,
            )
        else:
            outcome = Outcome(
                body, "Unhandled" if error_type else None, error_type, self.spec.version
            )
        outcome.duration_ms = (time.monotonic() - invocation.started_at) * 1000
        if not self._markers:
            self._marker(["END", request_id, f"{outcome.duration_ms:.3f}"])
        self.current = None
        self.last_used = time.monotonic()
        invocation.finish(outcome)
        return ACCEPTED

    def post_init_error(self, body: bytes, error_type: str | None) -> None:
        self.init_error = Outcome(
            body, "Unhandled", error_type or "Runtime.Unknown", self.spec.version
        )

    # --- output and death -------------------------------------------------------------------

    def _collect(self) -> None:
        process = self.process
        assert process is not None
        assert process.stdout is not None
        for raw in iter(process.stdout.readline, b""):
            line = raw.decode("utf-8", "replace")
            if line.startswith(MARKER):
                self._marker(line[len(MARKER) :].split())
            else:
                self._log(line.rstrip("\n").replace("\r", "\n") + "\n")
        process.stdout.close()
        self._exited(process.wait())

    def _marker(self, fields: list[str]) -> None:
        if len(fields) < 2:
            return
        kind, request_id = fields[0], fields[1]
        if kind == "START":
            self._open = (request_id, time.monotonic())
            self._log(f"START RequestId: {request_id} Version: {self.spec.version}\n")
        elif kind == "END":
            duration = float(fields[2]) if len(fields) > 2 else 0.0
            self._close_invocation(request_id, duration, None)

    def _close_invocation(self, request_id: str, duration_ms: float, status: str | None) -> None:
        self._log(f"END RequestId: {request_id}\n")
        self._log(self._report(request_id, duration_ms, status))
        self._open = None
        invocation = self._by_id.pop(request_id, None)
        if invocation is not None:
            invocation.logs_done.set()

    def _report(self, request_id: str, duration_ms: float, status: str | None) -> str:
        billed = max(1, int(-(-duration_ms // 1)))
        parts = [
            f"REPORT RequestId: {request_id}",
            f"Duration: {duration_ms:.2f} ms",
            f"Billed Duration: {billed} ms",
            f"Memory Size: {self.spec.memory_size} MB",
            f"Max Memory Used: {self._max_memory_mb()} MB",
        ]
        if self._report_init and self.init_ms is not None:
            parts.append(f"Init Duration: {self.init_ms:.2f} ms")
        self._report_init = False
        if status:
            parts.append(f"Status: {status}")
        return "\t".join(parts) + "\t\n"

    def _max_memory_mb(self) -> int:
        """VmHWM of the process, read at most once a second (a /proc read per request is dear)."""
        now = time.monotonic()
        if now - self._memory_read_at >= 1.0 or self.death_reason is not None:
            self._memory_mb = max(self._memory_mb, self._read_memory_mb())
            self._memory_read_at = now
        return self._memory_mb

    def _read_memory_mb(self) -> int:
        try:
            with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return max(1, int(line.split()[1]) // 1024)
        except (OSError, ValueError, IndexError):
            pass
        return 0

    def _log(self, message: str) -> None:
        spec = self.spec
        self.context.sink.emit(spec.region, spec.log_group, self.log_stream, message)
        if self._open is not None:
            invocation = self._by_id.get(self._open[0])
            if invocation is not None and invocation.want_logs:
                invocation.log_lines.append(message)

    def _fail_init(self, error_type: str, message: str) -> None:
        self._log(f"[ERROR] {error_type}: {message}\n")
        self.init_error = Outcome.failure(error_type, message, "", self.spec.version)
        self._exited(None)

    def _exited(self, code: int | None) -> None:
        self.exit_code = code
        with self._lock:
            if self._closed:
                return
            self._closed = True
        invocation = self.current
        if self._open is not None:
            request_id, started = self._open
            self._log(self._death_line(request_id))
            elapsed = (time.monotonic() - started) * 1000
            status = "timeout" if self.death_reason == "timeout" else "error"
            self._close_invocation(request_id, elapsed, status)
        if invocation is not None:
            invocation.finish(self._crash_outcome(invocation.request_id))
        self._drain()
        self.dead.set()
        self.ready.set()
        if self.api is not None:
            self.api.close()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
        for pending in list(self._by_id.values()):
            pending.logs_done.set()
        self.on_exit(self)

    def _drain(self) -> None:
        while True:
            try:
                pending = self.inbox.get_nowait()
            except queue.Empty:
                break
            if pending is None:
                continue
            if self.init_error is not None:
                pending.finish(_copy(self.init_error))
            else:
                pending.undelivered = True
                pending.done.set()
        self.inbox.put(None)  # wakes a Runtime API thread still waiting in `next`

    def _death_line(self, request_id: str) -> str:
        if self.death_reason == "timeout":
            return (
                f"{utc_stamp()} {request_id} Task timed out after {self.spec.timeout:.2f} seconds\n"
            )
        return f"RequestId: {request_id} Error: {self._exit_description()}\nRuntime.ExitError\n"

    def _exit_description(self) -> str:
        code = self.exit_code
        if code is None:
            return "Runtime exited without providing a reason"
        if code < 0:
            try:
                name = signal.Signals(-code).name[3:].lower()
            except ValueError:
                name = str(-code)
            name = {"kill": "killed", "term": "terminated", "segv": "segmentation fault"}.get(
                name, name
            )
            return f"Runtime exited with error: signal: {name}"
        return f"Runtime exited with error: exit status {code}"

    def _crash_outcome(self, request_id: str) -> Outcome:
        if self.death_reason == "timeout":
            message = (
                f"{utc_stamp()} {request_id} Task timed out after {self.spec.timeout:.2f} seconds"
            )
            return Outcome.failure("Sandbox.Timedout", message, request_id, self.spec.version)
        if self.init_error is not None:
            return _copy(self.init_error)
        message = f"RequestId: {request_id} Error: {self._exit_description()}"
        return Outcome.failure("Runtime.ExitError", message, request_id, self.spec.version)


def _copy(outcome: Outcome) -> Outcome:
    """Init errors answer every invocation the same way (their requestId stays empty, as on Lambda)."""
    return Outcome(
        outcome.payload, outcome.function_error, outcome.error_type, outcome.executed_version
    )


def _decode_b64(value: str) -> str:
    import base64
    import binascii

    try:
        return base64.b64decode(value).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return value
