"""Where the local cloud keeps its files: ``$SKYLIFT_HOME/local`` (default ~/.skylift/local)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PORT = 4566
HOST = "127.0.0.1"


def skylift_home() -> Path:
    configured = os.environ.get("SKYLIFT_HOME")
    return Path(configured).expanduser() if configured else Path.home() / ".skylift"


@dataclass(frozen=True)
class LocalPaths:
    root: Path

    @classmethod
    def default(cls) -> LocalPaths:
        return cls(skylift_home() / "local")

    @property
    def state_file(self) -> Path:
        """Written by the running server once it is ready; removed when it stops cleanly."""
        return self.root / "state.json"

    @property
    def lock_file(self) -> Path:
        return self.root / "lock"

    @property
    def server_log(self) -> Path:
        return self.root / "server.log"

    @property
    def code_dir(self) -> Path:
        """Deployed zips and layers, unpacked once per CodeSha256."""
        return self.root / "code"

    @property
    def sdk_dir(self) -> Path:
        """The AWS SDK that Lambda's Python runtimes provide (boto3 and its dependencies)."""
        return self.root / "sdk"

    @property
    def env_dir(self) -> Path:
        """Per-environment scratch space (each environment's own /tmp)."""
        return self.root / "environments"

    def ensure(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
