"""The AWS Lambda entry point: API Gateway (REST, v1 events) to WSGI.

CloudFront's viewer-request function copies the visitor's Host header into
`X-Forwarded-Host`; API Gateway itself only accepts its own host. werkzeug's
ProxyFix turns that header into the request's host for each request's WSGI
environ (HTTP header names are case-insensitive; apig-wsgi normalises them),
so `request.host` and `url_for(..., _external=True)` show the public domain
without touching shared app config.
"""

from __future__ import annotations

from typing import Any

from apig_wsgi import make_lambda_handler
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .app import create_app

# Deployed traffic is always HTTPS: session cookies must say so.
DEPLOYED_CONFIG = {"SESSION_COOKIE_SECURE": True}


def make_handler(app: Flask) -> Any:
    """A Lambda handler serving `app`, trusting one proxy's X-Forwarded-Host."""
    return make_lambda_handler(ProxyFix(app.wsgi_app, x_host=1), binary_support=True)


handler = make_handler(create_app(DEPLOYED_CONFIG))
