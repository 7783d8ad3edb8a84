"""Zappa's ``touch``: after a deploy that changed something, GET the stage's URL once.

A broken app (a wrong ``app_function``, an import error) deploys fine and then
answers every request with a 5xx; one GET right after the deploy says so while
the user is still looking. It warns and never fails the deploy (the code is
live either way; the fix is another update). ``touch = false`` turns it off;
``touch_path`` (default ``/``) is the path requested.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from skylift.config import Stage
from skylift.deploy.endpoints import StageUrl
from skylift.local.urls import is_local_endpoint

# Short, but longer than a cold start of a large app on Lambda (API Gateway gives up at 29 s).
TOUCH_TIMEOUT = 15.0


@dataclass(frozen=True)
class Touch:
    """What the stage answered: ``status`` (None: no answer, ``error`` says why)."""

    url: str
    status: int | None
    error: str | None = None
    function: str = ""
    local: bool = False  # on the local cloud: its logs command is named too

    @property
    def failed(self) -> bool:
        return self.status is None or self.status >= 500

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "status": self.status, "error": self.error, "ok": not self.failed}

    @property
    def warning(self) -> str | None:
        """What to tell the user (None: the app answered), with where its logs are."""
        if not self.failed:
            return None
        if self.status is None:
            what = f"GET {self.url} got no answer ({self.error})"
        else:
            what = f"GET {self.url} answered {self.status}, a server error"
        where = f"its log group /aws/lambda/{self.function}"
        if self.local:
            where += f" (`skylift local logs --function {self.function}`)"
        return (
            f"{what}: the stage is deployed, but the app does not serve requests. "
            f"The function's log says why: {where}. "
            "(This check is Zappa's touch; touch = false turns it off.)"
        )


def touch_stage(
    stage: Stage, urls: Sequence[StageUrl], *, function: str, endpoint: str
) -> Touch | None:
    """Touch the stage as its settings say (None: touch is off, or nothing to request)."""
    url = touch_url(stage, urls)
    if url is None:
        return None
    return replace(touch(url), function=function, local=is_local_endpoint(endpoint))


def touch_url(stage: Stage, urls: Sequence[StageUrl]) -> str | None:
    """The URL touch requests: the stage's first URL plus ``touch_path`` (None: no touch)."""
    s = stage.settings
    if not s.touch or not urls:
        return None
    if "PRIVATE" in (s.endpoint_configuration or ()):
        return None  # a private API answers only inside its VPC
    path = s.touch_path if s.touch_path.startswith("/") else f"/{s.touch_path}"
    return urls[0].url.rstrip("/") + path


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer: the app is up (and following it could leave the stage)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def touch(url: str, *, timeout: float = TOUCH_TIMEOUT) -> Touch:
    """GET ``url`` once: no proxy (the URL may be on 127.0.0.1), no redirects followed."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())
    request = urllib.request.Request(url, headers={"User-Agent": "skylift-touch"})
    try:
        with opener.open(request, timeout=timeout) as response:
            return Touch(url, response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return Touch(url, exc.code)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            return Touch(url, None, f"no answer within {timeout:g} s")
        return Touch(url, None, str(exc.reason))
    except TimeoutError:
        return Touch(url, None, f"no answer within {timeout:g} s")
    except (OSError, http.client.HTTPException) as exc:
        return Touch(url, None, str(exc) or type(exc).__name__)
