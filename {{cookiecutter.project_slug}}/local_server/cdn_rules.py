"""What CloudFront does with a response from the origin: keep it, how long, and why.

The rules of CloudFront's developer guide ("Manage how long content stays in
the cache", "How CloudFront processes HTTP 3xx/4xx/5xx status codes"):

- only responses to GET and HEAD are stored;
- `no-store`, `no-cache` and `private` mean "never" with a minimum TTL of 0,
  and the minimum TTL otherwise;
- `s-maxage`, else `max-age`, else `Expires`, clamped to the policy's minimum
  and maximum TTL; no caching header at all means the default TTL;
- 200, 203, 206, 300, 301 and 302 follow those rules; 307 and 308 only when
  they carry Cache-Control; other 2xx and 3xx are not stored;
- 404, 410, 414 and 5xx errors are stored; 400, 403, 405, 412 and 415 only
  with `max-age` or `s-maxage`. A stored error is kept for the longer of its
  max-age and the distribution's error caching minimum TTL for its status
  (10 s unless configured). Only 404, 410, 414 and 501 can refuse that with
  `no-store`, `no-cache` or `private`: the others are stored all the same;
- a stored response keeps its Set-Cookie, and the cookie goes to everyone
  served from the cache when cookies are not in the cache key.

`make local` stamps each response with `verdict(...)`; tests/test_cdn_caching.py
models the cache over the real handler with the same function.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

UNCACHEABLE_DIRECTIVES = ("no-store", "no-cache", "private")
CACHED_METHODS = ("GET", "HEAD")
CACHED_STATUSES = frozenset({200, 203, 206, 300, 301, 302})
CACHED_WITH_CACHE_CONTROL = frozenset({307, 308})
CACHED_ERRORS = frozenset({404, 410, 414, 500, 501, 502, 503, 504})
CACHED_ERRORS_WITH_MAX_AGE = frozenset({400, 403, 405, 412, 415})
ERRORS_THAT_MAY_REFUSE = frozenset({404, 410, 414, 501})
ERROR_CACHING_MIN_TTL = 10

Headers = Mapping[str, Sequence[str]]  # lower-case names, every value


@dataclass(frozen=True)
class CachePolicy:
    min_ttl: int
    default_ttl: int
    max_ttl: int
    query_in_key: bool = False
    cookies_in_key: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CachePolicy:
        """The policy a template's `CachePolicyConfig` describes."""
        key = config["ParametersInCacheKeyAndForwardedToOrigin"]
        return cls(
            min_ttl=int(config["MinTTL"]),
            default_ttl=int(config["DefaultTTL"]),
            max_ttl=int(config["MaxTTL"]),
            query_in_key=key["QueryStringsConfig"]["QueryStringBehavior"] != "none",
            cookies_in_key=key["CookiesConfig"]["CookieBehavior"] != "none",
        )


CACHING_DISABLED = CachePolicy(0, 0, 0)
# CloudFront's managed policies a template refers to by ID (the same in every account).
MANAGED_POLICIES = {
    "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": CACHING_DISABLED,
    # CachingOptimized and CachingOptimizedForUncompressedObjects
    "658327ea-f89d-4fab-a63d-7e88639e58f6": CachePolicy(1, 86400, 31536000),
    "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": CachePolicy(1, 86400, 31536000),
}


@dataclass(frozen=True)
class ErrorCaching:
    """The error caching minimum TTL of each status a distribution configures."""

    min_ttls: Mapping[int, int] = field(default_factory=dict)

    def min_ttl(self, status: int) -> int:
        return self.min_ttls.get(status, ERROR_CACHING_MIN_TTL)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ErrorCaching:
        """The error caching of a template's `DistributionConfig`."""
        return cls(
            {
                int(response["ErrorCode"]): int(response["ErrorCachingMinTTL"])
                for response in config.get("CustomErrorResponses", [])
                if "ErrorCachingMinTTL" in response
            }
        )


@dataclass(frozen=True)
class Verdict:
    ttl: int  # seconds CloudFront keeps the response; 0: not stored
    reason: str
    shares_cookie: bool = False  # stored with its Set-Cookie

    @property
    def cacheable(self) -> bool:
        return self.ttl > 0

    def __str__(self) -> str:
        if not self.cacheable:
            return f"not cacheable: {self.reason}"
        warning = ", with its Set-Cookie for every visitor" if self.shares_cookie else ""
        return f"cacheable {self.ttl}s{warning}"


def cache_directives(headers: Headers) -> dict[str, str]:
    """The response's Cache-Control directives, names lower-cased."""
    items = ",".join(headers.get("cache-control", [])).split(",")
    return {
        name.strip().lower(): value.strip().strip('"')
        for item in items
        if item.strip()
        for name, _, value in [item.partition("=")]
    }


def header_ttl(directives: Mapping[str, str], headers: Headers) -> tuple[int, str] | None:
    """The lifetime the response asks for, and where it says so; None if it doesn't."""
    for name in ("s-maxage", "max-age"):
        if name in directives:
            try:
                return max(int(directives[name]), 0), f"{name}={directives[name]}"
            except ValueError:
                return 0, f"{name}={directives[name]} (not a number)"
    if headers.get("expires"):
        try:
            expires = parsedate_to_datetime(headers["expires"][-1])
            date = parsedate_to_datetime(headers["date"][-1]) if headers.get("date") else None
        except (TypeError, ValueError):
            return 0, "an unreadable Expires"
        if date is not None:
            return max(int((expires - date).total_seconds()), 0), "Expires"
    return None


def verdict(
    policy: CachePolicy, method: str, status: int, headers: Headers, errors: ErrorCaching
) -> Verdict:
    """What CloudFront does with this response under `policy` and `errors`."""
    if method.upper() not in CACHED_METHODS:
        return Verdict(0, f"{method.upper()} responses are never stored")
    if policy.max_ttl == 0:
        return Verdict(0, "the cache policy stores nothing (maximum TTL 0)")
    directives = cache_directives(headers)
    refusal = ", ".join(name for name in UNCACHEABLE_DIRECTIVES if name in directives)
    asked = header_ttl(directives, headers)
    if status in CACHED_ERRORS_WITH_MAX_AGE and not {"max-age", "s-maxage"} & set(directives):
        return Verdict(0, f"a {status} without max-age is not stored")
    if status in CACHED_ERRORS | CACHED_ERRORS_WITH_MAX_AGE:
        if refusal and status in ERRORS_THAT_MAY_REFUSE:
            return Verdict(0, refusal)
        seconds, source = asked or (0, "no max-age")
        minimum = errors.min_ttl(status)
        ttl = min(max(seconds, minimum), policy.max_ttl)
        reason = (
            f"{source}; a {status} is kept at least {minimum}s"
            if minimum
            else f"{source}; no error caching minimum for a {status}"
        )
    elif status in CACHED_STATUSES or (
        status in CACHED_WITH_CACHE_CONTROL and "cache-control" in headers
    ):
        if refusal and policy.min_ttl == 0:
            return Verdict(0, refusal)
        if refusal:  # a minimum TTL overrides it
            ttl, reason = policy.min_ttl, f"{refusal}, raised to the minimum TTL"
        elif asked is None:
            ttl, reason = policy.default_ttl, "no Cache-Control: the default TTL"
        else:
            seconds, source = asked
            ttl = min(max(seconds, policy.min_ttl), policy.max_ttl)
            clamped = f", within TTLs {policy.min_ttl}-{policy.max_ttl}" if ttl != seconds else ""
            reason = source + clamped
    else:
        return Verdict(0, f"a {status} is not stored")
    if ttl == 0:
        return Verdict(0, reason)
    shares_cookie = bool(headers.get("set-cookie")) and not policy.cookies_in_key
    return Verdict(ttl, reason, shares_cookie)
