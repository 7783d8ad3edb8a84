"""skylift's Lambda adapter against its peers, one process, one run: µs per request.

Flask hello and FastAPI hello through REST (v1), HTTP API (v2) and ALB events, called
directly (a pre-built WSGI environ / ASGI scope), through skylift, apig-wsgi,
serverless-wsgi, Zappa's handler and Mangum (lifespan off). Each figure is the best of
``--repeat`` rounds of ``--number`` requests after a warm-up, the contenders' rounds
interleaved so that load from elsewhere on the machine hits them alike. Every adapter's own
logging stays on, written to /dev/null: a real deployment pays for it too.

    make bench-deps && .venv/bin/python bench/adapters.py [--number N] [--repeat R]
    .venv/bin/python bench/adapters.py --instructions [--number N]   # valgrind: Ir/request

Target: skylift's overhead over the direct call <= half of apig-wsgi's (WSGI) and <=
half of Mangum's (ASGI).
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import io
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

# -- the apps ----------------------------------------------------------------------


def flask_app() -> Any:
    from flask import Flask

    app = Flask("flask_hello")

    @app.route("/hello")
    def hello() -> str:
        return "Hello World!"

    return app


def fastapi_app() -> Any:
    from fastapi import FastAPI
    from fastapi.responses import PlainTextResponse

    app = FastAPI()

    @app.get("/hello", response_class=PlainTextResponse)
    async def hello() -> str:
        return "Hello World!"

    return app


# -- the events (AWS's documented shapes, typical browser-ish headers) --------------

_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Encoding": "gzip, deflate, br",
    "Accept-Language": "en-US,en;q=0.9",
    "CloudFront-Forwarded-Proto": "https",
    "CloudFront-Is-Desktop-Viewer": "true",
    "CloudFront-Viewer-Country": "FR",
    "Host": "abc123.execute-api.eu-west-1.amazonaws.com",
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
    "Via": "2.0 1a2b3c.cloudfront.net (CloudFront)",
    "X-Amz-Cf-Id": "Wv8kYt1V8w2fYf0Nq2pTn8q0b9E3f7d2cW6x9y1z0a==",
    "X-Amzn-Trace-Id": "Root=1-65f0a1b2-0123456789abcdef01234567",
    "X-Forwarded-For": "203.0.113.7, 198.51.100.20",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Proto": "https",
}


def rest_event() -> dict[str, Any]:
    return {
        "resource": "/{proxy+}",
        "path": "/hello",
        "httpMethod": "GET",
        "headers": dict(_HEADERS),
        "multiValueHeaders": {k: [v] for k, v in _HEADERS.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": "hello"},
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "resourceId": "abcdef",
            "stage": "dev",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "203.0.113.7", "userAgent": _HEADERS["User-Agent"]},
            "resourcePath": "/{proxy+}",
            "httpMethod": "GET",
            "path": "/dev/hello",
            "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "apiId": "abc123",
        },
        "body": None,
        "isBase64Encoded": False,
    }


def http_event() -> dict[str, Any]:
    headers = {k.lower(): v for k, v in _HEADERS.items() if not k.startswith("CloudFront")}
    headers.pop("via"), headers.pop("x-amz-cf-id")
    headers["x-forwarded-for"] = "203.0.113.7"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/hello",
        "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abc123",
            "http": {
                "method": "GET",
                "path": "/hello",
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": _HEADERS["User-Agent"],
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "10/Mar/2026:10:00:00 +0000",
            "timeEpoch": 1773136800000,
        },
        "isBase64Encoded": False,
    }


def alb_event() -> dict[str, Any]:
    headers = {k.lower(): v for k, v in _HEADERS.items() if not k.startswith(("CloudFront", "Via"))}
    headers.pop("x-amz-cf-id")
    headers["host"] = "my-alb-123.eu-west-1.elb.amazonaws.com"
    return {
        "requestContext": {
            "elb": {
                "targetGroupArn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/1"
            }
        },
        "httpMethod": "GET",
        "path": "/hello",
        "queryStringParameters": {},
        "headers": headers,
        "body": "",
        "isBase64Encoded": False,
    }


EVENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "rest": rest_event,
    "http": http_event,
    "alb": alb_event,
}


class Context:
    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    memory_limit_in_mb = 512
    aws_request_id = "8f5e7c9a-0000-4000-8000-000000000000"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "2026/03/10/[$LATEST]abc"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


# -- the contenders -------------------------------------------------------------------


def direct_wsgi(app: Any, event: dict[str, Any]) -> Callable[[], Any]:
    """The app called with a pre-built environ: the baseline every adapter adds to."""
    from skylift.runtime.adapter import adapt

    captured: dict[str, Any] = {}
    handler = adapt(app)
    source = __import__("skylift.runtime.events", fromlist=["x"]).http_source(event)
    base = handler.bridge.prepare(source.to_request(event, None, ""))
    captured.update(base)

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        return None

    def call() -> bytes:
        environ = captured.copy()
        environ["wsgi.input"] = io.BytesIO(b"")
        result = app(environ, start_response)
        try:
            return b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    return call


def direct_asgi(app: Any, event: dict[str, Any]) -> Callable[[], Any]:
    from skylift.runtime.adapter import adapt

    handler = adapt(app, lifespan="off")
    source = __import__("skylift.runtime.events", fromlist=["x"]).http_source(event)
    base = handler.bridge.prepare(source.to_request(event, None, ""))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    def call() -> bytes:
        chunks: list[bytes] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        loop.run_until_complete(app(dict(base), receive, send))
        return b"".join(chunks)

    return call


def skylift_handler(app: Any, kind: str) -> Callable[..., Any]:
    from skylift.runtime import adapt

    return adapt(app, lifespan="off" if kind == "asgi" else "auto")


def apig_wsgi_handler(app: Any, kind: str) -> Callable[..., Any]:
    from apig_wsgi import make_lambda_handler

    return make_lambda_handler(app)


def serverless_wsgi_handler(app: Any, kind: str) -> Callable[..., Any]:
    import serverless_wsgi

    return lambda event, context: serverless_wsgi.handle_request(app, event, context)


def mangum_handler(app: Any, kind: str) -> Callable[..., Any]:
    from mangum import Mangum

    return Mangum(app, lifespan="off")


_ZAPPA_DIR = tempfile.mkdtemp(prefix="skylift-bench-zappa-")


def zappa_handler(app: Any, kind: str) -> Callable[..., Any]:
    """Zappa's LambdaHandler, with the settings module `zappa package` would generate."""
    module_name = f"bench_app_{kind}"
    settings_name = f"zappa_settings_{kind}"
    sys.modules[module_name] = type(sys)(module_name)
    sys.modules[module_name].app = app  # type: ignore[attr-defined]
    with open(os.path.join(_ZAPPA_DIR, settings_name + ".py"), "w") as fh:
        fh.write(
            f"APP_MODULE='{module_name}'\nAPP_FUNCTION='app'\nEXCEPTION_HANDLER=None\n"
            "DEBUG=False\nLOG_LEVEL='INFO'\nBINARY_SUPPORT=True\nCONTEXT_HEADER_MAPPINGS={}\n"
            "DOMAIN=None\nBASE_PATH=None\nENVIRONMENT_VARIABLES={}\nAPI_STAGE='dev'\n"
            "PROJECT_NAME='bench'\nSETTINGS_FILE=None\nDJANGO_SETTINGS=None\n"
            "AWS_EVENT_MAPPING={}\nAWS_BOT_EVENT_MAPPING={}\nCOGNITO_TRIGGER_MAPPING={}\n"
            "ASYNC_RESPONSE_TABLE=''\nADDITIONAL_TEXT_MIMETYPES=[]\n"
        )
    if _ZAPPA_DIR not in sys.path:
        sys.path.insert(0, _ZAPPA_DIR)
    from zappa.handler import LambdaHandler

    # LambdaHandler is a singleton: start a fresh one for each app.
    LambdaHandler._LambdaHandler__instance = None  # type: ignore[attr-defined]
    handler = LambdaHandler(settings_name)
    return handler.handler


def floor_handler(app: Any, kind: str) -> Callable[..., Any]:
    """A lower bound, not an adapter: the work skylift must do for these three events, in
    one function, for the common case only (one value per header, no body, no query, the
    app answering text): the same environ, answer and access line as skylift, with no
    validation, no error containment and no helper calls. Whatever an adapter doing
    skylift's job adds to the direct call, it cannot add less than this."""
    from skylift.runtime import wsgi
    from skylift.runtime.accesslog import HEADS, quote

    keys, codes = wsgi._KEYS, wsgi._CODES  # filled by a first request through skylift
    template = wsgi._HTTPS
    isascii = str.isascii

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        start = time.perf_counter()
        rc = event["requestContext"]
        environ = template.copy()
        if "elb" in rc:  # ALB: the client and host from the headers
            shape = "alb"
            headers = event["headers"]
            method, path, script_name = event["httpMethod"], event["path"], ""
            forwarded = headers["x-forwarded-for"]
            client = forwarded[forwarded.rfind(",") + 1 :].strip()
            agent = headers["user-agent"]
            environ["SERVER_NAME"] = headers["host"]
            environ["SERVER_PORT"] = headers["x-forwarded-port"]
            for name, value in headers.items():
                if not isascii(value):
                    raise ValueError(value)
                environ[keys[name]] = value
        elif "http" in rc:  # HTTP API 2.0
            shape = "apigw_v2"
            http = rc["http"]
            method, path, script_name = http["method"], event["rawPath"], ""
            client, agent = http["sourceIp"], http["userAgent"]
            environ["SERVER_NAME"] = rc["domainName"]
            for name, value in event["headers"].items():
                if not isascii(value):
                    raise ValueError(value)
                environ[keys[name]] = value
        else:  # REST: the stage is the mount point, headers from multiValueHeaders
            shape = "apigw_v1"
            identity = rc["identity"]
            method, path, script_name = event["httpMethod"], event["path"], "/" + rc["stage"]
            client, agent = identity["sourceIp"], identity["userAgent"]
            environ["SERVER_NAME"] = rc["domainName"]
            environ["SCRIPT_NAME"] = script_name
            for name, (value,) in event["multiValueHeaders"].items():
                if not isascii(value):
                    raise ValueError(value)
                environ[keys[name]] = value
        environ["REQUEST_METHOD"] = method
        environ["PATH_INFO"] = path
        environ["REMOTE_ADDR"] = client
        environ["wsgi.errors"] = sys.stderr
        environ["lambda.event"] = event
        environ["lambda.context"] = context
        sent: list[Any] = []

        def start_response(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            sent[:] = (status, headers)
            return sent.append

        result = app(environ, start_response)
        chunks = list(result)
        close = getattr(result, "close", None)
        if close is not None:
            close()
        status = codes[sent[0]]
        body = b"".join(chunks)
        out: dict[str, Any] = {}
        for name, value in sent[1]:
            out[name] = [value] if shape == "apigw_v1" else value
        answer = {"statusCode": status, "body": body.decode(), "isBase64Encoded": False}
        if shape == "apigw_v1":
            answer["multiValueHeaders"] = out
        else:
            answer["headers"] = out
        if shape == "alb":
            answer["statusDescription"] = "200 OK"
        elif shape == "apigw_v2":
            answer["cookies"] = []
        head = HEADS[(method, script_name, path, status, client, agent, shape)]
        sys.stdout.write(
            f"{head}{len(body)},"
            f'"ms":{(time.perf_counter() - start) * 1000.0:.3f},'
            f'"rid":{quote(context.aws_request_id)}}}\n'
        )
        return answer

    return handler


WSGI_PEERS = {
    "skylift": skylift_handler,
    "apig-wsgi": apig_wsgi_handler,
    "serverless-wsgi": serverless_wsgi_handler,
    "zappa": zappa_handler,
    "floor": floor_handler,  # after skylift: reads the caches skylift's first request fills
}
ASGI_PEERS = {"skylift": skylift_handler, "mangum": mangum_handler, "zappa": zappa_handler}


# -- timing ---------------------------------------------------------------------------


def best_us(calls: dict[str, Callable[[], Any]], number: int, repeat: int) -> dict[str, float]:
    """Best µs per call of each contender, rounds interleaved so machine load hits all alike."""
    for call in calls.values():
        for _ in range(max(number // 10, 50)):
            call()
    best = dict.fromkeys(calls, float("inf"))
    for _ in range(repeat):
        for name, call in calls.items():
            start = time.perf_counter()
            for _ in range(number):
                call()
            best[name] = min(best[name], (time.perf_counter() - start) / number)
    return {name: us * 1e6 for name, us in best.items()}


def check(result: Any, name: str) -> None:
    body = result if isinstance(result, bytes) else str(result.get("body", "")).encode()
    status = 200 if isinstance(result, bytes) else result.get("statusCode")
    if status != 200 or b"Hello World!" not in body:
        raise SystemExit(f"{name}: unexpected answer {result!r}")


def run(number: int, repeat: int) -> list[tuple[str, str, str, float]]:
    rows: list[tuple[str, str, str, float]] = []
    ctx = Context()
    for kind, make_app, peers, direct in (
        ("wsgi", flask_app, WSGI_PEERS, direct_wsgi),
        ("asgi", fastapi_app, ASGI_PEERS, direct_asgi),
    ):
        app = make_app()
        label = "Flask" if kind == "wsgi" else "FastAPI"
        handlers = {name: factory(app, kind) for name, factory in peers.items()}
        for shape, make_event in EVENTS.items():
            event = make_event()
            calls: dict[str, Callable[[], Any]] = {"direct": direct(app, event)}
            for name, handler in handlers.items():
                ev = copy.deepcopy(event)
                calls[name] = lambda h=handler, e=ev: h(e, ctx)  # type: ignore[misc]
            for name, call in calls.items():
                check(call(), f"{name} {shape}")
            for name, us in best_us(calls, number, repeat).items():
                rows.append((label, shape, name, us))
    return rows


def report(rows: list[tuple[str, str, str, float]], out: Any, unit: str = "µs") -> bool:
    """The table, then per app and event: skylift's overhead over the direct call against the
    reference peer's (apig-wsgi for WSGI, Mangum for ASGI), and whether the target is met."""
    table: dict[tuple[str, str], dict[str, float]] = {}
    for label, shape, name, value in rows:
        table.setdefault((label, shape), {})[name] = value
    fmt = "{:8.1f}" if unit == "µs" else "{:8,.0f}"
    signed = "{:+.1f}" if unit == "µs" else "{:+,.0f}"
    ok = True
    out.write(
        f"{'app':8} {'event':5} {'adapter':16} {unit + '/req':>8} {'x direct':>9} {'overhead':>12}\n"
    )
    verdicts: list[str] = []
    for (label, shape), figures in table.items():
        direct = figures["direct"]
        for name, value in figures.items():
            over = fmt.format(value - direct).strip()
            out.write(
                f"{label:8} {shape:5} {name:16} {fmt.format(value)} {value / direct:9.2f} {over:>12}\n"
            )
        out.write("\n")
        reference = "apig-wsgi" if "apig-wsgi" in figures else "mangum"
        if "skylift" not in figures or reference not in figures:
            continue  # --only left one of them out
        ours = figures["skylift"] - direct
        theirs = figures[reference] - direct
        ratio = ours / theirs if theirs > 0 else float("inf")
        met = ratio <= 0.5
        ok = ok and met
        floor = ""
        if "floor" in figures:
            floor = f"; floor {(figures['floor'] - direct) / theirs:.2f}x"
        verdicts.append(
            f"{label:8} {shape:5} skylift {signed.format(ours)} vs {reference} "
            f"{signed.format(theirs)} {unit}/req: {ratio:.2f}x "
            f"(target <= 0.50x: {'met' if met else 'MISSED'}{floor})"
        )
    out.write("overhead over the direct call, skylift / reference peer:\n")
    out.write("".join(f"  {line}\n" for line in verdicts))
    return ok


# -- instruction counts (valgrind) ------------------------------------------------------

_MARK = os.getppid  # a C function no contender calls: callgrind dumps its counts there


def drive(kind: str, contender: str, number: int) -> None:
    """Child of --instructions: every event shape through one contender, each loop of
    ``number`` requests between two calls of _MARK (after a warm-up of 300)."""
    ctx = Context()
    app = flask_app() if kind == "wsgi" else fastapi_app()
    factories = {**WSGI_PEERS, **ASGI_PEERS}
    if contender == "floor":
        skylift = skylift_handler(app, kind)  # fills the caches the floor reads
        for make_event in EVENTS.values():
            skylift(make_event(), ctx)
    handler = factories[contender](app, kind) if contender in factories else None
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the whole run
    for make_event in EVENTS.values():
        event = make_event()
        if contender == "noop":
            call: Callable[[], Any] = lambda: None  # noqa: E731 - the loop's own cost
        elif contender == "direct":
            call = (direct_wsgi if kind == "wsgi" else direct_asgi)(app, event)
        else:
            own = copy.deepcopy(event)
            call = lambda h=handler, e=own: h(e, ctx)  # type: ignore[misc]  # noqa: E731
        for _ in range(300):
            call()
        _MARK()
        for _ in range(number):
            call()
        _MARK()


def _callgrind(kind: str, contender: str, number: int, seed: int) -> list[float]:
    """Instructions per request of one contender for each event shape: one valgrind run."""
    import re
    import shutil
    import subprocess

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        subprocess.run(
            [
                valgrind,
                "--tool=callgrind",
                "--dump-before=os_getppid*",
                f"--callgrind-out-file={out}",
                sys.executable,
                os.path.abspath(__file__),
                "--drive",
                kind,
                contender,
                str(number),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        )
        totals = []
        numbered = [n for n in os.listdir(tmp) if n.rsplit(".", 1)[-1].isdigit()]
        for name in sorted(numbered, key=lambda n: int(n.rsplit(".", 1)[-1])):
            with open(os.path.join(tmp, name)) as fh:
                found = re.search(r"^totals: (\d+)", fh.read(), re.MULTILINE)
            if found:
                totals.append(int(found.group(1)))
    # dumps at each mark: start..mark, then per event its loop, then the next warm-up
    if len(totals) != 2 * len(EVENTS):
        raise SystemExit(f"callgrind gave {len(totals)} dumps for {contender}, not 6")
    return [totals[1 + 2 * i] / number for i in range(len(EVENTS))]


def instructions(
    number: int, only: set[str] | None = None, seeds: int = 1
) -> list[tuple[str, str, str, float]]:
    """CPU instructions per request (callgrind's Ir): one valgrind run per contender and
    hash seed, the same warm-up in each, the loop's own cost taken off. Deterministic,
    unlike time, once the hash seed is fixed: string hashes decide where dict keys land,
    and from one seed to another the same code moves by up to ~2.5k per request, as much
    as the changes worth measuring. ``seeds`` runs seeds 0..seeds-1 and averages them."""
    rows: list[tuple[str, str, str, float]] = []
    for kind, label, contenders in (
        ("wsgi", "Flask", ["direct", "skylift", "apig-wsgi", "floor"]),
        ("asgi", "FastAPI", ["direct", "skylift", "mangum"]),
    ):
        if only:
            contenders = [c for c in contenders if c in only or c == "direct"]
            if len(contenders) == 1:
                continue
        counts: dict[str, list[float]] = {}
        for contender in ["noop", *contenders]:
            runs = [_callgrind(kind, contender, number, seed) for seed in range(seeds)]
            counts[contender] = [sum(column) / seeds for column in zip(*runs, strict=True)]
        for i, shape in enumerate(EVENTS):
            for contender in contenders:
                rows.append((label, shape, contender, counts[contender][i] - counts["noop"][i]))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--number", type=int, default=500, help="requests per round")
    parser.add_argument("--repeat", type=int, default=30, help="rounds; the best is kept")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count CPU instructions per request under valgrind (--number requests, once)",
    )
    parser.add_argument(
        "--only",
        help="with --instructions: these contenders (comma-separated) and the direct call",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=1,
        help="with --instructions: average over hash seeds 0..SEEDS-1 (PYTHONHASHSEED)",
    )
    parser.add_argument(
        "--drive", nargs=3, metavar=("KIND", "CONTENDER", "N"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.drive:
        kind, contender, number = args.drive
        drive(kind, contender, int(number))
        return 0
    if args.instructions:
        rows = instructions(
            args.number, set(args.only.split(",")) if args.only else None, args.seeds
        )
        sys.stdout.write(
            f"Python {sys.version.split()[0]}, instructions per request (callgrind Ir, "
            f"{args.number} requests after 300, hash seeds 0..{args.seeds - 1})\n\n"
        )
        return 0 if report(rows, sys.stdout, unit="Ir") else 1
    real_stdout = sys.stdout
    devnull = open(os.devnull, "w")  # noqa: SIM115 - open for the whole run
    sys.stdout = sys.stderr = devnull  # every adapter's access logging goes here
    try:
        rows = run(args.number, args.repeat)
    finally:
        sys.stdout, sys.stderr = real_stdout, sys.__stderr__
    real_stdout.write(
        f"Python {sys.version.split()[0]}, best of {args.repeat} x {args.number} requests\n\n"
    )
    return 0 if report(rows, real_stdout) else 1


if __name__ == "__main__":
    sys.exit(main())
