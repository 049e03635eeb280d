"""No visitor ever gets another visitor's session from CloudFront's cache.

`CloudFrontModel` applies CloudFront's caching rules (local_server/cdn_rules.py,
which `make local` applies too), configured exactly as in the synthesized
template (cache key, TTLs, origin request headers), to the real Lambda handler:
requests go through the viewer-request rewrite and the origin secret header,
responses are stored for as long as their Cache-Control and the cache policy
allow, with their Set-Cookie (the worst case). Visitors then hit the site in
turn, as they would in production. `/static/*` goes to `BucketOrigin`: the
files the stack deploys to S3, with their metadata.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template
from flask import (
    Flask,
    abort,
    jsonify,
    make_response,
    request,
    session,
    stream_with_context,
)
from serverless_flask_kit import caching
from serverless_flask_kit.events import response_body, response_headers, rest_event
from serverless_flask_kit.handler import DEPLOYED_CONFIG, make_handler
from serverless_flask_kit.static_files import MANIFEST_NAME

from {{ cookiecutter.package_name }} import create_app

from build_tools import static_assets
from local_server import cdn_rules
from local_server.cdn_rules import CachePolicy, ErrorCaching, verdict

from .stack_helpers import (
    CACHE_POLICY,
    CACHING_DISABLED,
    DISTRIBUTION,
    STATIC_DEPLOYMENT,
    deployed_static_files,
    function_config,
    joined,
    properties,
)

PUBLIC_HOST = "www.example.com"
# The model's own pages, whatever the project's routes: a visit counter kept in the
# session, data shared by everybody, and data never stored.
COUNTER = "/model/visits"
SHARED = "/model/shared"
NEVER_STORED = "/model/never-stored"
PAGES = ("/", SHARED, "/no-such-page")
STATIC_LINK = re.compile(r'(?:href|src)="(/static/[^"]+)"')
ONE_YEAR = 365 * 24 * 3600


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
class BucketOrigin:
    """A cache behaviour served from S3 through origin access control: the
    objects are the deployed files, stored under `key_prefix` with the
    deployment's metadata. A missing key is S3's 403 (no ListBucket)."""

    path_pattern: str
    directory: Path
    key_prefix: str
    metadata: dict[str, str]
    policy: CachePolicy
    prune: bool  # a deploy deletes the files it does not upload
    requests: int = 0

    def serves(self, path: str) -> bool:
        return path.startswith(self.path_pattern.removesuffix("*"))

    def get(self, path: str) -> Response:
        self.requests += 1
        key = path.removeprefix("/")
        file = self.directory / key.removeprefix(self.key_prefix)
        if not key.startswith(self.key_prefix) or not file.is_file():
            return Response(403, {"content-type": ["application/xml"]}, b"AccessDenied")
        headers = {name: [value] for name, value in self.metadata.items()}
        headers["content-type"] = [static_assets.headers(file.name)["Content-Type"]]
        return Response(200, headers, file.read_bytes())


@dataclass
class CloudFrontModel:
    handler: Any
    policy: CachePolicy
    errors: ErrorCaching
    origin_headers: dict[str, str]
    static: BucketOrigin | None = None
    now: float = 0.0
    stored: dict[tuple[str, ...], tuple[float, Response]] = field(default_factory=dict)

    @classmethod
    def from_template(
        cls, template: Template, handler: Any, static_files: Path | None = None
    ) -> CloudFrontModel:
        """`static_files`: the directory the stack deploys to the static bucket
        (without it, no request may reach that behaviour)."""
        config = properties(template, DISTRIBUTION)["DistributionConfig"]
        behavior = config["DefaultCacheBehavior"]
        origins = {origin["Id"]: origin for origin in config["Origins"]}
        origin = origins[behavior["TargetOriginId"]]
        origin_headers = {
            header["HeaderName"]: joined(header["HeaderValue"], {})
            for header in origin.get("OriginCustomHeaders", [])
        }
        static = cls._bucket_origin(template, config, origins, static_files)
        errors = ErrorCaching.from_config(config)
        if behavior["CachePolicyId"] == CACHING_DISABLED:
            return cls(handler, cdn_rules.CACHING_DISABLED, errors, origin_headers, static)
        assert behavior["CachePolicyId"] == {"Ref": CACHE_POLICY}
        policy = CachePolicy.from_config(properties(template, CACHE_POLICY)["CachePolicyConfig"])
        return cls(handler, policy, errors, origin_headers, static)

    @staticmethod
    def _bucket_origin(
        template: Template,
        config: dict[str, Any],
        origins: dict[str, Any],
        static_files: Path | None,
    ) -> BucketOrigin:
        [behavior] = config["CacheBehaviors"]
        assert "S3OriginConfig" in origins[behavior["TargetOriginId"]]
        deployment = properties(template, STATIC_DEPLOYMENT)
        return BucketOrigin(
            path_pattern=behavior["PathPattern"],
            directory=static_files or Path("no-static-files"),
            key_prefix=deployment["DestinationBucketKeyPrefix"],
            metadata=deployment["SystemMetadata"],
            policy=cdn_rules.MANAGED_POLICIES[behavior["CachePolicyId"]],
            prune=deployment.get("Prune", True),
        )

    def get(
        self,
        path: str,
        cookie: str = "",
        query: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """`headers`: the viewer's other headers, which reach the origin but not the key."""
        if self.static and self.static.serves(path):
            return self._get_static(path)
        key = (path, json.dumps(query or {}, sort_keys=True) if self.policy.query_in_key else "")
        key += (cookie,) if self.policy.cookies_in_key else ()
        if key in self.stored:
            expires, response = self.stored[key]
            if self.now < expires:
                return Response(response.status, response.headers, response.body, True)
        sent = {**(headers or {}), "X-Forwarded-Host": PUBLIC_HOST, **self.origin_headers}
        if cookie:
            sent["Cookie"] = cookie  # every cookie reaches the origin
        raw = self.handler(rest_event(path, headers=sent, query=query), None)
        response = Response(raw["statusCode"], response_headers(raw), response_body(raw))
        kept = verdict(self.policy, "GET", response.status, response.headers, self.errors)
        if kept.cacheable:
            self.stored[key] = (self.now + kept.ttl, response)
        return response

    def _get_static(self, path: str) -> Response:
        """CachingOptimized: the path alone is the key; no cookie reaches S3."""
        assert self.static
        key = ("static", path)
        if key in self.stored:
            expires, response = self.stored[key]
            if self.now < expires:
                return Response(response.status, response.headers, response.body, True)
        response = self.static.get(path)
        kept = verdict(self.static.policy, "GET", response.status, response.headers, self.errors)
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
    return int(response.body)


def add_model_pages(app: Flask) -> Flask:
    @app.get(COUNTER)
    def count_visit() -> Any:
        session["visits"] = session.get("visits", 0) + 1
        return caching.uncacheable(make_response(str(session["visits"])))

    @app.get(SHARED)
    def shared() -> Any:
        return caching.public(jsonify(shared=True))

    @app.get(NEVER_STORED)
    def never_stored() -> Any:
        return caching.uncacheable(jsonify(stored=False))

    return app


def deployed_app(template: Template, tmp_path: Path, manifest: dict[str, str]) -> Flask:
    """The app as the stack runs it, with the static file manifest of its bundle, and
    the model's own pages."""
    manifest_file = tmp_path / MANIFEST_NAME
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    app = create_app(
        {
            **DEPLOYED_CONFIG,
            "TESTING": True,
            "ORIGIN_SECRET": function_config(template)["ORIGIN_SECRET"],
            "SECRET_KEY_FILE": str(tmp_path / "key.json"),
            "STATIC_MANIFEST_FILE": str(manifest_file),
        }
    )
    return add_model_pages(app)


@pytest.fixture
def site(site_stack: Any, template: Template, tmp_path: Path) -> Flask:
    return deployed_app(template, tmp_path, site_stack.static.built.manifest)


@pytest.fixture
def cdn(site_stack: Any, template: Template, site: Flask) -> CloudFrontModel:
    static_files = deployed_static_files(site_stack, template)
    return CloudFrontModel.from_template(template, make_handler(site), static_files)


def test_a_second_visitor_never_gets_the_first_visitors_session(cdn: CloudFrontModel) -> None:
    alice, bob = Visitor(cdn), Visitor(cdn)
    assert visits(alice.get(COUNTER)) == 1
    alices = alice.get(COUNTER)
    assert visits(alices) == 2 and alices.cookies and not alices.from_cache

    bobs = bob.get(COUNTER)
    assert not bobs.from_cache
    assert visits(bobs) == 1  # Bob's own count, not Alice's
    assert bobs.cookies and bobs.cookies != alices.cookies
    assert bob.jar["session"] != alice.jar["session"]

    assert visits(alice.get(COUNTER)) == 3
    assert visits(bob.get(COUNTER)) == 2


def test_anonymous_pages_are_shared_from_the_cache_without_cookies(
    cdn: CloudFrontModel,
) -> None:
    alice, bob = Visitor(cdn), Visitor(cdn)
    alice.get(COUNTER)  # Alice now carries a session cookie
    for path in ("/", SHARED):
        first, second = bob.get(path), alice.get(path)
        assert first.status == second.status == 200
        assert first.cookies == second.cookies == []
        assert second.body == first.body
        if cdn.policy.max_ttl > 0 and cdn.policy.default_ttl > 0:
            assert second.from_cache, path  # cached once, for everybody


def test_uncacheable_data_is_never_stored(cdn: CloudFrontModel) -> None:
    cdn.get(NEVER_STORED)
    assert not cdn.get(NEVER_STORED).from_cache


def test_cached_pages_expire_after_the_ttl(cdn: CloudFrontModel) -> None:
    cdn.get(SHARED)
    cdn.now += cdn.policy.max_ttl + 1
    assert not cdn.get(SHARED).from_cache


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


def test_an_error_page_for_a_signed_in_visitor_reaches_nobody_else(
    template: Template, site: Flask
) -> None:
    """CloudFront stores a 500 whatever its Cache-Control says, and a 403 with a
    max-age, `private` or not: the page and the session cookie that a permanent
    session refreshes on it must still reach nobody else."""

    @site.errorhandler(403)
    def forbidden(_error: Exception) -> Any:  # a copy of the 404 page's handler
        return caching.public(make_response(("members only", 403)))

    @site.get("/remember-me")
    def remember_me() -> str:
        session.permanent = True
        session["name"] = "alice"
        return "remembered"

    @site.get("/admin")
    def admin() -> str:
        if session.get("name") != "root":
            abort(403)
        return "admin"

    @site.get("/profile")
    def profile() -> str:
        session["seen"] = True
        raise RuntimeError("a bug, after the session changed")

    site.config["PROPAGATE_EXCEPTIONS"] = False  # as deployed: the 500 page
    cdn = CloudFrontModel.from_template(template, make_handler(site))
    alice, bob = Visitor(cdn), Visitor(cdn)
    alice.get("/remember-me")
    for path, status in (("/admin", 403), ("/profile", 500)):
        alices = alice.get(path)
        assert alices.status == status and alices.cookies, path
        bobs = bob.get(path)
        assert not bobs.from_cache, path
        assert bob.jar.get("session") != alice.jar["session"], path


# The statuses whose error caching a distribution cannot set.
NOT_CONFIGURABLE = frozenset({410, 412, 415})


def test_the_distribution_leaves_every_errors_caching_to_the_response(
    template: Template,
) -> None:
    errors = ErrorCaching.from_config(properties(template, DISTRIBUTION)["DistributionConfig"])
    stored = cdn_rules.CACHED_ERRORS | cdn_rules.CACHED_ERRORS_WITH_MAX_AGE
    assert {status for status in stored - NOT_CONFIGURABLE if errors.min_ttl(status)} == set()


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


# Pages a view marks public, then fills from the visitor's session or cookies
# without asking `request.cookies` or the session up front.
PERSONAL_PUBLIC_PAGES = (
    "/stream/session",
    "/stream/cookies",
    "/cookie-header",
    "/environ-cookie",
    "/raw-event",
)


def add_personal_public_pages(site: Flask) -> None:
    @site.get("/stream/session")
    def stream_session() -> Any:
        def body() -> Any:
            yield f"visits: {session.get('visits', 0)}"  # runs once the headers are out

        return caching.public(make_response(stream_with_context(body())))

    @site.get("/stream/cookies")
    def stream_cookies() -> Any:
        def body() -> Any:
            yield f"session: {request.cookies.get('session')}"

        return caching.public(make_response(stream_with_context(body())))

    @site.get("/cookie-header")
    def cookie_header() -> Any:
        return caching.public(make_response(request.headers["Cookie"]))

    @site.get("/environ-cookie")
    def environ_cookie() -> Any:
        return caching.public(make_response(request.environ["HTTP_COOKIE"]))

    @site.get("/raw-event")
    def raw_event() -> Any:
        return caching.public(make_response(request.environ["apig_wsgi.full_event"]["headers"]))


@pytest.mark.parametrize("path", PERSONAL_PUBLIC_PAGES)
def test_a_public_page_built_from_the_cookies_never_reaches_another_visitor(
    template: Template, site: Flask, path: str
) -> None:
    add_personal_public_pages(site)
    cdn = CloudFrontModel.from_template(template, make_handler(site))
    alice, bob = Visitor(cdn), Visitor(cdn)
    alice.get(COUNTER)
    bob.get(COUNTER)
    bob.get(COUNTER)  # Bob's count differs from Alice's
    alices, bobs = alice.get(path), bob.get(path)
    assert alices.status == bobs.status == 200
    assert not bobs.from_cache
    assert bobs.body != alices.body  # his own page, not hers


def test_a_page_whose_view_says_nothing_about_caching_is_not_shared(
    template: Template, site: Flask
) -> None:
    """Personalised by a header that is not in the cache key: each visitor gets their own."""

    @site.get("/greeting")
    def greeting() -> str:
        return "Bonjour" if request.accept_languages.best_match(["en", "fr"]) == "fr" else "Hello"

    cdn = CloudFrontModel.from_template(template, make_handler(site))
    assert cdn.get("/greeting", headers={"Accept-Language": "fr"}).body == b"Bonjour"
    english = cdn.get("/greeting", headers={"Accept-Language": "en"})
    assert not english.from_cache and english.body == b"Hello"


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


def static_links(page: Response) -> list[str]:
    return STATIC_LINK.findall(page.body.decode())


def stylesheet(page: Response) -> str:
    [link] = [link for link in static_links(page) if link.endswith(".css")]
    return link


def test_static_files_come_from_the_bucket_for_a_year_never_from_the_function(
    cdn: CloudFrontModel,
) -> None:
    calls = []
    handler = cdn.handler
    cdn.handler = lambda event, context: calls.append(event["path"]) or handler(event, context)
    alice = Visitor(cdn)
    alice.get(COUNTER)  # her cookie must reach neither S3 nor another visitor
    links = static_links(alice.get("/"))
    assert len(links) == 2 and "/static/style.css" not in links  # fingerprinted
    calls.clear()
    for link in links:
        first = alice.get(link)
        assert first.status == 200 and not first.from_cache, link
        assert first.headers["cache-control"] == [static_assets.CACHE_CONTROL]
        assert first.cookies == []
        cdn.now += ONE_YEAR - 1
        assert Visitor(cdn).get(link).from_cache, link
        cdn.now -= ONE_YEAR - 1
    assert calls == []  # no Lambda invocation (nor API Gateway request) for a static file
    assert cdn.static is not None and cdn.static.requests == len(links)
    assert alice.get("/static/style.css").status == 403  # only fingerprinted names exist


def test_a_changed_stylesheet_shows_on_the_next_page_and_old_pages_keep_theirs(
    template: Template, tmp_path: Path
) -> None:
    """Two deploys into one bucket (prune=False), no invalidation: a page cached
    before the second still finds its stylesheet; the next page has the new one."""
    source, bucket = tmp_path / "static", tmp_path / "bucket"
    source.mkdir()
    bucket.mkdir()
    cdn = CloudFrontModel.from_template(template, None, bucket)

    def deploy(css: str, release: str) -> None:
        (source / "style.css").write_text(css, encoding="utf-8")
        built = static_assets.build(source, tmp_path / f"built-{release}")
        if cdn.static and cdn.static.prune:
            shutil.rmtree(bucket)
        shutil.copytree(built.directory, bucket, dirs_exist_ok=True)
        (tmp_path / release).mkdir()
        cdn.handler = make_handler(deployed_app(template, tmp_path / release, built.manifest))

    deploy("body { color: red }", "first")
    old = stylesheet(cdn.get("/"))
    deploy("body { color: blue }", "second")
    page = cdn.get("/")
    if page.from_cache:  # the page cached before the deploy
        assert stylesheet(page) == old
        assert cdn.get(old).body == b"body { color: red }"
        cdn.now += verdict(cdn.policy, "GET", page.status, page.headers, cdn.errors).ttl + 1
    new = stylesheet(cdn.get("/"))
    assert new != old
    assert cdn.get(new).body == b"body { color: blue }"
