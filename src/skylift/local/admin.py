"""skylift's own endpoints under ``/_skylift/``: health, status, code downloads, the test clock."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from skylift.local.httpserver import Request, Response
from skylift.local.inventory import cloud_status
from skylift.local.schedule.clock import ManualClock

if TYPE_CHECKING:
    from skylift.local.cloud import CloudServer


class Admin:
    def __init__(self, cloud: CloudServer) -> None:
        self.cloud = cloud

    def handle(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")[1:]
        if parts == ["health"]:
            return Response.json(json.dumps(self.health()))
        if parts == ["status"] and request.method == "GET":
            return Response.json(json.dumps(cloud_status(self.cloud)))
        if len(parts) == 4 and parts[0] == "code" and request.method == "GET":
            return self.cloud.lambda_api.code(parts[1], parts[2], parts[3])
        if parts == ["clock"]:
            return self.clock(request)
        return Response.json(
            json.dumps({"message": f"No such local cloud endpoint: {request.path}"}), 404
        )

    def health(self) -> dict[str, object]:
        return {
            "status": "ok",
            "pid": os.getpid(),
            "port": self.cloud.port,
            "started_at": self.cloud.started_at,
            "version": self.cloud.version,
        }

    def clock(self, request: Request) -> Response:
        """The test clock: GET reads it, POST {"advance": seconds} or {"set": epoch} moves it."""
        clock = self.cloud.clock
        if request.method == "POST":
            if not isinstance(clock, ManualClock):
                body = {
                    "message": "This local cloud runs on the real clock; start it with --test-clock."
                }
                return Response.json(json.dumps(body), 409)
            try:
                body = json.loads(request.body or b"{}")
                if "set" in body:
                    clock.set(float(body["set"]))
                else:
                    clock.advance(float(body.get("advance", 0)))
            except (ValueError, TypeError, AttributeError):
                return Response.json(
                    b'{"message":"Send {\\"advance\\": seconds} or {\\"set\\": epoch}."}', 400
                )
            fired = self.cloud.scheduler.tick()
            return Response.json(json.dumps({"now": clock.now(), "fired": fired}))
        return Response.json(
            json.dumps({"now": clock.now(), "manual": isinstance(clock, ManualClock)})
        )
