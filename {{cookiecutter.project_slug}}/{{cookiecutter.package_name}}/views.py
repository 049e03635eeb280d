"""The starter routes: a page cached by the CDN (`/`), the time as JSON, cached
and never cached (`/api/time`, `/api/time/no-cache`), and a visit counter kept
in the session cookie (`/session`). They demonstrate the caching and session
patterns; change or remove them, and their tests in tests/test_routes.py, as
your own pages arrive. The templates link to `site.index` (the header and the
error pages): keep a route by that name or change those links."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify, render_template, request, session

site = Blueprint("site", __name__)


def public(response: Response) -> Response:
    """Let browsers and CloudFront cache `response` for the default TTL."""
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["CACHE_DEFAULT_TTL"]
    return response


def uncacheable(response: Response) -> Response:
    response.cache_control.no_store = True
    return response


@site.get("/")
def index() -> Response:
    html = render_template("index.html", host=request.host)
    return public(current_app.make_response(html))


@site.get("/api/time")
def api_time() -> Response:
    return public(jsonify(time=int(time.time())))


@site.get("/api/time/no-cache")
def api_time_no_cache() -> Response:
    return uncacheable(jsonify(time=int(time.time())))


@site.get("/session")
def session_counter() -> Response:
    session["visits"] = session.get("visits", 0) + 1
    html = render_template("session.html", visits=session["visits"])
    return uncacheable(current_app.make_response(html))
