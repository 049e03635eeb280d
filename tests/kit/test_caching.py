"""Who may cache a response: the app's default, and the cookie rules.

A shared cache (CloudFront) must never store a response that carries a
cookie, whatever set it, nor one built from the visitor's cookies or session,
however the app read them; a view that says nothing about caching is private.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, abort, make_response, request, session, stream_with_context
from flask.testing import FlaskClient
from serverless_flask_kit.caching import public

from .responses import assert_shared_for
from .site.views import EVERY_KIND, VISITS


def add_view(app: Flask, view: Callable[[], Any]) -> str:
    """Register `view` at /test/<its name>; return that path."""
    path = f"/test/{view.__name__}"
    app.add_url_rule(path, view.__name__, view)
    return path


def assert_shared_caches_may_not_store(response: Any) -> None:
    control = response.cache_control
    assert control.private, response.headers
    assert not control.public and control.s_maxage is None, response.headers


def plain() -> str:
    return "the same for everybody"


def reads_a_cookie() -> str:
    return f"theme: {request.cookies.get('theme', 'light')}"


def reads_the_session() -> str:
    return f"visits: {session.get('visits', 0)}"


def sets_a_cookie() -> Any:
    response = make_response("hi")
    response.set_cookie("greeting", "alice-only")
    return response


def sets_a_cookie_on_a_public_page() -> Any:
    return public(sets_a_cookie())


def remembers_the_visitor() -> str:
    session.permanent = True
    session["name"] = "alice"
    return "remembered"


def test_a_view_without_cache_headers_is_private(app: Flask, client: FlaskClient) -> None:
    """It may depend on the visitor's address, language or any header, which
    CloudFront's cache key leaves out: it is shared only when the view says so."""
    response = client.get(add_view(app, plain))
    assert response.status_code == 200
    assert_shared_caches_may_not_store(response)
    assert response.cache_control.max_age is None


def shared_page() -> Any:
    return public(make_response(plain()))


def test_public_shares_a_page_for_the_default_ttl(app: Flask, client: FlaskClient) -> None:
    client.set_cookie("theme", "dark")  # never read by the view
    assert_shared_for(client.get(add_view(app, shared_page)), app.config["CACHE_DEFAULT_TTL"])


def public_page_reading_a_cookie() -> Any:
    return public(make_response(reads_a_cookie()))


def public_page_reading_the_session() -> Any:
    return public(make_response(reads_the_session()))


def fails() -> str:
    raise RuntimeError("a bug")


def test_a_server_error_is_never_stored(app: Flask, client: FlaskClient) -> None:
    """Not even for the default TTL: the next request should retry."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer 500, as when deployed
    response = client.get(add_view(app, fails))
    assert response.status_code == 500
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    "view",
    [
        reads_a_cookie,
        reads_the_session,
        sets_a_cookie,
        public_page_reading_a_cookie,
        public_page_reading_the_session,
    ],
)
def test_a_view_that_touched_a_cookie_or_the_session_is_private(
    app: Flask, client: FlaskClient, view: Callable[[], Any]
) -> None:
    path = add_view(app, view)
    client.set_cookie("theme", "dark")
    assert_shared_caches_may_not_store(client.get(path))


def test_an_error_page_for_a_visitor_gives_shared_caches_no_lifetime(
    app: Flask, client: FlaskClient
) -> None:
    """CloudFront honours `private` on a 200, but keeps a 403 or a 500 for as
    long as its max-age says, `private` or not."""

    @app.errorhandler(403)
    def forbidden(_error: Exception) -> Any:  # a copy of the 404 page's handler
        return public(make_response(("members only", 403)))

    def members_only() -> str:
        if session.get("name") != "root":
            abort(403)
        return "welcome"

    response = client.get(add_view(app, members_only))
    assert response.status_code == 403
    assert_shared_caches_may_not_store(response)
    assert response.cache_control.max_age is None and "Expires" not in response.headers


def test_a_public_page_that_sets_a_cookie_is_private(app: Flask, client: FlaskClient) -> None:
    response = client.get(add_view(app, sets_a_cookie_on_a_public_page))
    assert "alice-only" in response.headers["Set-Cookie"]
    assert_shared_caches_may_not_store(response)


def test_a_cookie_set_by_an_after_request_hook_makes_the_response_private(
    app: Flask, client: FlaskClient
) -> None:
    @app.after_request
    def tracking_cookie(response: Any) -> Any:  # what an extension might do
        response.set_cookie("tracker", "abc")
        return response

    for path in EVERY_KIND:
        with client.get(path) as response:
            assert "tracker=abc" in response.headers["Set-Cookie"], path
            assert_shared_caches_may_not_store(response)


def test_a_permanent_session_makes_every_page_private(app: Flask, client: FlaskClient) -> None:
    client.get(add_view(app, remembers_the_visitor))
    for path in EVERY_KIND:
        with client.get(path) as response:
            assert "session=" in response.headers["Set-Cookie"], path  # refreshed each time
            assert_shared_caches_may_not_store(response)


def test_a_session_cookie_alone_does_not_make_pages_private(
    app: Flask, client: FlaskClient
) -> None:
    """A visitor who carries a (non-permanent) session cookie still gets the
    shared copy of pages that never look at it."""
    path = add_view(app, shared_page)
    client.get(VISITS)
    response = client.get(path)
    assert "Set-Cookie" not in response.headers
    assert response.cache_control.public


# Public pages that learn the visitor's cookies some other way than `request.cookies`.


def streams_the_session() -> Any:
    def body() -> Any:
        yield f"visits: {session.get('visits', 0)}"  # runs after the headers are settled

    return public(make_response(stream_with_context(body())))


def streams_a_cookie() -> Any:
    def body() -> Any:
        yield f"theme: {request.cookies.get('theme', 'light')}"

    return public(make_response(stream_with_context(body())))


def reads_the_cookie_header() -> Any:
    return public(make_response(request.headers.get("Cookie", "")))


def reads_the_cookie_from_the_environ() -> Any:
    return public(make_response(request.environ["HTTP_COOKIE"]))


def gets_the_cookie_from_the_environ() -> Any:
    return public(make_response(request.environ.get("HTTP_COOKIE", "")))


def lists_the_headers() -> Any:
    return public(make_response(repr(list(request.headers))))


def looks_up_every_value_of_a_header() -> Any:
    return public(make_response(repr(request.headers.getlist("Cookie"))))


def copies_the_environ() -> Any:
    return public(make_response(repr(sorted(dict(request.environ).items(), key=str))))


def copies_the_environ_with_its_method() -> Any:
    return public(make_response(request.environ.copy()["HTTP_COOKIE"]))


def copies_the_environ_with_the_copy_module() -> Any:
    return public(make_response(copy.copy(request.environ)["HTTP_COOKIE"]))


def unpacks_the_environ() -> Any:
    return public(make_response({**request.environ}["HTTP_COOKIE"]))


def merges_the_environ() -> Any:
    return public(make_response((request.environ | {})["HTTP_COOKIE"]))


def iterates_the_environ() -> Any:
    return public(make_response(",".join(key for key in request.environ)))


def reads_the_environs_items() -> Any:
    return public(make_response(repr(list(request.environ.items()))))


def reads_the_environs_values() -> Any:
    return public(make_response(repr(list(request.environ.values()))))


def reverses_the_environ() -> Any:
    return public(make_response(",".join(reversed(request.environ))))


def pops_the_cookie_from_the_environ() -> Any:
    return public(make_response(request.environ.pop("HTTP_COOKIE")))


def defaults_the_cookie_in_the_environ() -> Any:
    return public(make_response(request.environ.setdefault("HTTP_COOKIE", "")))


def pops_the_environs_last_item() -> Any:
    return public(make_response(repr(request.environ.popitem())))


def prints_the_environ() -> Any:
    return public(make_response(repr(request.environ)))


@pytest.mark.parametrize(
    "view",
    [
        streams_the_session,
        streams_a_cookie,
        reads_the_cookie_header,
        reads_the_cookie_from_the_environ,
        gets_the_cookie_from_the_environ,
        lists_the_headers,
        looks_up_every_value_of_a_header,
        copies_the_environ,
        copies_the_environ_with_its_method,
        copies_the_environ_with_the_copy_module,
        unpacks_the_environ,
        merges_the_environ,
        iterates_the_environ,
        reads_the_environs_items,
        reads_the_environs_values,
        reverses_the_environ,
        pops_the_cookie_from_the_environ,
        defaults_the_cookie_in_the_environ,
        pops_the_environs_last_item,
        prints_the_environ,
    ],
)
def test_a_public_page_that_learns_the_cookies_any_way_is_private(
    app: Flask, client: FlaskClient, view: Callable[[], Any]
) -> None:
    path = add_view(app, view)
    client.get(VISITS)  # a session cookie, for the views that stream the session
    client.set_cookie("theme", "dark")
    with client.get(path) as response:  # a streamed body runs, and ends, here
        assert response.status_code == 200, response.text
        assert_shared_caches_may_not_store(response)


def reads_other_headers() -> Any:
    seen = (
        request.headers.get("Accept-Language"),
        "X-Missing" in request.headers,
        request.environ["REQUEST_METHOD"],
        request.environ.get("HTTP_HOST"),
        request.host,
        request.remote_addr,
    )
    return public(make_response(repr(seen)))


def streams_for_everybody() -> Any:
    return public(make_response(iter(["the same ", "for everybody"])))


@pytest.mark.parametrize("cookie", [None, "theme=dark"])
def test_a_public_page_that_reads_other_headers_stays_public(
    app: Flask, client: FlaskClient, cookie: str | None
) -> None:
    """Whatever else the view reads is its own business: `public()` is its word."""
    if cookie:
        client.set_cookie(*cookie.split("="))
    response = client.get(add_view(app, reads_other_headers), headers={"Accept-Language": "fr"})
    assert_shared_for(response, app.config["CACHE_DEFAULT_TTL"])


def test_a_streamed_page_is_public_only_without_cookies(app: Flask, client: FlaskClient) -> None:
    """Its body runs after the headers are sent: whether it will read the
    cookies cannot be known, so a request with cookies gets a private copy."""
    path = add_view(app, streams_for_everybody)
    with client.get(path) as response:
        assert response.text == "the same for everybody"
        assert_shared_for(response, app.config["CACHE_DEFAULT_TTL"])
    client.set_cookie("theme", "dark")
    with client.get(path) as response:
        assert response.text == "the same for everybody"
        assert_shared_caches_may_not_store(response)
