"""The AWS Lambda entry point: API Gateway (REST, v1 events) to WSGI.

CloudFront's viewer-request function copies the visitor's Host header into
`X-Forwarded-Host`; API Gateway itself only accepts its own host.
`trust_one_proxy` turns that header (and X-Forwarded-For/-Proto) into the
request's host (address, scheme) in each request's WSGI environ, as werkzeug's
ProxyFix(x_for=1, x_proto=1, x_host=1) would, at a fraction of its per-request
cost (HTTP header names are case-insensitive; apig-wsgi normalises them). So
`request.host` and `url_for(..., _external=True)` show the public domain
without touching shared app config. Requests that did not come through
CloudFront are refused (see origin_guard.py). Each request leaves one JSON
access-log line (see access_log.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from apig_wsgi import make_lambda_handler
from flask import Flask

from .access_log import access_record, write_access_record
from .app import create_app
from .origin_guard import OriginGuard, WSGIApp

# Deployed traffic is always HTTPS: session cookies must say so.
DEPLOYED_CONFIG = {"SESSION_COOKIE_SECURE": True}

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def nearest(value: str | None) -> str:
    """What the nearest proxy put in a comma-separated X-Forwarded-* header."""
    return value.rsplit(",", 1)[-1].strip() if value else ""


def trust_one_proxy(app: WSGIApp) -> WSGIApp:
    """WSGI middleware: the client's address, scheme and host as CloudFront saw them.

    Only the last value of each X-Forwarded-* header counts: the one the proxy
    in front of the app (CloudFront) added; anything before it came from the
    visitor and could be forged.
    """

    def with_forwarded_values(environ: dict[str, Any], start_response: Callable[..., Any]):
        address = nearest(environ.get("HTTP_X_FORWARDED_FOR"))
        if address:
            environ["REMOTE_ADDR"] = address
        scheme = nearest(environ.get("HTTP_X_FORWARDED_PROTO"))
        if scheme:
            environ["wsgi.url_scheme"] = scheme
        host = nearest(environ.get("HTTP_X_FORWARDED_HOST"))
        if host:
            environ["HTTP_HOST"] = environ["SERVER_NAME"] = host
            if ":" in host and not host.endswith("]"):  # a port, not an IPv6 address
                environ["SERVER_NAME"], environ["SERVER_PORT"] = host.rsplit(":", 1)
        return app(environ, start_response)

    return with_forwarded_values


def make_handler(app: Flask) -> Handler:
    """A Lambda handler serving `app`, trusting one proxy's X-Forwarded-* headers.

    With `ORIGIN_SECRET` configured (the deployed stack sets it), only requests
    carrying it in `X-Origin-Verify` reach the app.
    """
    wsgi_app = trust_one_proxy(app.wsgi_app)
    if app.config["ORIGIN_SECRET"]:
        wsgi_app = OriginGuard(wsgi_app, app.config["ORIGIN_SECRET"])
    serve = make_lambda_handler(wsgi_app, binary_support=True)
    clock = time.perf_counter

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        started = clock()
        response = serve(event, context)
        write_access_record(access_record(event, response, clock() - started))
        return response

    return handler


handler = make_handler(create_app(DEPLOYED_CONFIG))
