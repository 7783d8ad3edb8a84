"""The background process: ``python -m skylift.local.server --port 4566``.

Started by ``skylift.local.ensure_running``; writes ``state.json`` once it
listens and removes it when it stops cleanly (SIGTERM/SIGINT). Its stdout is
the local cloud's log (``skylift local logs``).
"""

from __future__ import annotations

import argparse
import errno
import gc
import json
import os
import signal
import sys
import threading
from pathlib import Path

from skylift.local.paths import LocalPaths

EXIT_PORT_IN_USE = 3
EXIT_FAILED = 4


def write_state(paths: LocalPaths, payload: dict[str, object]) -> None:
    temporary = paths.state_file.with_suffix(".tmp")
    temporary.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    os.replace(temporary, paths.state_file)


def remove_state(paths: LocalPaths) -> None:
    """Remove the state file, but only if it is still ours."""
    try:
        state = json.loads(paths.state_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if state.get("pid") == os.getpid():
        paths.state_file.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="skylift-local-server")
    parser.add_argument("--port", type=int, default=4566)
    parser.add_argument(
        "--home", type=Path, default=None, help="state directory (default $SKYLIFT_HOME/local)"
    )
    parser.add_argument("--test-clock", action="store_true", help="schedules move only when told")
    args = parser.parse_args(argv)
    paths = LocalPaths(args.home) if args.home else LocalPaths.default()
    paths.ensure()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

    from skylift.local.cloud import CloudServer
    from skylift.local.schedule.clock import ManualClock

    try:
        cloud = CloudServer(args.port, paths, clock=ManualClock() if args.test_clock else None)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            print(f"port {args.port} on 127.0.0.1 is already in use", flush=True)
            return EXIT_PORT_IN_USE
        print(f"could not start: {exc}", flush=True)
        return EXIT_FAILED
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    cloud.start()
    write_state(
        paths,
        {
            "pid": os.getpid(),
            "port": cloud.port,
            "endpoint_url": cloud.endpoint_url,
            "started_at": cloud.started_at,
            "version": cloud.version,
            "test_clock": bool(args.test_clock),
        },
    )
    cloud.log.info(f"ready (pid {os.getpid()}, state in {paths.root})")
    cloud.control.warm()
    # moto's models and botocore's service data are large and live forever: keep the
    # collector from walking them on every full collection (pauses of 100 ms otherwise).
    gc.freeze()
    while not stop.wait(0.5):
        pass
    try:
        cloud.stop()
    finally:
        remove_state(paths)
        cloud.log.info("stopped")
    return 0


if __name__ == "__main__":  # pragma: no cover - run as a process
    sys.exit(main())
