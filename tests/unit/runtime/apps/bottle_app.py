from __future__ import annotations

import base64
import json

import bottle

from tests.unit.runtime.apps import PNG

app = bottle.Bottle()


@app.route("/hello", name="hello")
def hello() -> str:
    bottle.response.content_type = "text/plain"
    return "Hello World!"


@app.route("/echo/<rest:path>", method=["GET", "POST", "PUT", "DELETE", "PATCH"])
def echo(rest: str) -> str:
    req = bottle.request
    multi = [v.strip() for v in req.get_header("X-Multi", "").split(",") if v.strip()]
    scheme, netloc = req.urlparts[:2]
    bottle.response.content_type = "application/json"
    return json.dumps(
        {
            "method": req.method,
            "path": req.path,
            "root": req.script_name.rstrip("/"),
            "query": {k: req.query.getall(k) for k in req.query},
            "multi": multi,
            "cookies": {k: req.get_cookie(k) for k in req.cookies},
            "body": base64.b64encode(req.body.read()).decode(),
            "client": req.environ.get("REMOTE_ADDR"),  # Bottle's remote_addr trusts XFF
            "url": f"{scheme}://{netloc}{app.get_url('hello')}",
            "content_type": req.content_type or "",
        }
    )


@app.route("/cookies")
def cookies() -> str:
    bottle.response.set_cookie("a", "1")
    bottle.response.set_cookie("b", "2", httponly=True)
    return "cookies"


@app.route("/binary")
def binary() -> bytes:
    bottle.response.content_type = "image/png"
    return PNG


@app.route("/error")
def error() -> str:
    raise RuntimeError("boom")
