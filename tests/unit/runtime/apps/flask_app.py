from __future__ import annotations

import base64

from flask import Flask, Response, jsonify, make_response, request, url_for

from tests.unit.runtime.apps import PNG

app = Flask(__name__)


@app.route("/hello")
def hello() -> Response:
    return Response("Hello World!", mimetype="text/plain")


@app.route("/echo/<path:rest>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
def echo(rest: str) -> Response:
    multi = [v.strip() for h in request.headers.getlist("X-Multi") for v in h.split(",")]
    return jsonify(
        method=request.method,
        path=request.path,
        root=request.script_root,
        query=request.args.to_dict(flat=False),
        multi=multi,
        cookies=dict(request.cookies),
        body=base64.b64encode(request.get_data()).decode(),
        client=request.remote_addr,
        url=url_for("hello", _external=True),
        content_type=request.content_type or "",
    )


@app.route("/cookies")
def cookies() -> Response:
    response = make_response("cookies")
    response.set_cookie("a", "1")
    response.set_cookie("b", "2", httponly=True)
    return response


@app.route("/binary")
def binary() -> Response:
    return Response(PNG, mimetype="image/png")


@app.route("/error")
def error() -> Response:
    raise RuntimeError("boom")
