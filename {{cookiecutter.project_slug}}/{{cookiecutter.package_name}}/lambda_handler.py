"""The AWS Lambda entry point: API Gateway (REST, v1 events) to WSGI.

CloudFront's viewer-request function copies the visitor's Host header into
`X-Forwarded-Host`; API Gateway itself only accepts its own host.
`behind_cloudfront` (cloudfront_origin.py) refuses requests that did not come
through this site's distribution, and turns the forwarded host (scheme,
address) into each request's WSGI environ (HTTP header names are
case-insensitive; apig-wsgi normalises them). So `request.host` and
`url_for(..., _external=True)` show the public domain without touching shared
app config.

Nothing else runs per request: API Gateway writes the access log
(infra/access_logs.py), the Lambda runtime puts the request ID on the app's
JSON log lines (log_setup.py), and Lambda records each invocation's duration.

On Lambda the session secret key is loaded during init, not by the first
session request, whenever init has had clearly more CPU than an invocation will
get (init_cpu.py): at 256 MB, importing boto3 and reading the key takes over a
second in a throttled invocation. The benchmark's model of Lambda's CPU decided
this (README.md at the template's root). Local runs skip it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from apig_wsgi import make_lambda_handler
from flask import Flask

from .app import create_app
from .cloudfront_origin import behind_cloudfront
from .init_cpu import init_outpaces_invocations
from .malformed_events import bad_request, problem_with

log = logging.getLogger(__name__)

# Deployed traffic is always HTTPS: session cookies must say so.
DEPLOYED_CONFIG = {"SESSION_COOKIE_SECURE": True}

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def make_handler(app: Flask) -> Handler:
    """A Lambda handler serving `app` behind CloudFront.

    With `ORIGIN_SECRET` configured (the deployed stack sets it), only requests
    carrying it in `X-Origin-Verify` reach the app. An event the adapter cannot
    read gets 400 and one log line, not a function error (malformed_events.py).
    """
    wsgi_app = behind_cloudfront(app.wsgi_app, app.config["ORIGIN_SECRET"])
    serve = make_lambda_handler(wsgi_app, binary_support=True)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            return serve(event, context)
        except Exception:
            # Checked only now, so a well-formed request pays nothing for it.
            problem = problem_with(event)
            if problem is None:
                raise  # not the event's fault: a real error
            return bad_request(problem)

    return handler


def load_secret_key(app: Flask) -> None:
    """Fill the app's key cache now.

    A failure is logged, not raised: pages without a session still work, and
    the first session request tries again (see sessions.py).
    """
    try:
        app.session_interface.secret_keys()
    except Exception:
        log.warning("secret key not loaded at init; session requests will retry", exc_info=True)


app = create_app(DEPLOYED_CONFIG)
if init_outpaces_invocations():
    load_secret_key(app)
handler = make_handler(app)
