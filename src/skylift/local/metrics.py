"""CloudWatch metrics for what the local cloud runs, in moto's CloudWatch backend.

Lambda publishes, per invocation, ``Invocations``, ``Errors``, ``Duration``,
``ConcurrentExecutions`` (and ``Throttles`` per throttled request) in the
``AWS/Lambda`` namespace, under four sets of dimensions: none (the account),
``FunctionName``, ``FunctionName`` + ``Resource`` (``name:qualifier``, for
qualified invocations) and those + ``ExecutedVersion`` (alias invocations).
The local cloud does the same, so ``skylift status --local``, boto3 and the
AWS CLI read real figures.

The request path only appends a tuple to a deque; a background thread (and
every CloudWatch read, first) folds the samples into one statistic set per
metric, dimension set and minute, CloudWatch's own resolution, updated in
place: memory grows with minutes of activity, not with requests.

moto matches ``GetMetricStatistics`` dimensions as a subset and
``GetMetricData`` without dimensions against everything, so a query for
``FunctionName`` alone would also count the ``Resource`` series; both are
re-pointed here at exactly the dimensions asked for, as CloudWatch does.
``ListMetrics`` lists each series once (moto: once per data point for a
series of several dimensions, and in quadratic time).
"""

from __future__ import annotations

import copy
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from skylift.local.control import ControlPlane
    from skylift.local.executor.spec import FunctionSpec

LAMBDA = "AWS/Lambda"
EVENTS = "AWS/Events"
COUNT = "Count"
MILLISECONDS = "Milliseconds"

Dimensions = tuple[tuple[str, str], ...]
# (account, region, namespace, metric, unit, dimensions, minute)
Key = tuple[str, str, str, str, str, Dimensions, int]
# (time, spec, failed or None when throttled, duration ms, (account, function, resource) concurrency)
Sample = tuple[float, "FunctionSpec", "bool | None", float, tuple[int, int, int]]


class Stat:
    """Sum, count, minimum and maximum of the values one series got in one minute."""

    __slots__ = ("count", "maximum", "minimum", "total")

    def __init__(self) -> None:
        self.total = 0.0
        self.count = 0
        self.minimum = float("inf")
        self.maximum = float("-inf")

    def add(self, value: float) -> None:
        self.total += value
        self.count += 1
        if value < self.minimum:
            self.minimum = value
        if value > self.maximum:
            self.maximum = value

    @classmethod
    def ones(cls, count: int) -> Stat:
        """``count`` values of 1 (invocations, throttles)."""
        stat = cls()
        stat.total, stat.count, stat.minimum, stat.maximum = float(count), count, 1.0, 1.0
        return stat

    def merge(self, other: Stat) -> None:
        self.total += other.total
        self.count += other.count
        self.minimum = min(self.minimum, other.minimum)
        self.maximum = max(self.maximum, other.maximum)


class _Group:
    """One minute of one function version invoked one way: the samples, summed on arrival."""

    __slots__ = ("concurrency", "duration", "errors", "spec", "throttles")

    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self.errors = Stat()  # one value per invocation: its count is the invocations
        self.duration = Stat()
        self.concurrency = (Stat(), Stat(), Stat())  # account, function, resource
        self.throttles = 0

    def add(self, failed: bool | None, duration: float, concurrency: tuple[int, int, int]) -> None:
        if failed is None:
            self.throttles += 1
            return
        self.errors.add(1.0 if failed else 0.0)
        self.duration.add(duration)
        for stat, value in zip(self.concurrency, concurrency, strict=True):
            stat.add(value)

    def series(self) -> list[tuple[int, str, str, Stat]]:
        """(dimension level, metric, unit, statistics) of what these samples publish."""
        out: list[tuple[int, str, str, Stat]] = []
        if self.throttles:
            out += [(level, "Throttles", COUNT, Stat.ones(self.throttles)) for level in range(3)]
        if self.errors.count:
            for level in range(3):
                out += [
                    (level, "Invocations", COUNT, Stat.ones(self.errors.count)),
                    (level, "Errors", COUNT, self.errors),
                    (level, "Duration", MILLISECONDS, self.duration),
                    (level, "ConcurrentExecutions", COUNT, self.concurrency[level]),
                ]
        return out


def _merge(stats: dict[Key, Stat], key: Key, stat: Stat) -> None:
    mine = stats.get(key)
    if mine is None:
        mine = stats[key] = Stat()
    mine.merge(stat)


def dimension_sets(spec: FunctionSpec) -> tuple[Dimensions, ...]:
    """The dimension sets Lambda publishes an invocation of ``spec`` under."""
    name = spec.function_name
    qualifier = spec.qualifier
    sets: list[Dimensions] = [(), (("FunctionName", name),)]
    if qualifier is not None:
        resource = (("FunctionName", name), ("Resource", f"{name}:{qualifier}"))
        sets.append(resource)
        if qualifier != "$LATEST" and not qualifier.isdigit():  # an alias
            sets.append((*resource, ("ExecutedVersion", spec.version)))
    return tuple(sets)


class MetricsRecorder:
    def __init__(self, control: ControlPlane, interval: float = 1.0) -> None:
        self.control = control
        self.interval = interval
        self._samples: deque[Sample] = deque()
        self._counts: deque[tuple[float, str, str, str, Dimensions, float]] = deque()
        self._series: dict[Key, Any] = {}  # the moto datum each recent minute's series lives in
        self._flush_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="metrics", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.flush()

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.flush()

    # --- the request path: one append each ----------------------------------------------

    def invoked(
        self,
        spec: FunctionSpec,
        failed: bool,
        duration_ms: float,
        concurrency: tuple[int, int, int],
    ) -> None:
        self._samples.append((time.time(), spec, failed, duration_ms, concurrency))

    def throttled(self, spec: FunctionSpec) -> None:
        self._samples.append((time.time(), spec, None, 0.0, (0, 0, 0)))

    def count(
        self, region: str, namespace: str, metric: str, dimensions: Dimensions, value: float = 1.0
    ) -> None:
        """A Count metric of another service (EventBridge's rule invocations)."""
        self._counts.append((time.time(), region, namespace, metric, dimensions, value))

    # --- folding into CloudWatch ------------------------------------------------------------

    def flush(self) -> None:
        """Fold every waiting sample into moto's CloudWatch backend now."""
        with self._flush_lock:
            stats: dict[Key, Stat] = {}
            self._fold_samples(stats)
            self._fold_counts(stats)
            if stats:
                with self.control.lock:
                    self._store(stats)

    def _fold_samples(self, stats: dict[Key, Stat]) -> None:
        groups: dict[tuple[str, str, str, int], _Group] = {}
        while True:
            try:
                when, spec, failed, duration, concurrency = self._samples.popleft()
            except IndexError:
                break
            key = (spec.function_arn, spec.invoked_arn, spec.version, int(when // 60) * 60)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(spec)
            group.add(failed, duration, concurrency)
        account = self.control.account_id
        for (_, _, _, minute), group in groups.items():
            sets = dimension_sets(group.spec)
            for level, metric, unit, stat in group.series():
                # the Resource level's figures serve the ExecutedVersion level too
                for dims in sets[level:] if level == 2 else sets[level : level + 1]:
                    series = (account, group.spec.region, LAMBDA, metric, unit, dims, minute)
                    _merge(stats, series, stat)

    def _fold_counts(self, stats: dict[Key, Stat]) -> None:
        account = self.control.account_id
        while True:
            try:
                when, region, namespace, metric, dims, value = self._counts.popleft()
            except IndexError:
                return
            stat = Stat()
            stat.add(value)
            key = (account, region, namespace, metric, COUNT, dims, int(when // 60) * 60)
            _merge(stats, key, stat)

    def _store(self, stats: Mapping[Key, Stat]) -> None:
        from moto.cloudwatch.models import MetricAggregatedDatum

        newest = 0
        for key, stat in stats.items():
            account, region, namespace, metric, unit, dims, minute = key
            newest = max(newest, minute)
            datum = self._series.get(key)
            if datum is not None:
                datum.sum += stat.total
                datum.sample_count += stat.count
                datum.min = min(datum.min, stat.minimum)
                datum.max = max(datum.max, stat.maximum)
                continue
            datum = MetricAggregatedDatum(
                namespace=namespace,
                name=metric,
                min_stat=stat.minimum,
                max_stat=stat.maximum,
                sample_count=float(stat.count),
                sum_stat=stat.total,
                dimensions=[{"Name": name, "Value": value} for name, value in dims],
                # moto compares naive UTC datetimes
                timestamp=datetime.fromtimestamp(minute, timezone.utc).replace(tzinfo=None),
                unit=unit,
            )
            self.control.cloudwatch(region, account).metric_data.append(datum)
            self._series[key] = datum
        # a minute that ended two minutes ago gets no more samples: forget where it lives
        self._series = {k: v for k, v in self._series.items() if k[6] >= newest - 120}


# --- exact dimensions for moto's reads --------------------------------------------------------


def _exact_view(backend: Any, namespace: str, metric: str, dimensions: Sequence[Any]) -> Any:
    """A shallow copy of ``backend`` that holds only the series with exactly these dimensions."""
    wanted = {(d["Name"], d.get("Value")) for d in dimensions or []}
    found = [
        datum
        for datum in backend.get_all_metrics()
        if datum.namespace == namespace
        and datum.name == metric
        and {(d.name, d.value) for d in datum.dimensions} == wanted
        and len(datum.dimensions) == len(wanted)
    ]
    view = copy.copy(backend)
    view.get_all_metrics = lambda: found
    return view


def exact_get_metric_data(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_metric_data(
        backend: Any,
        queries: list[dict[str, Any]],
        start_time: datetime,
        end_time: datetime,
        scan_by: str = "TimestampAscending",
    ) -> Any:
        if not queries or any("MetricStat" not in query for query in queries):
            # metric math works on the other queries' results: moto's own way
            return original(backend, queries, start_time, end_time, scan_by)
        results: list[Any] = []
        for query in queries:
            metric = query["MetricStat"]["Metric"]
            view = _exact_view(
                backend, metric["Namespace"], metric["MetricName"], metric.get("Dimensions", [])
            )
            # the view holds exactly the series asked for; moto's own (ordering-sensitive)
            # dimension test is left out by asking it without dimensions
            bare = copy.deepcopy(query)
            bare["MetricStat"]["Metric"].pop("Dimensions", None)
            results.extend(original(view, [bare], start_time, end_time, scan_by))
        return results

    return get_metric_data


def exact_get_metric_statistics(original: Callable[..., Any]) -> Callable[..., Any]:
    def get_metric_statistics(
        backend: Any,
        namespace: str,
        metric_name: str,
        start_time: datetime,
        end_time: datetime,
        period: int,
        stats: list[str],
        dimensions: list[dict[str, str]],
        unit: str | None = None,
    ) -> Any:
        view = _exact_view(backend, namespace, metric_name, dimensions)
        return original(view, namespace, metric_name, start_time, end_time, period, stats, [], unit)

    return get_metric_statistics


def distinct_filtered_metrics(original: Callable[..., Any]) -> Callable[..., Any]:
    """ListMetrics: each series once (moto lists a many-dimension series once per data point)."""

    def get_filtered_metrics(
        backend: Any, metric_name: str, namespace: str, dimensions: list[dict[str, str]]
    ) -> list[Any]:
        seen: set[tuple[str, str, frozenset[tuple[str | None, str | None]]]] = set()
        found: list[Any] = []
        for datum in backend.get_all_metrics():
            if not datum.filter(namespace=namespace, name=metric_name, dimensions=dimensions):
                continue
            series = (
                datum.namespace,
                datum.name,
                frozenset((d.name, d.value) for d in datum.dimensions),
            )
            if series not in seen:
                seen.add(series)
                found.append(datum)
        return found

    return get_filtered_metrics
