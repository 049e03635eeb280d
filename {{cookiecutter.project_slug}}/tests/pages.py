"""Reading what the demo pages show, for tests."""

from __future__ import annotations

import re

from werkzeug.test import TestResponse

VISITS = re.compile(r'<strong class="visits">(\d+)</strong>')


def assert_shared_for(response: TestResponse, seconds: int) -> None:
    """Browsers and CloudFront may keep `response` for `seconds`, and it sets no cookie."""
    assert response.cache_control.public
    assert response.cache_control.max_age == seconds
    assert "Set-Cookie" not in response.headers


def visits_on(page: str | bytes) -> int:
    """The visit count the /session page shows."""
    text = page.decode() if isinstance(page, bytes) else page
    found = VISITS.search(text)
    assert found, text[:300]
    return int(found.group(1))
