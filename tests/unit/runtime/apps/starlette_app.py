from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.unit.runtime.apps import PNG

EVENTS: list[str] = []


async def hello(request: Request) -> Response:
    return PlainTextResponse("Hello World!")


async def describe(request: Request) -> dict[str, Any]:
    root = request.scope.get("root_path", "")
    path = request.scope["path"]
    return {
        "method": request.method,
        "path": path[len(root) :] if root and path.startswith(root) else path,
        "root": root,
        "query": {k: request.query_params.getlist(k) for k in request.query_params},
        "multi": [v.strip() for h in request.headers.getlist("x-multi") for v in h.split(",")],
        "cookies": dict(request.cookies),
        "body": base64.b64encode(await request.body()).decode(),
        "client": request.client.host if request.client else None,
        "url": str(request.url_for("hello")),
        "content_type": request.headers.get("content-type", ""),
    }


async def echo(request: Request) -> Response:
    return JSONResponse(await describe(request))


async def cookies(request: Request) -> Response:
    response = PlainTextResponse("cookies")
    response.set_cookie("a", "1")
    response.set_cookie("b", "2", httponly=True)
    return response


async def binary(request: Request) -> Response:
    return Response(PNG, media_type="image/png")


async def error(request: Request) -> Response:
    raise RuntimeError("boom")


async def state(request: Request) -> Response:
    return JSONResponse(
        {"started": request.state.started, "lambda": "lambda.event" in request.scope}
    )


def _record(name: str) -> None:
    EVENTS.append(name)


async def background(request: Request) -> Response:
    return PlainTextResponse("queued", background=BackgroundTask(_record, "background ran"))


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
    EVENTS.append("startup")
    yield {"started": "yes"}
    EVENTS.append("shutdown")


app = Starlette(
    routes=[
        Route("/hello", hello, name="hello"),
        Route("/echo/{rest:path}", echo, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/cookies", cookies),
        Route("/binary", binary),
        Route("/error", error),
        Route("/state", state),
        Route("/background", background),
    ],
    lifespan=lifespan,
)
