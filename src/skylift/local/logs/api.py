"""FilterLogEvents, answered by skylift with real filter-pattern semantics.

Everything else in CloudWatch Logs (groups, streams, GetLogEvents, …) is
moto's. Pages are ordered by (timestamp, event id); ``nextToken`` names the
last event returned, so new events arriving between pages are not skipped.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from skylift.local.awsapi import json_error
from skylift.local.httpserver import Request, Response
from skylift.local.logs.filter_pattern import FilterPatternError, Matcher, compile_pattern

if TYPE_CHECKING:
    from skylift.local.cloud import CloudServer

MAX_LIMIT = 10_000


class LogsApi:
    def __init__(self, cloud: CloudServer) -> None:
        self.cloud = cloud

    def handle(self, request: Request, region: str) -> Response | None:
        if not (request.header("x-amz-target") or "").endswith(".FilterLogEvents"):
            return None
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return json_error(400, "SerializationException", "The request body is not JSON.")
        return self.filter_log_events(body if isinstance(body, dict) else {}, region)

    def filter_log_events(self, body: dict[str, Any], region: str) -> Response:
        problem = _invalid_request(body)
        if problem is not None:
            return problem
        limit = int(body.get("limit") or MAX_LIMIT)
        try:
            matcher = compile_pattern(body.get("filterPattern"))
        except FilterPatternError as exc:
            return json_error(400, "InvalidParameterException", f"Invalid filter pattern: {exc}")
        group = self.cloud.control.logs(region).groups.get(_group_name(body) or "")
        if group is None:
            return json_error(
                400, "ResourceNotFoundException", "The specified log group does not exist."
            )
        names = set(body.get("logStreamNames") or [])
        prefix = body.get("logStreamNamePrefix") or ""
        streams = [
            stream
            for name, stream in list(group.streams.items())
            if (not names or name in names) and name.startswith(prefix)
        ]
        matched = _matching(streams, matcher, body)
        page = matched[:limit]
        answer: dict[str, Any] = {
            "events": [
                {
                    "logStreamName": stream_name,
                    "timestamp": event.timestamp,
                    "message": event.message,
                    "ingestionTime": event.ingestion_time,
                    "eventId": str(event.event_id),
                }
                for _key, stream_name, event in page
            ],
            "searchedLogStreams": [
                {"logStreamName": stream.log_stream_name, "searchedCompletely": True}
                for stream in streams
            ],
        }
        if len(matched) > limit:
            answer["nextToken"] = _encode_token(page[-1][0])
        return Response(
            200, [("Content-Type", "application/x-amz-json-1.1")], json.dumps(answer).encode()
        )


def _group_name(body: dict[str, Any]) -> str | None:
    name = body.get("logGroupName") or _group_from_identifier(body.get("logGroupIdentifier"))
    return str(name) if name else None


def _invalid_request(body: dict[str, Any]) -> Response | None:
    """The 400 CloudWatch Logs answers to parameters that do not go together, if any."""
    if not _group_name(body):
        return json_error(
            400,
            "InvalidParameterException",
            "Either logGroupName or logGroupIdentifier is required.",
        )
    if body.get("logStreamNames") and body.get("logStreamNamePrefix"):
        return json_error(
            400,
            "InvalidParameterException",
            "Cannot provide both logStreamNames and logStreamNamePrefix.",
        )
    if not 1 <= int(body.get("limit") or MAX_LIMIT) <= MAX_LIMIT:
        return json_error(
            400, "InvalidParameterException", f"limit must be between 1 and {MAX_LIMIT}."
        )
    return None


def _matching(
    streams: list[Any], matcher: Matcher, body: dict[str, Any]
) -> list[tuple[tuple[int, int], str, Any]]:
    """Events of ``streams`` in the time window, after the page token, that match; oldest first."""
    start, end = body.get("startTime"), body.get("endTime")
    after = _decode_token(body.get("nextToken"))
    matched = []
    for stream in streams:
        for event in list(stream.events):
            if start is not None and event.timestamp < start:
                continue
            if end is not None and event.timestamp > end:
                continue
            key = (event.timestamp, event.event_id)
            if after is not None and key <= after:
                continue
            if matcher(event.message):
                matched.append((key, stream.log_stream_name, event))
    matched.sort(key=lambda item: item[0])
    return matched


def _group_from_identifier(identifier: str | None) -> str | None:
    if not identifier:
        return None
    if identifier.startswith("arn:"):
        resource = identifier.split(":", 6)[6] if identifier.count(":") >= 6 else ""
        name = resource.removeprefix("log-group:")
        return name[:-2] if name.endswith(":*") else name
    return identifier


def _encode_token(key: tuple[int, int]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def _decode_token(token: str | None) -> tuple[int, int] | None:
    if not token:
        return None
    try:
        timestamp, event_id = json.loads(base64.urlsafe_b64decode(token.encode()))
        return int(timestamp), int(event_id)
    except (ValueError, TypeError):
        return None
