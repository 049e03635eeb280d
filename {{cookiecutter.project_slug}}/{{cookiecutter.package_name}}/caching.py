"""Who may cache a response: the app's caching policy, in one place.

A view chooses with `public()` (browsers and CloudFront keep it for the default
TTL) or `uncacheable()` (nobody keeps it). As each response leaves the app,
after every view, error handler, `after_request` hook and the session's own
save, `settle()` has the last word:

- A response that carries `Set-Cookie`, or whose request read the session or
  `request.cookies`, is never cacheable by a shared cache, whatever the view
  said and whatever set the cookie (a view, an extension, or Flask refreshing a
  permanent session): it is made `private`. CloudFront, whose minimum TTL is
  0, then never stores it, so one visitor's cookie or page never reaches
  another.
- Any other response whose view set no `Cache-Control` (missing pages too) is
  public for the default TTL; a server error (5xx) is `no-store`.

Cookies are not part of CloudFront's cache key. A view whose answer depends on
something the app cannot see it read (a header, `request.headers["Cookie"]`)
must say `uncacheable()` or set `private` itself.
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
    """The final caching headers of `response` (see the module docstring);
    `personal`: the request read a cookie or the session."""
    # One pass over the few headers: `name in response.headers` raises and
    # catches a KeyError for each absent name, several times slower.
    names = {name.lower() for name, _ in response.headers}
    if personal or "set-cookie" in names:
        return private(response)
    if "cache-control" in names:
        return response
    # A server error may be gone on the next request: never keep one.
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
