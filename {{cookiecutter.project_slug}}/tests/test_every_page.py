"""Guards over every page of your app, whatever its routes: each GET route without URL
parameters is served through the Lambda handler as deployed, and no response that sets
a cookie may be kept by CloudFront for other visitors, on a first visit or on the next
with the cookies the first one set. Routes with URL parameters need your own tests."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from serverless_flask_kit.events import response_headers, rest_event
from serverless_flask_kit.handler import make_handler

Handler = Any


def pages(app: Flask) -> list[str]:
    """The paths of the app's GET routes that take no URL parameters."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments and rule.endpoint != "static"
    )


@pytest.fixture
def handler(app: Flask) -> Handler:
    return make_handler(app)


def cookies_set(response: dict[str, Any]) -> list[str]:
    return response_headers(response).get("set-cookie", [])


def shared_by_the_cdn(response: dict[str, Any]) -> bool:
    """Whether CloudFront may keep `response` for other visitors (its Cache-Control)."""
    directives = {
        part.strip().split("=", 1)[0].lower()
        for value in response_headers(response).get("cache-control", [])
        for part in value.split(",")
    }
    return not directives & {"private", "no-store", "no-cache"}


def test_every_page_is_served_through_the_lambda_handler(app: Flask, handler: Handler) -> None:
    statuses = {path: handler(rest_event(path), None)["statusCode"] for path in pages(app)}
    assert {path: status for path, status in statuses.items() if status >= 500} == {}


def pages_sharing_a_cookie(app: Flask, handler: Handler) -> list[str]:
    """The pages whose response sets a cookie yet may be kept by the CDN."""
    leaks = set()
    for path in pages(app):
        first = handler(rest_event(path), None)
        cookie = "; ".join(value.split(";", 1)[0] for value in cookies_set(first))
        visits = [first]
        if cookie:
            visits.append(handler(rest_event(path, headers={"Cookie": cookie}), None))
        leaks |= {path for visit in visits if cookies_set(visit) and shared_by_the_cdn(visit)}
    return sorted(leaks)


def test_no_page_that_sets_a_cookie_is_shared_by_the_cdn(app: Flask, handler: Handler) -> None:
    assert pages_sharing_a_cookie(app, handler) == []


def test_the_guard_finds_a_shared_cookie() -> None:
    """On a plain Flask app (without the kit's caching rules) a page that sets a cookie
    and says it may be shared is found."""
    plain = Flask(__name__)
    plain.config["ORIGIN_SECRET"] = None  # off Lambda: no origin check

    @plain.get("/greeting")
    def greeting() -> Any:
        response = plain.make_response("hello")
        response.set_cookie("greeted", "yes")
        response.cache_control.public = True
        response.cache_control.max_age = 300
        return response

    assert pages_sharing_a_cookie(plain, make_handler(plain)) == ["/greeting"]
