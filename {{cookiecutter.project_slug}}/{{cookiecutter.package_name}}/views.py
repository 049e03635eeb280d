"""The demo routes. Their paths are the template's contract: keep them."""

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
