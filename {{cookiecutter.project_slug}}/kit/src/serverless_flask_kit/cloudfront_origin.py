"""What the app may trust about a request, given that CloudFront sent it.

A request without CloudFront's `X-Origin-Verify` secret (infra/origin_secret.py; two
during a rotation) bypassed the CDN's cache and throttling and gets 403. Only values
the proxies appended count: the last `X-Forwarded-Host` and `-Proto`, and the visitor as
the second address from the right of `X-Forwarded-For` (CloudFront, then API Gateway,
append to it): `ProxyFix(x_for=2, x_proto=1, x_host=1)` at a fraction of its cost.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from hmac import compare_digest
from typing import Any

from .malformed_events import context_problem

log = logging.getLogger(__name__)

ORIGIN_HEADER = "X-Origin-Verify"
# Where API Gateway looks for the API key (the API's default key source).
API_KEY_HEADER = "x-api-key"
_SECRET_KEY = "HTTP_" + ORIGIN_HEADER.upper().replace("-", "_")
# CloudFront also sends the secret as API Gateway's API key, which API Gateway
# passes on (and copies into the request context): never for the app either.
_API_KEY = "HTTP_" + API_KEY_HEADER.upper().replace("-", "_")
# Lower-cased: header names match in any letter case (a version 2.0 event has them lower-case).
_SECRET_HEADERS = frozenset(name.lower() for name in (ORIGIN_HEADER, API_KEY_HEADER))
# Where apig-wsgi puts its copies of the event and its request context, for the app.
RAW_EVENT_KEY, RAW_CONTEXT_KEY = "apig_wsgi.full_event", "apig_wsgi.request_context"
_FORBIDDEN_STATUS = "403 Forbidden"
_FORBIDDEN_HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")]
_FORBIDDEN_BODY = b"Forbidden: use the site's public address.\n"

FORWARDING_PROXIES = 2

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def without_secret(event: dict[str, Any]) -> dict[str, Any]:
    """A copy of the raw event without the secret (the caller's event is left as is).
    Fields of shapes API Gateway never sends are copied as they are."""
    event = dict(event)
    for field in ("headers", "multiValueHeaders"):
        headers = event.get(field)
        if isinstance(headers, dict):
            event[field] = {
                name: value
                for name, value in headers.items()
                if not (isinstance(name, str) and name.lower() in _SECRET_HEADERS)
            }
    context = event.get("requestContext")
    identity = context.get("identity") if isinstance(context, dict) else None
    if isinstance(identity, dict) and "apiKey" in identity:
        event["requestContext"] = {**context, "identity": {**identity}}
        del event["requestContext"]["identity"]["apiKey"]
    return event


def behind_cloudfront(
    app: WSGIApp, origin_secret: str | Sequence[str] | None, *, required: bool = True
) -> WSGIApp:
    """WSGI middleware: refuse requests without (one of) `origin_secret`, then apply
    the forwarded host, scheme and address. Without a secret every request is refused
    when it is `required`, and none is checked otherwise."""
    secrets = [origin_secret] if isinstance(origin_secret, str) else origin_secret or []
    if not isinstance(secrets, list | tuple) or not all(isinstance(one, str) for one in secrets):
        kind = type(origin_secret).__name__  # not the value: it may hold the secret
        raise ValueError(f"ORIGIN_SECRET must be a string or a list of strings, not this {kind}")
    accepted = [secret.encode() for secret in secrets if secret]
    check = bool(accepted) or required
    if not accepted and required:
        log.error(
            "ORIGIN_SECRET is empty: every request gets 403 until the function's "
            "configuration names CloudFront's origin secret (infra/function.py)"
        )

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ.pop(_API_KEY, None)
        if RAW_EVENT_KEY in environ:
            event = environ[RAW_EVENT_KEY] = without_secret(environ[RAW_EVENT_KEY])
            problem = context_problem(event)
            if problem:  # a context the secret could hide in: the handler answers 400
                raise ValueError(problem)
            environ[RAW_CONTEXT_KEY] = event.get("requestContext")
        if check:
            given = environ.pop(_SECRET_KEY, "").encode("utf-8", "replace")  # the app never sees it
            # Compared with each, without stopping early: the time says nothing (none: 403).
            if sum(compare_digest(given, secret) for secret in accepted) == 0:
                start_response(_FORBIDDEN_STATUS, list(_FORBIDDEN_HEADERS))
                return [_FORBIDDEN_BODY]
        # Each header's last comma-separated value (inlined: this runs on every request).
        host = environ.get("HTTP_X_FORWARDED_HOST")
        if host:
            host = environ["HTTP_HOST"] = environ["SERVER_NAME"] = host.rsplit(",", 1)[-1].strip()
            if ":" in host and not host.endswith("]"):  # a port, not an IPv6 address
                environ["SERVER_NAME"], environ["SERVER_PORT"] = host.rsplit(":", 1)
        scheme = environ.get("HTTP_X_FORWARDED_PROTO")
        if scheme:
            environ["wsgi.url_scheme"] = scheme.rsplit(",", 1)[-1].strip()
        addresses = environ.get("HTTP_X_FORWARDED_FOR")
        if addresses:
            hops = addresses.rsplit(",", FORWARDING_PROXIES)
            visitor = hops[-FORWARDING_PROXIES] if len(hops) >= FORWARDING_PROXIES else hops[0]
            environ["REMOTE_ADDR"] = visitor.strip()
        return app(environ, start_response)

    return serve
