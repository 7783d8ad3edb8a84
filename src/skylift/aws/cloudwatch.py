"""CloudWatch metrics: the function's invocations, errors, throttles and duration."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch import CloudWatchClient

# (metric, statistic): what `status` shows, hour by hour.
LAMBDA_METRICS = (
    ("Invocations", "Sum"),
    ("Errors", "Sum"),
    ("Throttles", "Sum"),
    ("Duration", "Average"),
    ("Duration", "Maximum"),
)


@dataclass(frozen=True)
class Series:
    metric: str
    stat: str
    points: tuple[tuple[datetime, float], ...]  # oldest first

    @property
    def total(self) -> float:
        return sum(v for _, v in self.points)


def lambda_metrics(
    c: CloudWatchClient, function: str, *, hours: int = 24, now: datetime | None = None
) -> list[Series]:
    """Hourly series of the function's metrics over the last ``hours``, in one call."""
    end = (now or datetime.now(timezone.utc)).replace(minute=0, second=0, microsecond=0)
    end += timedelta(hours=1)
    queries: list[Any] = [
        {
            "Id": f"m{i}",
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/Lambda",
                    "MetricName": metric,
                    "Dimensions": [{"Name": "FunctionName", "Value": function}],
                },
                "Period": 3600,
                "Stat": stat,
            },
        }
        for i, (metric, stat) in enumerate(LAMBDA_METRICS)
    ]
    found = c.get_metric_data(
        MetricDataQueries=queries, StartTime=end - timedelta(hours=hours), EndTime=end
    )
    by_id = {r.get("Id"): r for r in found.get("MetricDataResults", [])}
    out = []
    for i, (metric, stat) in enumerate(LAMBDA_METRICS):
        result = by_id.get(f"m{i}", {})
        points = sorted(zip(result.get("Timestamps", []), result.get("Values", []), strict=False))
        out.append(Series(metric, stat, tuple(points)))
    return out
