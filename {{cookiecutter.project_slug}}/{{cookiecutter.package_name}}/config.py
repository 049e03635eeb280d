"""The Flask config keys that come from settings.json (the kit's config.py has the
other layers)."""

from __future__ import annotations

from typing import Any

from .settings import Settings


def settings_config(settings: Settings) -> dict[str, Any]:
    """The Flask config keys that come from the generated settings."""
    return {
        "PROJECT_NAME": settings.project_name,
        "CACHE_DEFAULT_TTL": settings.cache_default_ttl_seconds,
        # Static files get the same public max-age as cacheable pages.
        "SEND_FILE_MAX_AGE_DEFAULT": settings.cache_default_ttl_seconds,
    }
