"""Function URL configurations, kept by skylift (moto ignores the qualifier and lists none).

A URL belongs to a function and an optional qualifier (an alias or $LATEST);
``urlId`` is the host label AWS would give it, and the gateway serves it at
``http://{urlId}.lambda-url.{region}.localhost:{port}/``.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@dataclass
class UrlConfig:
    url_id: str
    region: str
    function_name: str
    function_arn: str  # unqualified
    qualifier: str | None
    auth_type: str = "NONE"
    cors: dict[str, Any] | None = None
    invoke_mode: str = "BUFFERED"
    created: str = field(default_factory=_now)
    modified: str = field(default_factory=_now)

    @property
    def qualified_arn(self) -> str:
        return f"{self.function_arn}:{self.qualifier}" if self.qualifier else self.function_arn

    def url(self, port: int) -> str:
        return f"http://{self.url_id}.lambda-url.{self.region}.localhost:{port}/"

    def path_url(self, port: int) -> str:
        return f"http://127.0.0.1:{port}/_lambda_url/{self.url_id}/"

    def describe(self, port: int) -> dict[str, Any]:
        described: dict[str, Any] = {
            "FunctionUrl": self.url(port),
            "FunctionArn": self.qualified_arn,
            "AuthType": self.auth_type,
            "CreationTime": self.created,
            "LastModifiedTime": self.modified,
            "InvokeMode": self.invoke_mode,
        }
        if self.cors:
            described["Cors"] = self.cors
        return described


class FunctionUrls:
    def __init__(self) -> None:
        self._by_id: dict[str, UrlConfig] = {}
        self._lock = threading.Lock()

    def find(self, region: str, function_name: str, qualifier: str | None) -> UrlConfig | None:
        with self._lock:
            for config in self._by_id.values():
                if (config.region, config.function_name, config.qualifier) == (
                    region,
                    function_name,
                    qualifier,
                ):
                    return config
        return None

    def by_id(self, url_id: str) -> UrlConfig | None:
        return self._by_id.get(url_id)

    def of_function(self, region: str, function_name: str) -> list[UrlConfig]:
        with self._lock:
            return [
                config
                for config in self._by_id.values()
                if (config.region, config.function_name) == (region, function_name)
            ]

    def all(self) -> list[UrlConfig]:
        with self._lock:
            return list(self._by_id.values())

    def add(self, config: UrlConfig) -> UrlConfig:
        with self._lock:
            self._by_id[config.url_id] = config
        return config

    def remove(self, config: UrlConfig) -> None:
        with self._lock:
            self._by_id.pop(config.url_id, None)

    def forget_function(self, region: str, function_name: str) -> None:
        for config in self.of_function(region, function_name):
            self.remove(config)


def new_url_id() -> str:
    return secrets.token_hex(16)
