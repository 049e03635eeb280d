"""Who may cache a response: the app's default, and the Set-Cookie rule.

A shared cache (CloudFront) must never store a response that carries a
cookie, whatever set it; a view that says nothing about caching is public
only when it touched no cookie and no session.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, abort, make_response, request, session
from flask.testing import FlaskClient

from {{ cookiecutter.package_name }}.views import public

from ..pages import assert_shared_for


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


def test_a_view_without_cache_headers_is_public_for_the_default_ttl(
    app: Flask, client: FlaskClient
) -> None:
    assert_shared_for(client.get(add_view(app, plain)), app.config["CACHE_DEFAULT_TTL"])


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

    for path in ("/", "/api/time", "/static/style.css", "/no-such-page"):
        with client.get(path) as response:
            assert "tracker=abc" in response.headers["Set-Cookie"], path
            assert_shared_caches_may_not_store(response)


def test_a_permanent_session_makes_every_page_private(app: Flask, client: FlaskClient) -> None:
    client.get(add_view(app, remembers_the_visitor))
    for path in ("/", "/api/time", "/static/style.css", "/no-such-page"):
        with client.get(path) as response:
            assert "session=" in response.headers["Set-Cookie"], path  # refreshed each time
            assert_shared_caches_may_not_store(response)


def test_a_session_cookie_alone_does_not_make_pages_private(
    app: Flask, client: FlaskClient
) -> None:
    """A visitor who carries a (non-permanent) session cookie still gets the
    shared copy of pages that never look at it."""
    path = add_view(app, plain)
    client.get("/session")
    response = client.get(path)
    assert "Set-Cookie" not in response.headers
    assert response.cache_control.public
