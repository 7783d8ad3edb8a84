"""CloudWatch metrics of the local cloud's invocations, read back through boto3."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import botocore.config
import botocore.exceptions
import pytest

from skylift.aws.cloudwatch import lambda_metrics
from tests.unit.local.conftest import CREDENTIALS, Local

FLAKY = """
def handler(event, context):
    if event.get("fail"):
        raise RuntimeError("asked to fail")
    return "ok"
"""


def window() -> dict[str, datetime]:
    now = datetime.now(timezone.utc)
    return {"StartTime": now - timedelta(hours=1), "EndTime": now + timedelta(minutes=2)}


def query(
    local: Local, metric: str, stat: str, dimensions: dict[str, str], unit: str | None = None
) -> list[float]:
    """The values GetMetricData gives for one series, minute by minute."""
    stat_query: dict[str, Any] = {
        "Metric": {
            "Namespace": "AWS/Lambda",
            "MetricName": metric,
            "Dimensions": [{"Name": k, "Value": v} for k, v in dimensions.items()],
        },
        "Period": 60,
        "Stat": stat,
    }
    if unit:
        stat_query["Unit"] = unit
    found = local.client("cloudwatch").get_metric_data(
        MetricDataQueries=[{"Id": "q", "MetricStat": stat_query}], **window()
    )
    return [float(v) for v in found["MetricDataResults"][0]["Values"]]


@pytest.fixture(scope="module")
def flaky(local: Local) -> str:
    """A function invoked three times through its alias (one failing) and once unqualified."""
    lam = local.client("lambda")
    name = local.function(FLAKY)
    version = lam.publish_version(FunctionName=name)["Version"]
    lam.create_alias(FunctionName=name, Name="live", FunctionVersion=version)
    for payload in ({}, {"fail": True}, {}):
        local.invoke(f"{name}:live", payload)
    answer, _ = local.invoke(name)
    assert "FunctionError" not in answer
    return name


def test_invocations_and_errors_by_function_name(local: Local, flaky: str) -> None:
    by_name = {"FunctionName": flaky}
    assert sum(query(local, "Invocations", "Sum", by_name)) == 4
    assert sum(query(local, "Errors", "Sum", by_name)) == 1
    assert sum(query(local, "Duration", "SampleCount", by_name)) == 4
    assert max(query(local, "Duration", "Maximum", by_name, unit="Milliseconds")) > 0
    assert max(query(local, "ConcurrentExecutions", "Maximum", by_name)) >= 1
    assert query(local, "Throttles", "Sum", by_name) == []


def test_alias_invocations_by_resource_and_executed_version(local: Local, flaky: str) -> None:
    resource = {"FunctionName": flaky, "Resource": f"{flaky}:live"}
    assert sum(query(local, "Invocations", "Sum", resource)) == 3
    assert sum(query(local, "Errors", "Sum", resource)) == 1
    executed = {**resource, "ExecutedVersion": "1"}
    assert sum(query(local, "Invocations", "Sum", executed)) == 3
    # dimensions match exactly, in any order, as CloudWatch matches them
    reordered = {"Resource": f"{flaky}:live", "FunctionName": flaky}
    assert sum(query(local, "Invocations", "Sum", reordered)) == 3
    assert query(local, "Invocations", "Sum", {"FunctionName": flaky, "Resource": flaky}) == []


def test_get_metric_statistics_counts_each_invocation_once(local: Local, flaky: str) -> None:
    """moto matches dimensions as a subset: FunctionName alone would also sum the Resource series."""
    found = local.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName="Invocations",
        Dimensions=[{"Name": "FunctionName", "Value": flaky}],
        Period=3600,
        Statistics=["Sum", "SampleCount"],
        **window(),
    )
    assert sum(point["Sum"] for point in found["Datapoints"]) == 4


def test_account_level_series_has_no_dimensions(local: Local, flaky: str) -> None:
    assert sum(query(local, "Invocations", "Sum", {})) >= 4


def test_what_skylift_status_reads(local: Local, flaky: str) -> None:
    series = {
        (s.metric, s.stat): s for s in lambda_metrics(local.client("cloudwatch"), flaky, hours=2)
    }
    assert series["Invocations", "Sum"].total == 4
    assert series["Errors", "Sum"].total == 1
    assert series["Throttles", "Sum"].total == 0
    assert series["Duration", "Maximum"].points


def test_throttled_invocations_count_as_throttles_only(local: Local) -> None:
    name = local.function(FLAKY)
    local.client("lambda").put_function_concurrency(
        FunctionName=name, ReservedConcurrentExecutions=0
    )
    once = boto3.client(
        "lambda",
        endpoint_url=local.url,
        config=botocore.config.Config(retries={"total_max_attempts": 1}),
        **CREDENTIALS,
    )
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        once.invoke(FunctionName=name, Payload=b"{}")
    assert refused.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert sum(query(local, "Throttles", "Sum", {"FunctionName": name})) == 1
    assert query(local, "Invocations", "Sum", {"FunctionName": name}) == []


def test_samples_fold_into_one_datum_per_minute(local: Local) -> None:
    name = local.function(FLAKY)
    for _ in range(3):
        local.invoke(name, {})
        local.cloud.metrics.flush()
    backend = local.cloud.control.cloudwatch("us-east-1")
    series = [
        d
        for d in backend.metric_data
        if d.name == "Invocations"
        and [(x.name, x.value) for x in d.dimensions] == [("FunctionName", name)]
    ]
    assert sum(d.sum for d in series) == 3
    assert len(series) <= 2  # one per minute (two if a minute turned meanwhile)


def test_user_metrics_still_work(local: Local) -> None:
    cw = local.client("cloudwatch")
    cw.put_metric_data(
        Namespace="App",
        MetricData=[
            {"MetricName": "Orders", "Value": 2, "Dimensions": [{"Name": "Shop", "Value": "a"}]},
            {"MetricName": "Orders", "Value": 5},
        ],
    )
    shop = cw.get_metric_statistics(
        Namespace="App",
        MetricName="Orders",
        Dimensions=[{"Name": "Shop", "Value": "a"}],
        Period=3600,
        Statistics=["Sum"],
        **window(),
    )
    assert [p["Sum"] for p in shop["Datapoints"]] == [2]
    listed = cw.list_metrics(Namespace="App")["Metrics"]
    assert len(listed) == 2
    assert json.dumps(listed)


def test_error_rate_is_the_average_of_errors(local: Local, flaky: str) -> None:
    resource = {"FunctionName": flaky, "Resource": f"{flaky}:live"}
    assert query(local, "Errors", "Average", resource) == [pytest.approx(1 / 3)]
    assert query(local, "Errors", "Maximum", resource) == [1.0]


def test_dimension_sets_follow_how_the_function_was_named() -> None:
    from skylift.local.executor.spec import FunctionSpec
    from skylift.local.metrics import dimension_sets

    arn = "arn:aws:lambda:us-east-1:123456789012:function:f"

    def sets(invoked: str, version: str) -> list[dict[str, str]]:
        spec = FunctionSpec(
            "123456789012", "us-east-1", "f", arn, version, invoked, "app.handler",
            "python3.12", 128, 3, (), (), "x86_64", "digest", lambda: b"",
        )  # fmt: skip
        return [dict(dims) for dims in dimension_sets(spec)]

    assert sets(arn, "$LATEST") == [{}, {"FunctionName": "f"}]
    assert sets(arn + ":7", "7")[2:] == [{"FunctionName": "f", "Resource": "f:7"}]
    assert sets(arn + ":$LATEST", "$LATEST")[2:] == [{"FunctionName": "f", "Resource": "f:$LATEST"}]
    assert sets(arn + ":live", "7")[2:] == [
        {"FunctionName": "f", "Resource": "f:live"},
        {"FunctionName": "f", "Resource": "f:live", "ExecutedVersion": "7"},
    ]


def test_list_metrics_names_each_series_once(local: Local) -> None:
    """moto lists a series of several dimensions once per data point."""
    cw = local.client("cloudwatch")
    dims = [{"Name": "Shop", "Value": "a"}, {"Name": "Till", "Value": "3"}]
    now = datetime.now(timezone.utc)
    cw.put_metric_data(
        Namespace="Till",
        MetricData=[
            {"MetricName": "Sales", "Value": 1, "Dimensions": dims, "Timestamp": now},
            {"MetricName": "Sales", "Value": 2, "Dimensions": dims[::-1], "Timestamp": now},
            {"MetricName": "Sales", "Value": 3, "Dimensions": dims[:1], "Timestamp": now},
        ],
    )
    listed = cw.list_metrics(Namespace="Till")["Metrics"]
    assert sorted(len(m["Dimensions"]) for m in listed) == [1, 2]
    both = cw.list_metrics(Namespace="Till", Dimensions=[{"Name": "Till", "Value": "3"}])
    assert [len(m["Dimensions"]) for m in both["Metrics"]] == [2]
