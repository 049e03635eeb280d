"""A small site built from the kit's pieces, as a project's app factory builds its
own: the cache-safe Flask class, the config layers, sessions keyed by a local key
file, static files, and a few views of its own."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from serverless_flask_kit.caching import CacheSafeFlask
from serverless_flask_kit.config import DEFAULTS, environment_config
from serverless_flask_kit.log_setup import configure_logging
from serverless_flask_kit.secret_key import LocalFileKeyStore
from serverless_flask_kit.sessions import KeyStoreSessionInterface
from serverless_flask_kit.static_files import URL_PATH, init_static_files

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
    configure_logging(LOG_LEVEL)
    app = CacheSafeFlask(__name__, static_url_path=URL_PATH)
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(SETTINGS_CONFIG)
    app.config.from_mapping(environment_config())
    app.config.from_mapping(overrides or {})
    app.session_interface = KeyStoreSessionInterface(
        LocalFileKeyStore(key_file),
        cache_seconds=app.config["SECRET_KEY_CACHE_SECONDS"],
        min_refresh=app.config["SECRET_KEY_MIN_REFRESH_SECONDS"],
    )
    init_static_files(app)
    app.register_blueprint(pages)
    app.register_error_handler(404, not_found)
    return app
