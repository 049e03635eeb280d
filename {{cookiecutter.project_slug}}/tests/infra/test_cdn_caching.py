"""No visitor ever gets another visitor's session from CloudFront's cache.

`CloudFrontModel` applies CloudFront's caching rules (local_server/cdn_rules.py,
which `make local` applies too), configured exactly as in the synthesized
template (cache key, TTLs, origin request headers), to the real Lambda handler:
requests go through the viewer-request rewrite and the origin secret header,
responses are stored for as long as their Cache-Control
and the cache policy allow, with their Set-Cookie (the worst case). Visitors
then hit the site in turn, as they would in production.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template
from flask import Flask, make_response, session

from {{ cookiecutter.package_name }} import caching, create_app
from {{ cookiecutter.package_name }}.lambda_handler import DEPLOYED_CONFIG, make_handler

from local_server import cdn_rules
from local_server.cdn_rules import CachePolicy, verdict
from local_server.events import response_body, response_headers, rest_event

from ..pages import visits_on
from .stack_helpers import (
    CACHE_POLICY,
    CACHING_DISABLED,
    DISTRIBUTION,
    function_config,
    joined,
    properties,
)

PUBLIC_HOST = "www.example.com"
PAGES = ("/", "/api/time", "/static/style.css", "/no-such-page")


@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes
    from_cache: bool = False

    @property
    def cookies(self) -> list[str]:
        return self.headers.get("set-cookie", [])


@dataclass
class CloudFrontModel:
    handler: Any
    policy: CachePolicy
    origin_headers: dict[str, str]
    now: float = 0.0
    stored: dict[tuple[str, ...], tuple[float, Response]] = field(default_factory=dict)

    @classmethod
    def from_template(cls, template: Template, handler: Any) -> CloudFrontModel:
        config = properties(template, DISTRIBUTION)["DistributionConfig"]
        behavior = config["DefaultCacheBehavior"]
        [origin] = config["Origins"]
        origin_headers = {
            header["HeaderName"]: joined(header["HeaderValue"], {})
            for header in origin.get("OriginCustomHeaders", [])
        }
        if behavior["CachePolicyId"] == CACHING_DISABLED:
            return cls(handler, cdn_rules.CACHING_DISABLED, origin_headers)
        assert behavior["CachePolicyId"] == {"Ref": CACHE_POLICY}
        policy = CachePolicy.from_config(properties(template, CACHE_POLICY)["CachePolicyConfig"])
        return cls(handler, policy, origin_headers)

    def get(self, path: str, cookie: str = "", query: dict[str, str] | None = None) -> Response:
        key = (path, json.dumps(query or {}, sort_keys=True) if self.policy.query_in_key else "")
        key += (cookie,) if self.policy.cookies_in_key else ()
        if key in self.stored:
            expires, response = self.stored[key]
            if self.now < expires:
                return Response(response.status, response.headers, response.body, True)
        headers = {"X-Forwarded-Host": PUBLIC_HOST, **self.origin_headers}  # viewer function
        if cookie:
            headers["Cookie"] = cookie  # every cookie reaches the origin
        raw = self.handler(rest_event(path, headers=headers, query=query), None)
        response = Response(raw["statusCode"], response_headers(raw), response_body(raw))
        kept = verdict(self.policy, "GET", response.status, response.headers)
        if kept.cacheable:
            self.stored[key] = (self.now + kept.ttl, response)
        return response


class Visitor:
    """A browser: keeps the cookies CloudFront hands it."""

    def __init__(self, cdn: CloudFrontModel) -> None:
        self.cdn = cdn
        self.jar: dict[str, str] = {}

    def get(self, path: str) -> Response:
        cookie = "; ".join(f"{name}={value}" for name, value in self.jar.items())
        response = self.cdn.get(path, cookie)
        for header in response.cookies:
            for name, morsel in SimpleCookie(header).items():
                self.jar[name] = morsel.value
        return response


def visits(response: Response) -> int:
    return visits_on(response.body)


@pytest.fixture
def site(template: Template, tmp_path: Path) -> Flask:
    deployed = function_config(template)
    return create_app(
        {
            **DEPLOYED_CONFIG,
            "TESTING": True,
            "ORIGIN_SECRET": deployed["ORIGIN_SECRET"],
            "SECRET_KEY_FILE": str(tmp_path / "key.json"),
        }
    )


@pytest.fixture
def cdn(template: Template, site: Flask) -> CloudFrontModel:
    return CloudFrontModel.from_template(template, make_handler(site))


def test_a_second_visitor_never_gets_the_first_visitors_session(cdn: CloudFrontModel) -> None:
    alice, bob = Visitor(cdn), Visitor(cdn)
    assert visits(alice.get("/session")) == 1
    alices = alice.get("/session")
    assert visits(alices) == 2 and alices.cookies and not alices.from_cache

    bobs = bob.get("/session")
    assert not bobs.from_cache
    assert visits(bobs) == 1  # Bob's own count, not Alice's
    assert bobs.cookies and bobs.cookies != alices.cookies
    assert bob.jar["session"] != alice.jar["session"]

    assert visits(alice.get("/session")) == 3
    assert visits(bob.get("/session")) == 2


def test_anonymous_pages_are_shared_from_the_cache_without_cookies(
    cdn: CloudFrontModel,
) -> None:
    alice, bob = Visitor(cdn), Visitor(cdn)
    alice.get("/session")  # Alice now carries a session cookie
    for path in ("/", "/api/time", "/static/style.css"):
        first, second = bob.get(path), alice.get(path)
        assert first.status == second.status == 200
        assert first.cookies == second.cookies == []
        assert second.body == first.body
        if cdn.policy.max_ttl > 0 and cdn.policy.default_ttl > 0:
            assert second.from_cache, path  # cached once, for everybody


def test_uncached_time_is_never_stored(cdn: CloudFrontModel) -> None:
    cdn.get("/api/time/no-cache")
    assert not cdn.get("/api/time/no-cache").from_cache


def test_cached_pages_expire_after_the_ttl(cdn: CloudFrontModel) -> None:
    cdn.get("/api/time")
    cdn.now += cdn.policy.max_ttl + 1
    assert not cdn.get("/api/time").from_cache


def test_a_remembered_visitors_cookie_never_reaches_another_visitor(
    template: Template, site: Flask
) -> None:
    """A permanent session ("remember me") refreshes its cookie on every page."""

    @site.get("/remember-me")
    def remember_me() -> str:
        session.permanent = True
        session["name"] = "alice"
        return "remembered"

    cdn = CloudFrontModel.from_template(template, make_handler(site))
    alice, bob = Visitor(cdn), Visitor(cdn)
    alice.get("/remember-me")
    for path in PAGES:
        assert alice.get(path).cookies, path  # the refresh: what a cache must not keep
        bobs = bob.get(path)
        assert bobs.cookies == [], path
    assert bob.jar == {}


def test_a_cookie_set_by_a_view_never_reaches_another_visitor(
    template: Template, site: Flask
) -> None:
    handed_out = itertools.count(1)

    @site.get("/greet")
    def greet() -> Any:
        response = make_response("hello")  # no caching headers: the app's default
        response.set_cookie("visitor", f"visitor-{next(handed_out)}")
        return response

    @site.get("/greet-publicly")
    def greet_publicly() -> Any:
        return caching.public(greet())

    cdn = CloudFrontModel.from_template(template, make_handler(site))
    for path in ("/greet", "/greet-publicly"):
        alice, bob = Visitor(cdn), Visitor(cdn)
        alice.get(path)
        bobs = bob.get(path)
        assert not bobs.from_cache, path
        assert bob.jar["visitor"] != alice.jar["visitor"], path


def test_the_model_does_catch_a_leak(
    template: Template, site: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the app's last word on caching (caching.settle), a page that sets
    a cookie on a public response leaks in the model: so the tests above would
    fail if the app ever let that happen."""
    monkeypatch.setattr(caching, "settle", lambda response, personal: response)

    @site.get("/broken")
    def broken() -> Any:
        response = make_response("hi")
        response.set_cookie("session", "alice-secret")
        response.cache_control.public = True
        response.cache_control.max_age = 300
        return response

    cdn = CloudFrontModel.from_template(template, make_handler(site))
    if cdn.policy.max_ttl == 0:
        pytest.skip("this project's CloudFront caches nothing, so nothing can leak")
    Visitor(cdn).get("/broken")
    leaked = Visitor(cdn).get("/broken")
    assert leaked.from_cache and any("alice-secret" in c for c in leaked.cookies)
