"""What the kit's tests check on a response."""

from __future__ import annotations

from werkzeug.test import TestResponse


def assert_shared_for(response: TestResponse, seconds: int) -> None:
    """Browsers and CloudFront may keep `response` for `seconds`, and it sets no cookie."""
    assert response.cache_control.public
    assert response.cache_control.max_age == seconds
    assert "Set-Cookie" not in response.headers
