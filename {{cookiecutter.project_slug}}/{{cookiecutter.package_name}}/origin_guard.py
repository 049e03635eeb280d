"""Refuse requests that did not come through this site's CloudFront distribution.

CloudFront adds a custom origin header, `X-Origin-Verify`, whose value is a
per-stack secret (the UUID in the stack's ID: known inside the AWS account,
never committed to git). Anyone calling the API Gateway URL directly lacks it
and gets 403, so nobody can bypass the CDN's cache and its host rewrite, or
spoof `X-Forwarded-Host`. CloudFront replaces any viewer-sent header of the
same name, so a visitor cannot forge it either. No paid service (WAF) needed.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from typing import Any

ORIGIN_HEADER = "X-Origin-Verify"
_ENVIRON_KEY = "HTTP_" + ORIGIN_HEADER.upper().replace("-", "_")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class OriginGuard:
    """WSGI middleware: 403 unless the origin header carries `secret`."""

    def __init__(self, app: WSGIApp, secret: str) -> None:
        if not secret:
            raise ValueError("OriginGuard needs a non-empty secret")
        self.app = app
        self._secret = secret.encode()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):
        given = environ.pop(_ENVIRON_KEY, "").encode()  # the app never sees the secret
        if hmac.compare_digest(given, self._secret):
            return self.app(environ, start_response)
        start_response(
            "403 Forbidden",
            [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")],
        )
        return [b"Forbidden: use the site's public address.\n"]
