"""The Lambda handler for a Flask app behind CloudFront: API Gateway (REST, v1 events)
to WSGI through apig-wsgi.

The handler adds no per-request work of its own: the Lambda runtime puts the request ID
on the app's JSON log lines (log_setup.py).

On Lambda the session secret key is loaded during init whenever init has had clearly
more CPU than an invocation will get (init_cpu.py): at 256 MB, importing boto3 and
reading the key takes over a second in a throttled invocation.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from typing import Any

from apig_wsgi import make_lambda_handler
from flask import Flask

from .cloudfront_origin import behind_cloudfront
from .init_cpu import FUNCTION_VARIABLE, init_outpaces_invocations
from .malformed_events import bad_request, problem_with

log = logging.getLogger(__name__)

# Deployed traffic is always HTTPS: session cookies must say so.
DEPLOYED_CONFIG = {"SESSION_COOKIE_SECURE": True}

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]

# Bodies sent as text: what Flask writes in UTF-8. apig-wsgi decodes a text body as
# UTF-8, so any other goes base64, which the API turns back into the same bytes (it
# passes every media type through as binary).
UTF8_CONTENT_TYPES = ("text/html; charset=utf-8", "text/plain; charset=utf-8", "application/json")


def make_handler(app: Flask, environ: Mapping[str, str] = os.environ) -> Handler:
    """A Lambda handler serving `app` behind CloudFront (cloudfront_origin.py). On
    Lambda the origin secret is required: a deploy without one refuses every request
    rather than open the function to direct calls. Elsewhere (tests, tests/invoke.py)
    no secret means no check."""
    on_lambda = FUNCTION_VARIABLE in environ
    wsgi_app = behind_cloudfront(app.wsgi_app, app.config["ORIGIN_SECRET"], required=on_lambda)
    serve = make_lambda_handler(
        wsgi_app, binary_support=True, non_binary_content_type_prefixes=UTF8_CONTENT_TYPES
    )

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
    """Fill the app's key cache now; on failure the first session request retries."""
    try:
        app.session_interface.secret_keys()
    except Exception:
        log.warning("secret key not loaded at init; session requests will retry", exc_info=True)


def lambda_handler_for(app: Flask) -> Handler:
    """`app`'s handler, its secret key loaded at init when init outpaces invocations."""
    if init_outpaces_invocations():
        load_secret_key(app)
    return make_handler(app)
