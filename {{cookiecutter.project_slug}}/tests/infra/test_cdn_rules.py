"""CloudFront's caching rules (local_server/cdn_rules.py), one response at a time."""

from __future__ import annotations

import pytest

from local_server.cdn_rules import CACHING_DISABLED, CachePolicy, ErrorCaching, verdict

POLICY = CachePolicy(min_ttl=0, default_ttl=300, max_ttl=3600)
NO_CUSTOM_ERROR_RESPONSES = ErrorCaching()  # CloudFront's own error caching


def judged(
    status: int = 200,
    method: str = "GET",
    policy: CachePolicy = POLICY,
    errors: ErrorCaching = NO_CUSTOM_ERROR_RESPONSES,
    **headers: str,
):
    lower = {name.replace("_", "-").lower(): [value] for name, value in headers.items()}
    return verdict(policy, method, status, lower, errors)


@pytest.mark.parametrize(
    ("cache_control", "ttl"),
    [
        ("public, max-age=120", 120),
        ("max-age=120, s-maxage=30", 30),  # s-maxage is for shared caches: it wins
        ("public, max-age=31536000, immutable", 3600),  # capped at the maximum TTL
        ("max-age=0", 0),
    ],
)
def test_max_age_within_the_policy_ttls(cache_control: str, ttl: int) -> None:
    result = judged(cache_control=cache_control)
    assert result.ttl == ttl
    assert result.cacheable is (ttl > 0)


def test_a_minimum_ttl_raises_a_short_max_age() -> None:
    policy = CachePolicy(min_ttl=60, default_ttl=300, max_ttl=3600)
    assert judged(cache_control="max-age=5", policy=policy).ttl == 60


def test_no_cache_control_gets_the_default_ttl() -> None:
    result = judged()
    assert result.ttl == 300
    assert "default TTL" in result.reason
    assert str(result) == "cacheable 300s"


@pytest.mark.parametrize("directive", ["private", "no-store", "no-cache"])
def test_private_no_store_and_no_cache_are_never_stored(directive: str) -> None:
    result = judged(cache_control=f"{directive}, max-age=300")
    assert not result.cacheable
    assert str(result) == f"not cacheable: {directive}"


def test_with_a_minimum_ttl_even_private_is_stored() -> None:
    policy = CachePolicy(min_ttl=30, default_ttl=300, max_ttl=3600)
    assert judged(cache_control="private", policy=policy).ttl == 30


def test_only_get_and_head_are_cached() -> None:
    assert judged(method="HEAD").cacheable
    result = judged(method="POST", cache_control="max-age=60")
    assert not result.cacheable
    assert "POST" in str(result)


def test_a_policy_that_caches_nothing() -> None:
    result = judged(policy=CACHING_DISABLED, cache_control="max-age=60")
    assert not result.cacheable
    assert "maximum TTL" in result.reason


def test_a_cookie_on_a_cacheable_response_is_flagged() -> None:
    result = judged(cache_control="max-age=60", set_cookie="session=abc")
    assert result.ttl == 60 and result.shares_cookie
    assert "Set-Cookie" in str(result)
    assert not judged(cache_control="private", set_cookie="session=abc").shares_cookie


def test_errors_are_kept_for_the_error_caching_minimum() -> None:
    assert judged(500, cache_control="no-store").ttl == 10  # no-store ignored on a 500
    assert judged(503).ttl == 10
    assert judged(404, cache_control="public, max-age=60").ttl == 60
    assert judged(404, cache_control="max-age=1").ttl == 10
    assert not judged(404, cache_control="no-store").cacheable  # honoured on a 404


def test_a_403_is_stored_only_with_a_max_age_and_then_whatever_else_it_says() -> None:
    assert not judged(403).cacheable
    assert not judged(403, cache_control="private").cacheable
    assert judged(403, cache_control="private, max-age=60").ttl == 60  # private ignored
    assert judged(400, cache_control="s-maxage=5").ttl == 10


def test_a_distributions_error_minimum_leaves_errors_to_their_cache_control() -> None:
    errors = ErrorCaching.from_config(
        {"CustomErrorResponses": [{"ErrorCode": 500, "ErrorCachingMinTTL": 0}]}
    )
    assert not judged(500, cache_control="private", errors=errors).cacheable
    assert not judged(500, errors=errors).cacheable
    assert judged(500, cache_control="private, max-age=30", errors=errors).ttl == 30
    assert judged(502, cache_control="private", errors=errors).ttl == 10  # not configured


def test_temporary_redirects_need_a_cache_control() -> None:
    assert not judged(307).cacheable
    assert judged(307, cache_control="max-age=60").ttl == 60
    assert judged(301).ttl == 300


def test_other_statuses_are_not_cached() -> None:
    result = judged(201, cache_control="max-age=60")
    assert not result.cacheable
    assert "201" in str(result)


def test_expires_counts_when_there_is_no_max_age() -> None:
    result = judged(date="Fri, 27 Nov 2026 10:00:00 GMT", expires="Fri, 27 Nov 2026 10:02:00 GMT")
    assert result.ttl == 120


def test_a_policy_from_the_synthesized_template() -> None:
    config = {
        "MinTTL": 0,
        "DefaultTTL": 300,
        "MaxTTL": 3600,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "QueryStringsConfig": {"QueryStringBehavior": "all"},
            "CookiesConfig": {"CookieBehavior": "none"},
        },
    }
    policy = CachePolicy.from_config(config)
    assert (policy.min_ttl, policy.default_ttl, policy.max_ttl) == (0, 300, 3600)
    assert policy.query_in_key and not policy.cookies_in_key
