"""Who may cache a response, decided in one place.

Views choose `public()` or `uncacheable()`; `settle()` has the last word. A response
that sets a cookie, or whose request revealed the visitor's cookies to the app (the
session, `request.cookies`, the Cookie header, the whole environ; none of them is in
CloudFront's cache key), is `private`, and without a max-age if it is an error, so one
visitor's page never reaches another. So is a streamed response to a request with
cookies: its body runs after the headers are settled. A response whose view said
nothing is `private` too (`no-store` for a server error): it may depend on anything.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Flask, Request, Response, current_app
from flask.globals import request_ctx
from werkzeug.datastructures import EnvironHeaders, ImmutableMultiDict
from werkzeug.utils import cached_property

from .cloudfront_origin import RAW_EVENT_KEY

COOKIE_HEADER = "HTTP_COOKIE"
# The environ's keys whose values hold the visitor's cookies: the header, and apig-wsgi's
# copy of the raw event.
COOKIE_KEYS = frozenset({COOKIE_HEADER, RAW_EVENT_KEY})


def public(response: Response) -> Response:
    """Let browsers and CloudFront cache `response` for `cache_default_ttl_seconds`."""
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
    """`response` with its final caching headers; `personal`: its request revealed
    the visitor's cookies or session to the app."""
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
    return uncacheable(response) if response.status_code >= 500 else private(response)


class CookieWatchingEnviron(dict[str, Any]):
    """A request's WSGI environ that notes every read that can reveal the visitor's
    cookies: a key of `COOKIE_KEYS` (werkzeug's `request.headers` reads the header
    through it), or the whole environ (iterating, listing, copying, printing)."""

    cookies_read = False

    def __getitem__(self, key: str) -> Any:
        if key in COOKIE_KEYS:
            self.cookies_read = True
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        if key in COOKIE_KEYS:
            self.cookies_read = True
        return dict.get(self, key, default)

    def pop(self, key: str, *default: Any) -> Any:
        if key in COOKIE_KEYS:
            self.cookies_read = True
        return dict.pop(self, key, *default)

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key in COOKIE_KEYS:
            self.cookies_read = True
        return dict.setdefault(self, key, default)

    # Overriding __iter__ also sends dict(environ), {**environ} and `{} | environ`
    # through keys() and __getitem__, instead of a copy in C that nothing sees.
    def __iter__(self) -> Iterator[str]:
        self.cookies_read = True
        return dict.__iter__(self)

    def __reversed__(self) -> Iterator[str]:
        self.cookies_read = True
        return dict.__reversed__(self)

    def keys(self) -> Any:
        self.cookies_read = True
        return dict.keys(self)

    def values(self) -> Any:
        self.cookies_read = True
        return dict.values(self)

    def items(self) -> Any:  # also what copy.copy(), pickle and json go through
        self.cookies_read = True
        return dict.items(self)

    def popitem(self) -> tuple[str, Any]:
        self.cookies_read = True
        return dict.popitem(self)

    def copy(self) -> dict[str, Any]:
        self.cookies_read = True
        return dict.copy(self)

    def __or__(self, other: Any) -> Any:
        self.cookies_read = True
        return dict.__or__(self, other)

    def __repr__(self) -> str:
        self.cookies_read = True
        return dict.__repr__(self)


class CookieAwareRequest(Request):
    """A request that remembers whether the app read its parsed cookies."""

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
        # The session interface has already looked for its cookie, and Flask has read
        # what routing needs: only reads from here on (hooks, the view, error handlers)
        # count, and only a request with cookies pays for watching them.
        request = request_ctx._get_current_object().request  # no proxy: 1 µs less
        request.cookies_read = False
        if COOKIE_HEADER in request.environ:
            request.environ = CookieWatchingEnviron(request.environ)
            request.headers = EnvironHeaders(request.environ)
        return super().full_dispatch_request()

    def process_response(self, response: Response) -> Response:
        response = super().process_response(response)  # ends with the session's save
        ctx = request_ctx._get_current_object()
        environ = ctx.request.environ
        personal = (
            ctx.request.cookies_read
            # ctx._session, not ctx.session: reading that counts as using the session.
            or getattr(ctx._session, "accessed", True)
            # A streamed body runs after this, and may yet read the cookies or the session.
            or (
                type(environ) is CookieWatchingEnviron
                and (environ.cookies_read or response.is_streamed)
            )
        )
        return settle(response, personal=personal)
