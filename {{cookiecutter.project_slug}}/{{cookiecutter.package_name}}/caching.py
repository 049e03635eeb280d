"""Who may cache a response, decided in one place.

Views choose `public()` or `uncacheable()`; `settle()` has the last word. A response
that sets a cookie, or whose request read the session or cookies (not in CloudFront's
cache key), is `private`, and without a max-age if it is an error, so one visitor's page
never reaches another; one without `Cache-Control` is public for the default TTL, or
`no-store` for a server error.
"""

from __future__ import annotations

from flask import Flask, Request, Response, current_app
from flask.globals import request_ctx
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property


def public(response: Response) -> Response:
    """Let browsers and CloudFront cache `response` for the default TTL."""
    response.cache_control.public = True
    response.cache_control.max_age = current_app.config["CACHE_DEFAULT_TTL"]
    return response


def uncacheable(response: Response) -> Response:
    """Let nobody store `response`."""
    response.cache_control.no_store = True
    return response


def private(response: Response) -> Response:
    """Let only the visitor's own browser store `response`."""
    response.cache_control.public = False
    response.cache_control.s_maxage = None
    response.cache_control.private = True
    return response


def settle(response: Response, *, personal: bool) -> Response:
    """`response` with its final caching headers; `personal`: it read a cookie or the session."""
    # One pass over the few headers: `name in response.headers` raises and
    # catches a KeyError for each absent name, several times slower.
    names = {name.lower() for name, _ in response.headers}
    if personal or "set-cookie" in names:
        response = private(response)
        if response.status_code >= 400:
            # CloudFront honours `private` on a 200, not on most errors: their max-age decides.
            response.cache_control.max_age = None
            response.headers.pop("Expires", None)
        return response
    if "cache-control" in names:
        return response
    return uncacheable(response) if response.status_code >= 500 else public(response)


class CookieAwareRequest(Request):
    """A request that remembers whether the app read its cookies."""

    cookies_read = False

    @property  # type: ignore[override]
    def cookies(self) -> ImmutableMultiDict[str, str]:
        self.cookies_read = True
        return self._parsed_cookies

    @cached_property
    def _parsed_cookies(self) -> ImmutableMultiDict[str, str]:
        return super().cookies


class CacheSafeFlask(Flask):
    """Flask, with `settle()` applied to every response it sends."""

    request_class = CookieAwareRequest

    def full_dispatch_request(self) -> Response:
        # The session interface has already looked for its cookie: only reads
        # from here on (hooks, the view, error handlers) count.
        request_ctx._get_current_object().request.cookies_read = False  # no proxy: 1 µs less
        return super().full_dispatch_request()

    def process_response(self, response: Response) -> Response:
        response = super().process_response(response)  # ends with the session's save
        ctx = request_ctx._get_current_object()
        # ctx._session, not ctx.session: reading that counts as using the session.
        personal = ctx.request.cookies_read or getattr(ctx._session, "accessed", True)
        return settle(response, personal=personal)
