"""The starter routes: a page cached by the CDN (`/`), the time as JSON, cached
and never cached (`/api/time`, `/api/time/no-cache`), and a visit counter kept
in the session cookie (`/session`). They demonstrate the caching and session
patterns; change or remove them, and their tests in tests/test_routes.py, as
your own pages arrive. The templates link to `site.index` (the header and the
error pages): keep a route by that name or change those links."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify, render_template, request, session

# Each view says who may cache its answer (caching.py: the default for views
# that don't, and why a response with a cookie is never shared).
from .caching import public, uncacheable

site = Blueprint("site", __name__)


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
