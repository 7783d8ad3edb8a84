"""Non-HTTP events through the packaged handler: schedules, records, commands, authorizers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from skylift.runtime import handler as runtime_handler
from skylift.runtime.errors import EventError, Unauthorized, UnhandledRecords
from tests.unit.runtime.conftest import Context, load_event

JOBS = """
CALLS = []

def nightly(event, context):
    CALLS.append(("nightly", event["detail-type"], context.aws_request_id))
    return "nightly done"

def hourly(event):
    CALLS.append(("hourly", event["source"]))
    return "hourly done"

def no_args():
    CALLS.append(("no_args",))
    return 3

def star(*args):
    CALLS.append(("star", len(args)))

def orders(event, context):
    CALLS.append(("orders", [r["messageId"] for r in event["Records"]]))
    if any(json.loads(r["body"]).get("order") == 2 for r in event["Records"]):
        return {"batchItemFailures": [{"itemIdentifier": event["Records"][1]["messageId"]}]}
    return len(event["Records"])

def explode(event, context):
    raise ValueError("cannot process")

def stream(event, context):
    CALLS.append(("stream", len(event["Records"])))
    raise ValueError("stream broke")

def alerts(event, context):
    CALLS.append(("alerts", event["Records"][0]["Sns"]["Message"]))

def thumbnail(event, context):
    CALLS.append(("thumbnail", event["Records"][0]["s3"]["object"]["key"]))

def other_s3(event, context):
    CALLS.append(("other_s3",))

def authorize(event, context):
    effect = "Allow" if "allow" in event.get("authorizationToken", "allow") else "Deny"
    return {"principalId": "u", "policyDocument": {"Statement": [{"Effect": effect}]}}

def presignup(event, context):
    event["response"]["autoConfirmUser"] = True
    return event

def handled(exc, event, context):
    CALLS.append(("handled", type(exc).__name__))
    return True

def not_handled(exc, event, context):
    return False

def broken_handler(exc, event, context):
    raise RuntimeError("handler broke")

def payload_echo(event, context):
    return {"got": event}

def unserializable(event):
    return object()
"""


@pytest.fixture
def jobs(app_modules: Path) -> Any:
    (app_modules / "jobs.py").write_text("import json\n" + JOBS)
    import jobs  # type: ignore[import-not-found]

    jobs.CALLS.clear()
    return jobs


def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: Any) -> Any:
    (tmp_path / "skylift_settings.json").write_text(json.dumps(settings))
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    return runtime_handler.lambda_handler


EVENTS = [
    {"function": "jobs.nightly", "expression": "rate(1 day)"},
    {"function": "jobs.hourly", "name": "reports.hourly", "expressions": ["rate(1 hour)"]},
    {
        "function": "jobs.orders",
        "event_source": {"arn": "arn:aws:sqs:eu-central-1:210987654321:orders"},
    },
    {
        "function": "jobs.alerts",
        "event_source": {"arn": "arn:aws:sns:eu-central-1:210987654321:alerts"},
    },
    {"function": "jobs.thumbnail", "event_source": {"arn": "arn:aws:s3:::shop-uploads"}},
    {"function": "jobs.other_s3", "event_source": {"arn": "arn:aws:s3:::shop-uploads"}},
    {
        "function": "jobs.stream",
        "event_source": {
            "arn": "arn:aws:kinesis:eu-central-1:210987654321:stream/clicks",
            "function_response_types": ["ReportBatchItemFailures"],
        },
    },
    {
        "function": "jobs.explode",
        "event_source": {"arn": "arn:aws:sqs:x:1:disabled"},
        "enabled": False,
    },
    "not an entry",
    {"function": "jobs.nightly", "event_source": "not a mapping"},
]


def test_schedule_runs_the_function_named_by_the_rule(tmp_path, monkeypatch, jobs) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch, events=EVENTS)
    assert handler(load_event("schedule.json"), Context("r1")) == "nightly done"
    assert handler(load_event("scheduler.json"), Context()) == "hourly done"
    assert jobs.CALLS == [("nightly", "Scheduled Event", "r1"), ("hourly", "aws.scheduler")]


def test_unknown_schedule_rule_is_a_clear_error(tmp_path, monkeypatch, jobs) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch, events=EVENTS)
    event = load_event("schedule.json")
    event["resources"] = ["arn:aws:events:eu-central-1:1:rule/shop-dev-os.system"]
    with pytest.raises(EventError, match="no function in the stage's events"):
        handler(event, Context())
    event["resources"] = []
    with pytest.raises(EventError, match=r"\(none\)"):
        handler(event, Context())


def test_keep_warm_answers_and_loads_the_app_without_calling_it(
    tmp_path, monkeypatch, app_modules
) -> None:  # type: ignore[no-untyped-def]
    (app_modules / "warm_app.py").write_text(
        "CALLED = []\ndef app(environ, start_response):\n    CALLED.append(1)\n    return []\n"
    )
    handler = runtime(tmp_path, monkeypatch, app_function="warm_app.app")
    assert handler(load_event("keep_warm.json"), Context()) == {
        "skylift": "keep-warm",
        "warm": True,
    }
    import warm_app  # type: ignore[import-not-found]

    assert warm_app.CALLED == []
    assert runtime_handler._runtime[0].http is not None
    zappa = load_event("keep_warm.json")
    zappa["resources"] = [
        "arn:aws:events:x:1:rule/shop-dev-zappa-keep-warm-handler.keep_warm_callback"
    ]
    assert handler(zappa, Context())["warm"] is True


def test_sqs_batch_goes_to_its_function_whole(tmp_path, monkeypatch, jobs) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch, events=EVENTS)
    event = load_event("sqs.json")
    event["Records"] = event["Records"][:1]
    assert handler(event, Context()) == 1
    assert jobs.CALLS == [("orders", ["059f36b4-87a3-44ab-83d2-661975830a7d"])]


def test_sqs_partial_batch_failures(tmp_path, monkeypatch, jobs) -> None:  # type: ignore[no-untyped-def]
    events = [
        dict(
            EVENTS[2],
            event_source={
                **EVENTS[2]["event_source"],
                "function_response_types": ["ReportBatchItemFailures"],
            },
        )
    ]  # type: ignore[dict-item]
    handler = runtime(tmp_path, monkeypatch, events=events)
    answer = handler(load_event("sqs.json"), Context())
    assert answer == {
        "batchItemFailures": [{"itemIdentifier": "2e1424d4-f796-459a-8184-9c92662be6da"}]
    }


def test_stream_failure_reports_every_record_of_the_batch(
    tmp_path, monkeypatch, jobs, capsys
) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch, events=EVENTS)
    answer = handler(load_event("kinesis.json"), Context())
    assert answer == {
        "batchItemFailures": [
            {"itemIdentifier": "49590338271490256608559692538361571095921575989136588898"}
        ]
    }
    assert "stream broke" in capsys.readouterr().err


def test_records_without_a_function_are_refused_so_nothing_is_lost(
    tmp_path, monkeypatch, jobs
) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch, events=EVENTS)
    with pytest.raises(UnhandledRecords, match="table/orders/stream"):
        handler(load_event("dynamodb.json"), Context())


def test_failing_record_function_raises_for_a_retry(tmp_path, monkeypatch, jobs) -> None:  # type: ignore[no-untyped-def]
    events = [
        {
            "function": "jobs.explode",
            "event_source": {"arn": "arn:aws:sqs:eu-central-1:210987654321:orders"},
        }
    ]
    handler = runtime(tmp_path, monkeypatch, events=events)
    with pytest.raises(ValueError, match="cannot process"):
        handler(load_event("sqs.json"), Context())


@pytest.mark.parametrize(
    ("exception_handler", "swallowed"),
    [("jobs.handled", True), ("jobs.not_handled", False), ("jobs.broken_handler", False)],
)
def test_exception_handler_decides(
    tmp_path, monkeypatch, jobs, capsys, exception_handler, swallowed
) -> None:  # type: ignore[no-untyped-def]
    events = [
        {
            "function": "jobs.explode",
            "event_source": {"arn": "arn:aws:sqs:eu-central-1:210987654321:orders"},
        }
    ]
    handler = runtime(tmp_path, monkeypatch, events=events, exception_handler=exception_handler)
    if swallowed:
        assert handler(load_event("sqs.json"), Context()) is None
        assert jobs.CALLS == [("handled", "ValueError")]
    else:
        with pytest.raises(ValueError, match="cannot process"):
            handler(load_event("sqs.json"), Context())
    if exception_handler == "jobs.broken_handler":  # tagged like the failure it was given
        assert "[ERROR] req-0001 exception_handler failed" in capsys.readouterr().err


@pytest.mark.parametrize(("exception_handler", "retried"), [("jobs.handled", False), (None, True)])
def test_exception_handler_sees_a_batch_failure_too(
    tmp_path, monkeypatch, jobs, exception_handler, retried
) -> None:  # type: ignore[no-untyped-def]
    # With ReportBatchItemFailures the failure never reaches _guarded: the handler (where
    # Zappa users report errors) must still hear of it, and may still take it.
    handler = runtime(tmp_path, monkeypatch, events=EVENTS, exception_handler=exception_handler)
    answer = handler(load_event("kinesis.json"), Context())
    failed = [{"itemIdentifier": "49590338271490256608559692538361571095921575989136588898"}]
    assert answer == {"batchItemFailures": failed if retried else []}
    expected_calls = (
        [("stream", 1), ("handled", "ValueError")] if exception_handler else [("stream", 1)]
    )
    assert expected_calls == jobs.CALLS


def test_sns_and_s3_records(tmp_path, monkeypatch, jobs) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch, events=EVENTS)
    handler(load_event("sns.json"), Context())
    named = load_event("s3.json")
    named["Records"][0]["s3"]["configurationId"] = "shop-dev:jobs.thumbnail"  # Zappa's naming
    handler(named, Context())
    s3 = load_event("s3.json")
    s3["Records"][0]["s3"]["configurationId"] = "plain-id"
    del s3["Records"][0]["s3"]["bucket"]["arn"]
    assert len(handler(s3, Context())) == 2  # both functions of the bucket
    assert jobs.CALLS == [
        ("alerts", "disk almost full"),
        ("thumbnail", "photos/cat.jpg"),
        ("thumbnail", "photos/cat.jpg"),
        ("other_s3",),
    ]


def test_records_of_two_sources_are_split_by_function(tmp_path, monkeypatch, jobs) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch, events=EVENTS)
    event = {"Records": load_event("sqs.json")["Records"][:1] + load_event("sns.json")["Records"]}
    assert handler(event, Context()) == [1, None]
    assert [c[0] for c in jobs.CALLS] == ["orders", "alerts"]


def test_invoke_returns_the_result_or_the_error(tmp_path, monkeypatch, jobs) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch)
    assert handler({"skylift_invoke": "jobs.payload_echo", "payload": {"a": 1}}, Context()) == {
        "result": {"got": {"a": 1}}
    }
    assert handler({"skylift_invoke": "jobs.no_args"}, Context()) == {"result": 3}
    assert handler({"skylift_invoke": "jobs.star"}, Context()) == {"result": None}
    assert handler({"skylift_invoke": "jobs.unserializable"}, Context())["result"].startswith(
        "<object"
    )
    failed = handler({"skylift_invoke": "jobs.missing"}, Context())
    assert failed["error"] == "FunctionNotFound"
    assert "has no attribute 'missing'" in failed["message"]
    assert "Traceback" in failed["traceback"]
    assert handler({"skylift_invoke": "nodots"}, Context())["error"] == "FunctionNotFound"


def test_zappa_command_runs_the_function(tmp_path, monkeypatch, jobs, capsys) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch)
    assert handler({"command": "jobs.no_args"}, Context()) == 3
    assert "Result of jobs.no_args: 3" in capsys.readouterr().out


def test_raw_python_only_when_enabled(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch)
    refused = handler({"skylift_raw": "print(6 * 7)"}, Context())
    assert refused["error"] == "PermissionError"
    runtime_handler._runtime.clear()
    handler = runtime(tmp_path, monkeypatch, raw_invoke_enabled=True)
    assert handler({"raw_command": "print(6 * 7)"}, Context()) == {"result": None, "output": "42\n"}


def test_manage_needs_django_settings(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch)
    answer = handler({"skylift_command": "check"}, Context())
    assert "django_settings" in answer["message"]
    assert handler({"manage": ["check", 3]}, Context())["error"] == "ValueError"


def test_authorizers(tmp_path, monkeypatch, jobs) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch, authorizer={"function": "jobs.authorize"})
    token = handler(load_event("authorizer_token.json"), Context())
    assert token["policyDocument"]["Statement"][0]["Effect"] == "Allow"
    for name in ("authorizer_request.json", "authorizer_v2.json"):
        assert handler(load_event(name), Context())["principalId"] == "u"
    runtime_handler._runtime.clear()
    handler = runtime(tmp_path, monkeypatch)
    with pytest.raises(Unauthorized, match=r"^Unauthorized$"):
        handler(load_event("authorizer_token.json"), Context())


def test_cognito_triggers(tmp_path, monkeypatch, jobs) -> None:  # type: ignore[no-untyped-def]
    event = load_event("cognito_presignup.json")
    for triggers in (
        [{"source": "PreSignUp_SignUp", "function": "jobs.presignup"}],
        [{"source": "PreSignUp", "function": "jobs.presignup"}, "junk"],
    ):
        runtime_handler._runtime.clear()
        handler = runtime(tmp_path, monkeypatch, cognito={"user_pool": "p", "triggers": triggers})
        assert (
            handler(load_event("cognito_presignup.json"), Context())["response"]["autoConfirmUser"]
            is True
        )
    runtime_handler._runtime.clear()
    handler = runtime(
        tmp_path,
        monkeypatch,
        cognito={
            "user_pool": "p",
            "triggers": [{"source": "PostConfirmation", "function": "jobs.presignup"}],
        },
    )
    assert handler(event, Context()) == event  # no function: the event passes unchanged
    runtime_handler._runtime.clear()
    handler = runtime(tmp_path, monkeypatch)
    assert handler(event, Context()) == event


@pytest.mark.parametrize("event", [{"hello": "world"}, [], "text", 3, None, {}])
def test_unknown_events_get_an_error_answer(tmp_path, monkeypatch, capsys, event) -> None:  # type: ignore[no-untyped-def]
    handler = runtime(tmp_path, monkeypatch)
    answer = handler(event, Context())
    assert answer["error"] == "UnrecognizedEvent"
    assert "skylift cannot handle" in capsys.readouterr().err
