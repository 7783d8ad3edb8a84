"""The local cloud: skylift's deployments on 127.0.0.1, no Docker, no AWS account.

The public API is small: ``ensure_running`` starts the background process (or
finds it), ``stop`` ends it, ``status`` describes it. Deploy code talks to it
through boto3 with ``endpoint_url=cloud.endpoint_url`` and nothing else; the
``*_urls`` helpers give the URLs it serves deployments at.
"""

from skylift.local.lifecycle import LocalCloud, LocalStatus, ensure_running, running, status, stop
from skylift.local.paths import DEFAULT_PORT
from skylift.local.urls import function_url_urls, http_api_urls, is_local_endpoint, rest_api_urls

__all__ = [
    "DEFAULT_PORT",
    "LocalCloud",
    "LocalStatus",
    "ensure_running",
    "function_url_urls",
    "http_api_urls",
    "is_local_endpoint",
    "rest_api_urls",
    "running",
    "status",
    "stop",
]
