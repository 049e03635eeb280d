"""The kit's Lambda handler (handler.py) over the test site, as a project's
lambda_handler module builds it."""

from __future__ import annotations

import copy
import json
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from serverless_flask_kit.events import API_HOST, response_body, response_headers, rest_event
from serverless_flask_kit.handler import (
    DEPLOYED_CONFIG,
    lambda_handler_for,
    load_secret_key,
    make_handler,
)
from serverless_flask_kit.init_cpu import FUNCTION_VARIABLE

from .conftest import KEY_BUCKET, KEY_OBJECT
from .site import create_app
from .site.views import DATA, FAVICON, HOST, VISITS


@pytest.fixture
def handler(app: Flask) -> Any:
    return make_handler(app)


def test_json_through_the_handler(handler: Any) -> None:
    response = handler(rest_event(DATA), None)
    assert response["statusCode"] == 200
    assert json.loads(response_body(response)) == {"answer": 42}
    headers = response_headers(response)
    assert headers["content-type"] == ["application/json"]
    assert "public" in headers["cache-control"][0]


@pytest.mark.parametrize("header", ["X-Forwarded-Host", "x-forwarded-host", "X-FORWARDED-HOST"])
def test_public_host_comes_from_x_forwarded_host(handler: Any, header: str) -> None:
    response = handler(rest_event(HOST, headers={header: "www.example.com"}), None)
    html = response_body(response).decode()
    assert '<strong class="host">www.example.com</strong>' in html


def test_without_forwarded_host_the_api_host_is_used(handler: Any) -> None:
    html = response_body(handler(rest_event(HOST), None)).decode()
    assert f'<strong class="host">{API_HOST}</strong>' in html


def test_forwarded_host_does_not_leak_between_requests(handler: Any) -> None:
    def page_for(host: str) -> bytes:
        return response_body(handler(rest_event(HOST, headers={"X-Forwarded-Host": host}), None))

    first, second = page_for("a.example"), page_for("b.example")
    assert b">a.example<" in first and b">b.example<" not in first
    assert b">b.example<" in second and b">a.example<" not in second


def test_app_config_is_not_mutated_per_request(app: Flask, handler: Any) -> None:
    before = dict(app.config)
    handler(rest_event(HOST, headers={"X-Forwarded-Host": "www.example.com"}), None)
    assert dict(app.config) == before
    assert app.config["SERVER_NAME"] is None


def test_binary_response_is_base64_and_byte_identical(app: Flask, handler: Any) -> None:
    expected = (Path(app.static_folder) / "favicon.ico").read_bytes()
    response = handler(rest_event(FAVICON), None)
    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is True
    assert response_body(response) == expected


@pytest.mark.parametrize(
    ("content_type", "text"),
    [
        ("text/html; charset=utf-8", True),
        ("application/json", True),
        ("text/csv; charset=windows-1252", False),  # a CSV for Excel
        ("text/plain; charset=iso-8859-1", False),
    ],
)
def test_a_body_travels_as_text_only_when_it_is_utf_8(
    app: Flask, content_type: str, text: bool
) -> None:
    """Any other text goes base64 (the API passes every media type through as
    binary), byte for byte, instead of failing the invocation in a UTF-8 decode."""
    body = "caf\u00e9, na\u00efve\n".encode("utf-8" if text else "cp1252")

    @app.get("/export")
    def export() -> Any:
        from flask import Response

        return Response(body, content_type=content_type)

    response = make_handler(app)(rest_event("/export"), None)
    assert response["statusCode"] == 200
    assert response["isBase64Encoded"] is not text
    assert response_body(response) == body


def test_query_strings_reach_flask(app: Flask) -> None:
    @app.get("/echo")
    def echo() -> dict[str, str]:
        from flask import request

        return dict(request.args)

    response = make_handler(app)(rest_event("/echo", query={"q": "caf\u00e9 & more"}), None)
    assert json.loads(response_body(response)) == {"q": "caf\u00e9 & more"}


def test_session_cookie_round_trip_through_the_handler(handler: Any) -> None:
    first = handler(rest_event(VISITS), None)
    cookie = response_headers(first)["set-cookie"][0].split(";", 1)[0]
    second = handler(rest_event(VISITS, headers={"Cookie": cookie}), None)
    assert b"visits: 2" in response_body(second)
    assert "private" in response_headers(second)["cache-control"][0]


def test_the_deployed_handler_serves_requests_with_secure_cookies(tmp_path: Path) -> None:
    """As a project's lambda_handler module builds it: the deployed config, lambda_handler_for."""
    app = create_app(tmp_path / "key.json", DEPLOYED_CONFIG)
    response = make_handler(app)(rest_event(VISITS), None)
    assert "Secure" in response_headers(response)["set-cookie"][0]
    assert lambda_handler_for(app)(rest_event(DATA), None)["statusCode"] == 200


def test_a_request_writes_no_log_line(
    handler: Any, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """API Gateway writes the access log (infra/access_logs.py): the function
    spends nothing per request on logging, and nothing is logged twice."""
    with caplog.at_level(logging.DEBUG):
        assert handler(rest_event(DATA), None)["statusCode"] == 200
    assert capsys.readouterr() == ("", "")
    assert caplog.records == []


ORIGIN_SECRET = str(uuid.uuid4())  # any value (deployed: 256 random bits, origin_secret.py)


@pytest.fixture
def guarded_handler(key_file: Path) -> Any:
    app = create_app(key_file, {"TESTING": True, "ORIGIN_SECRET": ORIGIN_SECRET})
    return make_handler(app)


def test_requests_through_cloudfront_are_served(guarded_handler: Any) -> None:
    event = rest_event(
        HOST, headers={"X-Origin-Verify": ORIGIN_SECRET, "X-Forwarded-Host": "a.example"}
    )
    response = guarded_handler(event, None)
    assert response["statusCode"] == 200
    assert b">a.example<" in response_body(response)


@pytest.mark.parametrize(
    "headers",
    [
        {},  # straight to the execute-api URL
        {"X-Origin-Verify": "guess"},
        {"X-Origin-Verify": ORIGIN_SECRET[:-1]},
        {"X-Origin-Verify": ORIGIN_SECRET + "x"},
        {"X-Origin-Verify": ""},
    ],
)
def test_requests_that_bypass_cloudfront_are_refused(guarded_handler: Any, headers: dict) -> None:
    event = rest_event(VISITS, headers={**headers, "X-Forwarded-Host": "spoofed.example"})
    response = guarded_handler(event, None)
    assert response["statusCode"] == 403
    assert "no-store" in response_headers(response)["cache-control"][0]
    assert b"spoofed" not in response_body(response)
    assert "set-cookie" not in response_headers(response)


SECRET_HEADER_CASINGS = [
    ("X-Origin-Verify", "x-api-key"),  # as CloudFront is told to send them
    ("x-origin-verify", "X-API-Key"),
    ("X-ORIGIN-VERIFY", "X-Api-Key"),
]


@pytest.mark.parametrize(("origin_header", "key_header"), SECRET_HEADER_CASINGS)
def test_the_app_never_sees_the_origin_secret(
    key_file: Path, origin_header: str, key_header: str
) -> None:
    """CloudFront sends it twice, as X-Origin-Verify and as the API key, which API
    Gateway also copies into the request context: nothing the app reads holds it,
    apig-wsgi's copy of the raw event included (what a debugging line might log),
    whatever the names' letter case (HTTP header names have none)."""
    app = create_app(key_file, {"TESTING": True, "ORIGIN_SECRET": ORIGIN_SECRET})

    @app.get("/environ")
    def environ() -> str:
        from flask import request

        return repr(request.environ)

    sent = {origin_header: ORIGIN_SECRET, key_header: ORIGIN_SECRET}
    event = rest_event("/environ", headers=sent)
    assert event["requestContext"]["identity"]["apiKey"] == ORIGIN_SECRET  # as API Gateway does
    handler = make_handler(app)
    for _ in range(2):  # the caller's event is left as it was: it serves again
        response = handler(event, None)
        body = response_body(response).decode()
        assert response["statusCode"] == 200, body
        assert "apig_wsgi.full_event" in body and "apig_wsgi.request_context" in body
        assert "'requestId': 'c6af9ac6" in body  # the context is still there ...
        assert ORIGIN_SECRET not in body  # ... without the secret


ON_LAMBDA = {FUNCTION_VARIABLE: "site-dev"}  # what Lambda sets, and the handler goes by
EMPTY_SECRETS = [None, "", [], [""], ["", ""]]


@pytest.mark.parametrize("secret", EMPTY_SECRETS, ids=repr)
def test_on_lambda_without_an_origin_secret_every_request_is_refused(
    key_file: Path, secret: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """A deploy that lost the secret must not open the function to direct calls."""
    app = create_app(key_file, {"TESTING": True, "ORIGIN_SECRET": secret})
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        handler = make_handler(app, environ=ON_LAMBDA)
        for headers in ({}, {"X-Origin-Verify": ""}, {"X-Origin-Verify": "guess"}):
            response = handler(rest_event(VISITS, headers=headers), None)
            assert response["statusCode"] == 403
            assert "set-cookie" not in response_headers(response)
    [record] = caplog.records  # once, when the handler is made (Lambda's init), not per request
    assert record.levelno == logging.ERROR
    assert "ORIGIN_SECRET" in record.getMessage() and "403" in record.getMessage()


def test_on_lambda_with_the_origin_secret_requests_through_cloudfront_are_served(
    key_file: Path,
) -> None:
    app = create_app(key_file, {"TESTING": True, "ORIGIN_SECRET": ["", ORIGIN_SECRET]})
    handler = make_handler(app, environ=ON_LAMBDA)
    through_cloudfront = rest_event(DATA, headers={"X-Origin-Verify": ORIGIN_SECRET})
    assert handler(through_cloudfront, None)["statusCode"] == 200
    assert handler(rest_event(DATA), None)["statusCode"] == 403


def test_off_lambda_without_an_origin_secret_every_request_is_served(app: Flask) -> None:
    """A project's tests/invoke.py runs the handler here, with no CloudFront and no secret."""
    handler = make_handler(app, environ={})
    assert handler(rest_event(DATA), None)["statusCode"] == 200


def test_forwarded_values_come_from_the_nearest_proxy(app: Flask) -> None:
    @app.get("/seen")
    def seen() -> dict[str, str]:
        from flask import request

        return {"scheme": request.scheme, "host": request.host}

    headers = {
        "X-Forwarded-Proto": "http, https",
        "X-Forwarded-Host": "forged.example, www.example.com:8443",
    }
    response = make_handler(app)(rest_event("/seen", headers=headers), None)
    assert json.loads(response_body(response)) == {
        "scheme": "https",
        "host": "www.example.com:8443",
    }


VIEWER = "203.0.113.7"
EDGE = "130.176.0.1"  # a CloudFront edge: API Gateway's caller


@pytest.mark.parametrize(
    "chain",
    [
        f"{VIEWER}, {EDGE}",
        f"198.51.100.66, {VIEWER}, {EDGE}",  # the viewer sent a forged X-Forwarded-For
        f"10.0.0.1, 198.51.100.66,{VIEWER},{EDGE}",
    ],
)
def test_the_remote_address_is_the_visitor_seen_by_cloudfront(app: Flask, chain: str) -> None:
    """CloudFront appends the viewer's address, then API Gateway appends
    CloudFront's: the visitor is the second address from the right."""

    @app.get("/address")
    def address() -> str:
        from flask import request

        return request.remote_addr or ""

    event = rest_event("/address", headers={"X-Forwarded-For": chain})
    assert event["requestContext"]["identity"]["sourceIp"] == EDGE
    assert response_body(make_handler(app)(event, None)).decode() == VIEWER


def malformed(**changes: Any) -> dict[str, Any]:
    """A real-shaped event with `changes` applied (a value of ... drops the key)."""
    event = rest_event(DATA)
    for name, value in changes.items():
        if value is ...:
            del event[name]
        else:
            event[name] = value
    return event


# Shaped like AWS's documented sample events (the Lambda console's test events):
# REST (v1, no version field), HTTP API payload 1.0 and 2.0. Nulls where AWS puts them.
REST_EVENT: dict[str, Any] = {
    "resource": "/{proxy+}",
    "path": DATA,
    "httpMethod": "GET",
    "headers": {"Accept": "*/*", "Host": API_HOST, "X-Forwarded-For": "127.0.0.1, 127.0.0.2"},
    "multiValueHeaders": {
        "Accept": ["*/*"],
        "Host": [API_HOST],
        "X-Forwarded-For": ["127.0.0.1, 127.0.0.2"],
    },
    "queryStringParameters": {"foo": "bar"},
    "multiValueQueryStringParameters": {"foo": ["bar"]},
    "pathParameters": {"proxy": DATA.lstrip("/")},
    "stageVariables": {"baz": "qux"},
    "requestContext": {
        "accountId": "123456789012",
        "resourceId": None,
        "stage": "prod",
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "identity": {
            "cognitoIdentityPoolId": None,
            "accountId": None,
            "caller": None,
            "apiKey": None,
            "sourceIp": "127.0.0.1",
            "userAgent": "Custom User Agent String",
            "user": None,
        },
        "authorizer": {"claims": None, "scopes": None},
        "path": f"/prod{DATA}",
        "httpMethod": "GET",
        "apiId": "1234567890",
        "protocol": "HTTP/1.1",
    },
    "body": "eyJ0ZXN0IjoiYm9keSJ9",
    "isBase64Encoded": True,
}
HTTP_API_V1_EVENT: dict[str, Any] = {
    **REST_EVENT,
    "version": "1.0",
    "headers": None,
    "multiValueHeaders": None,
    "queryStringParameters": None,
    "multiValueQueryStringParameters": None,
    "body": None,
    "isBase64Encoded": False,
}
V2_EVENT: dict[str, Any] = {
    "version": "2.0",
    "routeKey": "$default",
    "rawPath": DATA,
    "rawQueryString": "parameter1=value1&parameter1=value2",
    "cookies": ["cookie1=a", "cookie2=b"],
    "headers": {"accept": "*/*", "host": API_HOST, "header2": "value1,value2"},
    "queryStringParameters": {"parameter1": "value1,value2"},
    "requestContext": {
        "accountId": "123456789012",
        "apiId": "api-id",
        "domainName": API_HOST,
        "http": {
            "method": "GET",
            "path": DATA,
            "protocol": "HTTP/1.1",
            "sourceIp": "192.168.0.1/32",
            "userAgent": "agent",
        },
        "requestId": "id",
        "routeKey": "$default",
        "stage": "$default",
    },
    "body": '{"message": "hello world"}',
    "pathParameters": None,
    "isBase64Encoded": False,
    "stageVariables": None,
}
AWS_SAMPLE_EVENTS = {"REST": REST_EVENT, "HTTP API 1.0": HTTP_API_V1_EVENT, "2.0": V2_EVENT}


@pytest.mark.parametrize("event", AWS_SAMPLE_EVENTS.values(), ids=AWS_SAMPLE_EVENTS.keys())
def test_every_shape_api_gateway_sends_is_served(handler: Any, event: dict[str, Any]) -> None:
    response = handler(copy.deepcopy(event), None)
    assert response["statusCode"] == 200, response_body(response)
    assert json.loads(response_body(response)) == {"answer": 42}


@pytest.mark.parametrize("event", AWS_SAMPLE_EVENTS.values(), ids=AWS_SAMPLE_EVENTS.keys())
def test_an_error_in_the_app_on_any_valid_event_still_raises(
    app: Flask, event: dict[str, Any]
) -> None:
    def fails() -> str:
        raise RuntimeError("a bug in a view")

    app.view_functions["pages.data"] = fails
    with pytest.raises(RuntimeError, match="a bug in a view"):
        make_handler(app)(copy.deepcopy(event), None)


def without_values(header: str) -> dict[str, Any]:
    event = rest_event(DATA)
    event["multiValueHeaders"][header] = []
    return event


def with_identity(identity: Any) -> dict[str, Any]:
    event = rest_event(DATA)
    event["requestContext"]["identity"] = identity
    return event


MALFORMED_EVENTS = {
    "empty": {},
    "not an object": [],
    "no method": malformed(httpMethod=...),
    "method null": malformed(httpMethod=None),
    "path null": malformed(path=None),
    "no path": malformed(path=...),
    "body not base64": malformed(body="abc", isBase64Encoded=True),
    "body not text": malformed(body=5, isBase64Encoded=False),
    "lone surrogate in the path": malformed(path=f"{DATA}/\ud800"),
    "lone surrogate in the body": malformed(body="\udfff", isBase64Encoded=False),
    "lone surrogate in the query": malformed(multiValueQueryStringParameters={"q": ["\ud800"]}),
    "headers not an object": malformed(multiValueHeaders=["Host"]),
    "header without values": malformed(multiValueHeaders={"Accept": None}),
    "unknown payload version": malformed(version="9.9"),
    "Host without values": without_values("Host"),
    "Content-Type without values": without_values("Content-Type"),
    "X-Forwarded-For without values": without_values("X-Forwarded-For"),
    "a v1 event said to be v2": malformed(version="2.0"),
    "v2 without rawPath": {**V2_EVENT, "rawPath": None},
    "v2 cookies null": {**V2_EVENT, "cookies": None},
    "v2 context without http": {**V2_EVENT, "requestContext": {"stage": "$default"}},
    "requestContext not an object": malformed(requestContext="c6af9ac6"),
    "requestContext a list": malformed(requestContext=[]),
    "identity a list": with_identity(["apiKey"]),
    "identity an empty list": with_identity([]),
    "identity text": with_identity("apiKey"),
}


@pytest.mark.parametrize("event", MALFORMED_EVENTS.values(), ids=MALFORMED_EVENTS.keys())
def test_a_malformed_event_gets_400_and_one_log_line(
    handler: Any, event: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = handler(event, None)
    assert response["statusCode"] == 400
    assert response_headers(response)["cache-control"] == ["no-store"]
    assert response_body(response) == b"Bad Request\n"
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage().startswith("malformed API Gateway event: ")
    assert "\n" not in record.getMessage() and record.exc_info is None


def test_an_error_in_the_app_is_not_taken_for_a_bad_event(app: Flask) -> None:
    @app.get("/fails")
    def fails() -> str:
        raise RuntimeError("a bug in a view")

    with pytest.raises(RuntimeError, match="a bug in a view"):  # TESTING propagates it
        make_handler(app)(rest_event("/fails"), None)


def test_a_session_cookie_with_a_lone_surrogate_starts_a_new_session(
    handler: Any, caplog: pytest.LogCaptureFixture
) -> None:
    event = rest_event(VISITS, headers={"Cookie": "session=\udc80forged"})
    with caplog.at_level(logging.ERROR):
        response = handler(event, None)
    assert response["statusCode"] == 200
    assert b"visits: 1" in response_body(response)
    assert caplog.records == []


def test_the_secret_key_can_be_loaded_during_init(s3: Any, key_file: Path) -> None:
    """Where init outpaces invocations (init_cpu.py), the key is loaded there and
    the instance's first session page needs no S3 call."""
    app = create_app(key_file, {"TESTING": True, "SECRET_KEY_BUCKET": KEY_BUCKET})
    load_secret_key(app)
    assert json.loads(s3.get_object(Bucket=KEY_BUCKET, Key=KEY_OBJECT)["Body"].read())["current"]
    s3.delete_object(Bucket=KEY_BUCKET, Key=KEY_OBJECT)
    s3.delete_bucket(Bucket=KEY_BUCKET)
    response = make_handler(app)(rest_event(VISITS), None)
    assert response["statusCode"] == 200
    assert "set-cookie" in response_headers(response)


def test_a_key_store_outage_at_init_is_logged_and_retried_by_session_pages(
    s3: Any, key_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(key_file, {"TESTING": True, "SECRET_KEY_BUCKET": "no-such-bucket"})
    with caplog.at_level(logging.WARNING):
        load_secret_key(app)
    assert "secret key" in caplog.text
    handler = make_handler(app)
    assert handler(rest_event(DATA), None)["statusCode"] == 200
    assert handler(rest_event(VISITS), None)["statusCode"] == 503
    s3.create_bucket(Bucket="no-such-bucket")
    assert handler(rest_event(VISITS), None)["statusCode"] == 200
