"""The remaining corners: each test names the behaviour it pins down."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from skylift.runtime import adapt, tasks
from skylift.runtime.accesslog import PREFIX, parse_access_line
from skylift.runtime.asgi import AsgiBridge, _header_name
from skylift.runtime.events._common import group_headers
from skylift.runtime.events.records import item_identifier
from skylift.runtime.wsgi import build_environ
from tests.unit.runtime.conftest import Context, make_event
from tests.unit.runtime.test_wsgi import req


def test_a_json_array_after_the_prefix_is_not_an_access_line() -> None:
    assert parse_access_line("x " + PREFIX[:-1] + "]") is None
    assert parse_access_line(PREFIX[:1] + '"skylift":"access"} trailing') is None
    assert parse_access_line(PREFIX + '"skylift":"other"}') is None  # the last key wins


def test_two_watchers_share_one_disconnect() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        loop = asyncio.get_running_loop()
        first = loop.create_task(receive())
        second = loop.create_task(receive())
        await asyncio.sleep(0)
        await send({"type": "http.response.start", "status": 200})
        await send({"type": "http.response.body", "body": b"x"})
        assert (await first)["type"] == (await second)["type"] == "http.disconnect"

    handler = adapt(app, lifespan="off")
    try:
        assert handler(make_event("rest", "GET", "/"), Context())["body"] == "x"
    finally:
        handler.shutdown()


def test_header_name_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from skylift.runtime import asgi

    monkeypatch.setattr(asgi, "_NAMES", {})
    monkeypatch.setattr(asgi, "_NAMES_MAX", 0)
    assert _header_name("X-A") == b"x-a"
    assert _header_name("Transfer-Encoding") == b""
    assert asgi._NAMES == {}


def test_loop_is_made_once() -> None:
    bridge = AsgiBridge(lambda s, r, t: None, "off")  # type: ignore[arg-type,return-value]
    loop = bridge._get_loop()
    assert bridge._get_loop() is loop
    bridge.shutdown()


def test_batch_item_failures_from_the_function_are_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, app_modules: Path
) -> None:
    from skylift.runtime import handler

    (app_modules / "partial.py").write_text(
        "def f(event, context):\n"
        "    return {'batchItemFailures': [{'itemIdentifier': 'a'}, {'itemIdentifier': 'a'}, 'junk', {'itemIdentifier': 1}]}\n"
        "def g(event, context):\n    return 'not a dict'\n"
    )
    arn = "arn:aws:sqs:eu-central-1:210987654321:orders"
    events = [
        {
            "function": "partial.f",
            "event_source": {"arn": arn, "function_response_types": ["ReportBatchItemFailures"]},
        },
        {
            "function": "partial.g",
            "event_source": {"arn": arn, "function_response_types": ["ReportBatchItemFailures"]},
        },
        {"function": "partial.g", "event_source": {"arn": 5}},
    ]
    (tmp_path / "skylift_settings.json").write_text(json.dumps({"events": events}))
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    batch = {
        "Records": [
            {"eventSource": "aws:sqs", "eventSourceARN": arn, "messageId": "a", "body": "{}"}
        ]
    }
    assert handler.lambda_handler(batch, Context()) == {
        "batchItemFailures": [{"itemIdentifier": "a"}]
    }


def test_group_headers_picks_content_encoding() -> None:
    grouped, ctype, encoding = group_headers([("Content-Encoding", "br"), ("X", "1")])
    assert (ctype, encoding) == ("", "br")
    assert grouped == {"Content-Encoding": ["br"], "X": ["1"]}


def test_sqs_message_id_is_its_item_identifier() -> None:
    assert item_identifier({"eventSource": "aws:sqs", "messageId": "m-1"}) == "m-1"


def test_slow_path_skips_dropped_headers() -> None:
    environ = build_environ(req([("X-A", "1"), ("x-a", "2"), ("X_Bad", "3")]))
    assert environ["HTTP_X_A"] == "1,2"
    assert "HTTP_X_BAD" not in environ


def test_sns_topic_arn_uses_the_account_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    class FakeSts:
        def get_caller_identity(self) -> dict[str, str]:
            calls.append("sts")
            return {"Account": "210987654321"}

    monkeypatch.setattr(tasks, "_account", [])
    monkeypatch.setitem(tasks._clients, ("sts", "eu-west-1"), FakeSts())
    first = tasks._topic_arn("shop-dev", "eu-west-1")
    assert tasks._topic_arn("shop-dev", "eu-west-1") == first
    assert first == "arn:aws:sns:eu-west-1:210987654321:shop-dev-skylift-async"
    assert calls == ["sts"]


def test_import_of_an_empty_module_name_is_refused() -> None:
    from skylift.runtime.errors import FunctionNotFound
    from skylift.runtime.loader import import_function

    with pytest.raises(FunctionNotFound):
        import_function("..x")
    with pytest.raises(FunctionNotFound, match="relative import"):
        import_function(".relative.f")
