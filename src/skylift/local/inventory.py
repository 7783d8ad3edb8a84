"""What is deployed on a running local cloud, read from the backends (``skylift local status``)."""

from __future__ import annotations

import os
import time
from typing import TYPE_CHECKING, Any

from skylift.local.urls import function_url_urls, http_api_urls, rest_api_urls

if TYPE_CHECKING:
    from skylift.local.cloud import CloudServer


def cloud_status(cloud: CloudServer) -> dict[str, Any]:
    with cloud.control.lock:
        functions = _functions(cloud)
        rest_apis = _rest_apis(cloud)
        http_apis = _http_apis(cloud)
    return {
        "pid": os.getpid(),
        "port": cloud.port,
        "endpoint_url": cloud.endpoint_url,
        "started_at": cloud.started_at,
        "uptime_seconds": round(time.time() - cloud.started_at, 3),
        "version": cloud.version,
        "functions": functions,
        "rest_apis": rest_apis,
        "http_apis": http_apis,
        "environments": [
            {
                "function": activity.function_name,
                "version": activity.version,
                "count": activity.environments,
                "idle": activity.idle,
                "invocations": activity.invocations,
                "pids": activity.pids,
            }
            for activity in cloud.executor.activity()
        ],
        "schedules": cloud.scheduler.describe(),
    }


def _functions(cloud: CloudServer) -> list[dict[str, Any]]:
    found = []
    for region in cloud.control.regions_in_use("lambda"):
        backend = cloud.control.lambda_backend(region)
        for fn in backend.list_functions():
            name = fn.function_name
            versions = [str(v.version) for v in backend.list_versions_by_function(name)][1:]
            aliases = {alias.name: alias.function_version for alias in backend.list_aliases(name)}
            urls = [
                {
                    "qualifier": c.qualifier,
                    "url": function_url_urls(c.url_id, region, cloud.port)[0],
                    "path_url": function_url_urls(c.url_id, region, cloud.port)[1],
                    "auth_type": c.auth_type,
                }
                for c in cloud.urls.of_function(region, name)
            ]
            found.append(
                {
                    "name": name,
                    "region": region,
                    "runtime": fn.run_time,
                    "handler": fn.handler,
                    "memory_size": fn.memory_size,
                    "timeout": fn.timeout,
                    "code_sha256": fn.code_sha_256,
                    "versions": versions,
                    "aliases": aliases,
                    "function_urls": urls,
                }
            )
    return found


def _rest_apis(cloud: CloudServer) -> list[dict[str, Any]]:
    found = []
    for region in cloud.control.regions_in_use("apigateway"):
        for api in list(cloud.control.apigateway(region).apis.values()):
            stages = sorted(api.stages)
            found.append(
                {
                    "id": api.id,
                    "name": api.name,
                    "region": region,
                    "stages": stages,
                    "urls": {
                        stage: list(rest_api_urls(api.id, stage, cloud.port)) for stage in stages
                    },
                }
            )
    return found


def _http_apis(cloud: CloudServer) -> list[dict[str, Any]]:
    found = []
    for region in cloud.control.regions_in_use("apigatewayv2"):
        for api in list(cloud.control.apigatewayv2(region).apis.values()):
            stages = sorted(api.stages)
            found.append(
                {
                    "id": api.api_id,
                    "name": api.name,
                    "region": region,
                    "protocol": api.protocol_type,
                    "stages": stages,
                    "urls": {
                        stage: list(http_api_urls(api.api_id, stage, cloud.port))
                        for stage in stages
                    },
                }
            )
    return found
