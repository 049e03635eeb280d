"""The test site's views: a shared page, shared JSON, a page naming the host it was
asked for, a per-visitor counter, and a 404 page shared briefly, as a project's own are."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request, session
from markupsafe import escape
from serverless_flask_kit.caching import public, uncacheable
from werkzeug.exceptions import NotFound

pages = Blueprint("pages", __name__)

HOME = "/"
DATA = "/data"
HOST = "/host"
VISITS = "/visits"
FAVICON = "/static/favicon.ico"
STYLE = "/static/style.css"
MISSING = "/no-such-page"
# Every kind of response the site gives a visitor who carries no cookie.
EVERY_KIND = (HOME, DATA, STYLE, MISSING)


@pages.get(HOME)
def home() -> Response:
    return public(current_app.make_response("the same for everybody"))


@pages.get(DATA)
def data() -> Response:
    return public(jsonify(answer=42))


@pages.get(HOST)
def host() -> Response:
    html = f'<strong class="host">{escape(request.host)}</strong>'
    return public(current_app.make_response(html))


@pages.get(VISITS)
def visits() -> Response:
    session["visits"] = session.get("visits", 0) + 1
    return uncacheable(current_app.make_response(f"visits: {session['visits']}"))


def not_found(_error: NotFound) -> Response:
    response = public(current_app.make_response(("no such page", 404)))
    response.cache_control.max_age = 60
    return response
