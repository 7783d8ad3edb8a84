from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from tests.unit.runtime.apps import PNG
from tests.unit.runtime.apps.starlette_app import describe

app = FastAPI()


@app.api_route("/hello", methods=["GET", "HEAD"], response_class=PlainTextResponse)
async def hello() -> str:
    return "Hello World!"


@app.api_route("/echo/{rest:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
async def echo(request: Request, rest: str) -> Response:
    return JSONResponse(await describe(request))


@app.get("/cookies")
async def cookies() -> Response:
    response = PlainTextResponse("cookies")
    response.set_cookie("a", "1")
    response.set_cookie("b", "2", httponly=True)
    return response


@app.get("/binary")
async def binary() -> Response:
    return Response(PNG, media_type="image/png")


@app.get("/error")
async def error() -> Response:
    raise RuntimeError("boom")
