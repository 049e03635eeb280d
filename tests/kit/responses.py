"""What the kit's tests check on a response."""

from __future__ import annotations

import re

from werkzeug.test import TestResponse

VISITS = re.compile(r"visits: (\d+)")


def assert_shared_for(response: TestResponse, seconds: int) -> None:
    """Browsers and CloudFront may keep `response` for `seconds`, and it sets no cookie."""
    assert response.cache_control.public
    assert response.cache_control.max_age == seconds
    assert "Set-Cookie" not in response.headers


def visits_on(page: str | bytes) -> int:
    """The visit count the site's counter page shows."""
    text = page.decode() if isinstance(page, bytes) else page
    found = VISITS.search(text)
    assert found, text[:300]
    return int(found.group(1))
