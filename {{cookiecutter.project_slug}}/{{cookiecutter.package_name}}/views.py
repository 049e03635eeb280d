"""The starter routes, showing the caching and session patterns: a page the CDN caches
(`/`), the time as JSON, cached and never cached, and a session visit counter. Replace
them, and tests/app/test_routes.py, with your own; the templates link to `site.index`.
"""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify, render_template, request, session
from serverless_flask_kit.caching import public, uncacheable

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
