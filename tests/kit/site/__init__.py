"""A small site on the kit's `create_site`, as a project's app factory builds its own
(sessions keyed by a local key file), with a few views of its own."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from serverless_flask_kit.site import create_site

from .views import not_found, pages

# What a project's settings would give: its application log level and cache lifetime.
LOG_LEVEL = "INFO"
CACHE_DEFAULT_TTL = 300
SETTINGS_CONFIG = {
    "CACHE_DEFAULT_TTL": CACHE_DEFAULT_TTL,
    "SEND_FILE_MAX_AGE_DEFAULT": CACHE_DEFAULT_TTL,
}


def create_app(key_file: Path, overrides: Mapping[str, Any] | None = None) -> Flask:
    """The site, its secret key in `key_file`; `overrides` win over every other config layer."""
    app = create_site(
        __name__,
        settings=SETTINGS_CONFIG,
        overrides={"SECRET_KEY_FILE": str(key_file), **(overrides or {})},
        log_level=LOG_LEVEL,
    )
    app.register_blueprint(pages)
    app.register_error_handler(404, not_found)
    return app
