"""A loaded stage: its validated settings plus where they came from and derived names."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from skylift.config.schema import StageSettings

_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """Lowercase words joined by '-', as python-slugify (which Zappa uses) makes them."""
    return _SLUG_DROP.sub("-", text.lower()).strip("-")


def default_project_name(project_dir: Path) -> str:
    """Zappa's default: the slugified directory name, at most 15 characters."""
    return slugify(project_dir.resolve().name)[:15].strip("-") or "skylift-app"


@dataclass(frozen=True)
class Stage:
    """One stage, ready for packaging and deploy."""

    name: str
    settings: StageSettings
    project_dir: Path
    source: Path
    raw: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    origins: dict[str, str] = field(default_factory=dict)  # key -> the stage that wrote it

    def origin(self, key: str) -> str | None:
        """The stage that set ``key`` (this one, or one it extends), or None for a default."""
        if key == "delete_local_zip" and self.raw.get("delete_zip") is not None:
            key = "delete_zip"  # the older name wins, as in Zappa
        if key not in self.raw:
            return None
        return self.origins.get(key, self.name)

    @property
    def project_name(self) -> str:
        return self.settings.project_name or default_project_name(self.project_dir)

    @property
    def function_name(self) -> str:
        """The Lambda function name, as Zappa names it: slug of ``{project}-{stage}``."""
        return slugify(f"{self.project_name}-{self.name}")[:64]

    @property
    def serves_http(self) -> bool:
        s = self.settings
        apigw = s.apigateway_enabled if s.use_apigateway is None else s.use_apigateway
        return bool(apigw and s.apigateway_enabled) or s.function_url_enabled or s.alb_enabled

    def resolved(self) -> dict[str, Any]:
        """Every setting with defaults applied, as JSON-ready data (``skylift settings``)."""
        # Unknown keys are ignored (the loader warned about them): leave them out.
        data = self.settings.model_dump(mode="json", exclude=set(self.settings.model_extra or ()))
        data["project_name"] = self.project_name
        return {
            "stage": self.name,
            "source": str(self.source),
            "function_name": self.function_name,
            "settings": data,
        }
