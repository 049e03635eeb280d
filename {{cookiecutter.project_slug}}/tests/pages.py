"""Reading what the demo pages show, for tests."""

from __future__ import annotations

import re

VISITS = re.compile(r'<strong class="visits">(\d+)</strong>')


def visits_on(page: str | bytes) -> int:
    """The visit count the /session page shows."""
    text = page.decode() if isinstance(page, bytes) else page
    found = VISITS.search(text)
    assert found, text[:300]
    return int(found.group(1))
