"""Error pages in the site's own look, cached briefly at most.

A 404 is cached for a minute at most, so the CDN absorbs repeated requests for a missing
path while a page the next deploy adds still shows up soon. A 500 says no-store, and the
distribution's error caching minimum is 0 (infra/cdn.py), so the next request retries.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, render_template
from werkzeug.exceptions import InternalServerError, NotFound

ERROR_PAGE_MAX_AGE = 60


def not_found(_error: NotFound) -> Response:
    response = current_app.make_response((render_template("404.html"), 404))
    response.cache_control.public = True
    default_ttl = current_app.config["CACHE_DEFAULT_TTL"]
    response.cache_control.max_age = min(ERROR_PAGE_MAX_AGE, default_ttl)
    return response


def server_error(_error: InternalServerError) -> Response:
    response = current_app.make_response((render_template("500.html"), 500))
    response.cache_control.no_store = True
    return response


def register_error_pages(app: Flask) -> None:
    app.register_error_handler(404, not_found)
    app.register_error_handler(500, server_error)
