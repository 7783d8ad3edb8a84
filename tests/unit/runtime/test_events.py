"""Each HTTP shape's request parsing and answer format, field by field."""

from __future__ import annotations

from typing import Any

import pytest

from skylift.runtime.events import _common, http_source, shape
from skylift.runtime.http import BadRequest, BodyPolicy
from tests.unit.runtime.conftest import CLIENT_IP, SHAPES, Context, load_event, make_event

POLICY = BodyPolicy()


def request_of(event: dict[str, Any], base_path: str = "") -> Any:
    source = http_source(event)
    assert source is not None
    return source.to_request(event, Context(), base_path)


@pytest.mark.parametrize(
    ("fixture", "name"),
    [
        ("apigw_rest.json", "apigw_v1"),
        ("apigw_http_v1.json", "apigw_v1"),
        ("apigw_http_v2.json", "apigw_v2"),
        ("function_url.json", "function_url"),
        ("alb_single.json", "alb"),
        ("alb_multi.json", "alb"),
        ("vpc_lattice_v1.json", "vpc_lattice"),
        ("vpc_lattice_v2.json", "vpc_lattice"),
    ],
)
def test_each_documented_sample_is_recognised(fixture: str, name: str) -> None:
    source = http_source(load_event(fixture))
    assert source is not None
    assert name == source.NAME


@pytest.mark.parametrize(
    "fixture",
    [
        "authorizer_token.json",
        "authorizer_request.json",
        "authorizer_v2.json",
        "schedule.json",
        "sqs.json",
        "cognito_presignup.json",
    ],
)
def test_events_that_are_not_requests_are_not_served(fixture: str) -> None:
    assert http_source(load_event(fixture)) is None


def test_lattice_needs_its_request_context() -> None:
    assert http_source({"version": "2.0", "method": "GET", "path": "/"}) is None
    assert http_source({"method": "GET"}) is None


def test_last_shape_is_tried_first_and_others_still_match() -> None:
    rest, v2 = load_event("apigw_rest.json"), load_event("apigw_http_v2.json")
    assert http_source(rest) is shape("apigw_v1")
    assert http_source(v2) is shape("apigw_v2")
    assert http_source(v2) is shape("apigw_v2")
    assert http_source(rest) is shape("apigw_v1")


def test_rest_sample_fields() -> None:
    req = request_of(load_event("apigw_rest.json"))
    assert (req.method, req.script_name, req.path) == ("POST", "/dev", "/items/42")
    assert req.query == "sort=desc&tag=red&tag=blue"
    assert req.client == "198.51.100.23"
    assert (req.scheme, req.port, req.user_agent) == ("https", "443", "curl/8.5.0")
    assert req.host == "r4nd0m1d.execute-api.eu-central-1.amazonaws.com"
    assert req.body == b'{"name": "widget"}'
    assert req.request_id == "req-0001"


def test_request_id_comes_from_the_event_without_a_context() -> None:
    event = load_event("apigw_rest.json")
    source = http_source(event)
    assert source is not None
    assert source.to_request(event, None, "").request_id == "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
    del event["requestContext"]["requestId"]
    assert source.to_request(event, None, "").request_id == "-"


def test_rest_without_multi_value_maps_uses_the_single_ones() -> None:
    event = load_event("apigw_rest.json")
    del event["multiValueHeaders"], event["multiValueQueryStringParameters"]
    req = request_of(event)
    assert req.query == "sort=desc&tag=blue"
    assert dict(req.headers)["Host"].startswith("r4nd0m1d")


@pytest.mark.parametrize(
    ("domain", "base_path", "path", "expected"),
    [
        (None, "", "/items", ("/dev", "/items")),  # execute-api host, named stage
        ("api.example.com", "", "/items", ("", "/items")),  # custom domain: no stage
        ("api.example.com", "v1", "/v1/items", ("/v1", "/items")),  # base path mapping
        ("api.example.com", "v1", "/v1", ("/v1", "/")),
        ("api.example.com", "v1", "/v1items", ("", "/v1items")),  # not a segment boundary
        ("abc.execute-api.localhost:4566", "", "/items", ("/dev", "/items")),  # local cloud
    ],
)
def test_rest_mount_point(domain: str | None, base_path: str, path: str, expected: Any) -> None:
    event = make_event("rest", "GET", path, domain=domain)
    req = request_of(event, base_path)
    assert (req.script_name, req.path) == expected


def test_rest_console_test_without_domain_mounts_on_the_stage() -> None:
    event = load_event("apigw_rest.json")
    del event["requestContext"]["domainName"]
    assert request_of(event).script_name == "/dev"


@pytest.mark.parametrize("stage", ["$default", "dev"])
def test_http_api_payload_1_keeps_the_stage_in_the_path(stage: str) -> None:
    req = request_of(make_event("http_v1", "GET", "/a%20b", stage=stage))
    assert req.path == "/a b"
    assert req.script_name == ("" if stage == "$default" else "/dev")


@pytest.mark.parametrize(
    ("stage", "domain", "raw_path", "expected"),
    [
        ("$default", None, "/items", ("", "/items")),
        ("dev", None, "/dev/items", ("/dev", "/items")),
        ("dev", None, "/dev", ("/dev", "/")),
        ("dev", None, "/development", ("", "/development")),  # no stage segment: not stripped
        ("dev", "api.example.com", "/dev/items", ("", "/dev/items")),  # custom domain
    ],
)
def test_http_api_v2_mount_point(
    stage: str, domain: str | None, raw_path: str, expected: Any
) -> None:
    event = load_event("apigw_http_v2.json")
    event["rawPath"] = raw_path
    event["requestContext"]["stage"] = stage
    if domain:
        event["requestContext"]["domainName"] = domain
    req = request_of(event)
    assert (req.script_name, req.path) == expected


def test_http_api_v2_path_is_already_decoded_function_url_is_not() -> None:
    v2 = load_event("apigw_http_v2.json")
    v2["rawPath"] = "/100%25"  # HTTP APIs decoded it: a literal "%25" here is the client's
    assert request_of(v2).path == "/100%25"
    url = load_event("function_url.json")
    url["rawPath"] = "/caf%C3%A9/%2F"
    assert request_of(url).path == "/café//"


def test_http_api_v2_cookies_become_one_cookie_header() -> None:
    req = request_of(load_event("apigw_http_v2.json"))
    assert ("cookie", "session=abc123; theme=dark") in list(req.headers)
    assert req.query == "tag=red&tag=blue&sort=desc"


def test_alb_query_is_passed_still_encoded_and_client_is_the_last_forwarded_for() -> None:
    req = request_of(load_event("alb_single.json"))
    assert req.query == "tag=blue&q=caf%C3%A9"
    assert req.client == "203.0.113.200"
    assert (req.scheme, req.port) == ("http", "80")
    multi = request_of(load_event("alb_multi.json"))
    assert multi.query == "tag=red&tag=blue&q=caf%C3%A9"
    assert (multi.scheme, multi.port) == ("https", "443")


def test_alb_query_key_without_value_and_missing_forwarding_headers() -> None:
    event = load_event("alb_single.json")
    event["queryStringParameters"] = {"flag": ""}
    event["headers"] = {}
    req = request_of(event)
    assert req.query == "flag"
    assert (req.client, req.scheme, req.port, req.host, req.user_agent) == (
        "",
        "http",
        "80",
        "",
        "",
    )


def test_lattice_v1_and_v2_fields() -> None:
    v1 = request_of(load_event("vpc_lattice_v1.json"))
    assert (v1.method, v1.path, v1.query, v1.body) == (
        "PUT",
        "/items/42",
        "order-id=1001",
        b'{"name": "widget"}',
    )
    assert (v1.client, v1.scheme, v1.port) == ("10.1.2.3", "https", "443")
    v2 = request_of(load_event("vpc_lattice_v2.json"))
    assert (v2.method, v2.query, v2.client, v2.user_agent) == (
        "GET",
        "tag=red&tag=blue",
        "10.1.2.3",
        "curl/8.5.0",
    )


def test_lattice_raw_path_with_query_and_plain_http() -> None:
    event = load_event("vpc_lattice_v1.json")
    event.update(raw_path="/a?x=1", query_string_parameters={})
    event["headers"]["x-forwarded-proto"] = "http"
    event["headers"]["x-forwarded-for"] = 5  # not a string: no client address
    req = request_of(event)
    assert (req.path, req.query, req.scheme, req.port, req.client) == (
        "/a",
        "x=1",
        "http",
        "80",
        "",
    )
    event["headers"]["host"] = []
    assert request_of(event).host == ""


@pytest.mark.parametrize(
    "damage",
    [
        {"httpMethod": 7},
        {"httpMethod": ""},
        {"path": 5},
        {"requestContext": ["x"]},
        {"requestContext": {"identity": "x"}},
        {"headers": ["x"], "multiValueHeaders": None},
        {"multiValueQueryStringParameters": ["a"]},
        {"body": 12},
        {"body": "abc", "isBase64Encoded": True},  # bad padding
    ],
)
def test_malformed_rest_fields_are_bad_requests(damage: dict[str, Any]) -> None:
    event = load_event("apigw_rest.json")
    event.update(damage)
    with pytest.raises(BadRequest):
        request_of(event)


@pytest.mark.parametrize(
    ("fixture", "damage"),
    [
        ("apigw_http_v2.json", {"requestContext": {"http": {"method": 1}}}),
        ("apigw_http_v2.json", {"requestContext": {"http": "x"}}),
        ("apigw_http_v2.json", {"rawPath": 3}),
        ("apigw_http_v2.json", {"cookies": "a=1"}),
        ("alb_single.json", {"httpMethod": None}),
        ("alb_single.json", {"queryStringParameters": "a=1"}),
        ("vpc_lattice_v2.json", {"method": ""}),
        ("vpc_lattice_v2.json", {"headers": "x"}),
        ("vpc_lattice_v1.json", {"query_string_parameters": "x=1"}),
    ],
)
def test_malformed_fields_of_other_shapes(fixture: str, damage: dict[str, Any]) -> None:
    event = load_event(fixture)
    event.update(damage)
    with pytest.raises(BadRequest):
        request_of(event)


def test_alb_single_value_answer_keeps_every_cookie_by_casing() -> None:
    event = load_event("alb_single.json")
    req = request_of(event)
    headers = [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-A", "1"), ("X-A", "2")]
    answer = shape("alb").from_response(req, 200, headers, b"ok", POLICY)
    cookie_keys = [k for k in answer["headers"] if k.lower() == "set-cookie"]
    assert sorted(answer["headers"][k] for k in cookie_keys) == ["a=1", "b=2"]
    assert len(set(cookie_keys)) == 2
    assert answer["headers"]["X-A"] == "1,2"
    assert answer["statusDescription"] == "200 OK"


def test_lattice_answer_lists_repeated_headers_only() -> None:
    req = request_of(load_event("vpc_lattice_v2.json"))
    headers = [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("Content-Type", "text/plain")]
    answer = shape("vpc_lattice").from_response(req, 299, headers, b"ok", POLICY)
    assert answer["headers"] == {"Set-Cookie": ["a=1", "b=2"], "Content-Type": "text/plain"}
    assert answer["statusDescription"] == "299"  # no standard phrase


def test_v2_answer_folds_repeats_and_moves_cookies() -> None:
    req = request_of(load_event("apigw_http_v2.json"))
    headers = [("X-A", "1"), ("X-A", "2"), ("set-cookie", "a=1"), ("Content-Encoding", "gzip")]
    answer = shape("apigw_v2").from_response(req, 200, headers, b"\x1f\x8b", POLICY)
    assert answer["headers"] == {"X-A": "1,2", "Content-Encoding": "gzip"}
    assert answer["cookies"] == ["a=1"]
    assert answer["isBase64Encoded"] is True


@pytest.mark.parametrize("status", [101, 204, 304])
def test_bodiless_statuses_send_no_body(status: int) -> None:
    req = request_of(load_event("apigw_rest.json"))
    answer = shape("apigw_v1").from_response(req, status, [], b"ignored", POLICY)
    assert answer["body"] == ""


def test_helpers_edge_cases() -> None:
    assert _common.strip_prefix("/dev", "/dev") == "/"
    assert _common.last_forwarded_for([]) == ""
    assert _common.last_forwarded_for(["1.1.1.1", "2.2.2.2, 3.3.3.3"]) == "3.3.3.3"
    assert _common.encode_query({"k": ["a b", 3]}, multi=True) == "k=a%20b&k=3"
    assert _common.encode_query({"ключ": "v~_.-"}, multi=False) == "%D0%BA%D0%BB%D1%8E%D1%87=v~_.-"
    assert _common.raw_query({"a": ["1", ""]}, multi=True) == "a=1&a"
    assert len(set(_common.cookie_casings(40))) == 40
    with pytest.raises(BadRequest):
        _common.mapping([1], "x")
    with pytest.raises(BadRequest):
        _common.text(1, "x")
    assert _common.text(None, "x", "d") == "d"


@pytest.mark.parametrize("shape_name", SHAPES)
def test_every_shape_reports_the_real_client(shape_name: str) -> None:
    assert request_of(make_event(shape_name, "GET", "/")).client == CLIENT_IP


def test_alb_single_value_answer_with_compressed_body_is_base64() -> None:
    req = request_of(load_event("alb_single.json"))
    answer = shape("alb").from_response(
        req, 200, [("Content-Encoding", "gzip")], b"\x1f\x8b", POLICY
    )
    assert answer["isBase64Encoded"] is True
    assert answer["headers"] == {"Content-Encoding": "gzip"}


@pytest.mark.parametrize(
    ("proto", "port", "expected"),
    [
        ("http", "4566", ("http", "4566")),
        (["http"], ["8080"], ("http", "8080")),
        ("http", None, ("http", "80")),
        (["http"], "junk", ("http", "80")),
        ([], [], ("https", "443")),
        ("ftp", "21", ("https", "443")),
    ],
)
def test_scheme_and_port_from_forwarding_headers(proto: Any, port: Any, expected: Any) -> None:
    assert _common.scheme_and_port(proto, port) == expected


@pytest.mark.parametrize("shape_name", ["rest", "http_v1", "http_v2", "function_url"])
def test_api_gateway_shapes_report_plain_http_only_when_forwarded_so(shape_name: str) -> None:
    plain = make_event(shape_name, headers=[("x-forwarded-proto", "http")])
    assert (request_of(plain).scheme, request_of(plain).port) == ("http", "80")
    secure = make_event(shape_name, headers=[("X-Forwarded-Proto", "https")])
    assert (request_of(secure).scheme, request_of(secure).port) == ("https", "443")
