"""The application factory."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from serverless_flask_kit.caching import CacheSafeFlask
from serverless_flask_kit.config import DEFAULTS, environment_config
from serverless_flask_kit.log_setup import configure_logging
from serverless_flask_kit.secret_key import KeyStore, LocalFileKeyStore, S3KeyStore
from serverless_flask_kit.sessions import KeyStoreSessionInterface
from serverless_flask_kit.static_files import URL_PATH, init_static_files

from .config import settings_config
from .errors import register_error_pages
from .settings import load_settings
from .views import site


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app; `overrides` win over every other config layer."""
    # Before the app exists: Flask adds a handler of its own to a logger
    # whose records nothing would handle.
    settings = load_settings()
    configure_logging(settings.application_log_level)
    app = CacheSafeFlask(__name__, static_url_path=URL_PATH)
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(settings_config(settings))
    app.config.from_mapping(environment_config())
    app.config.from_mapping(overrides or {})
    KeyStoreSessionInterface(
        key_store_for(app),
        cache_seconds=app.config["SECRET_KEY_CACHE_SECONDS"],
        min_refresh=app.config["SECRET_KEY_MIN_REFRESH_SECONDS"],
    ).init_app(app)
    init_static_files(app)
    app.register_blueprint(site)
    register_error_pages(app)
    return app


def key_store_for(app: Flask) -> KeyStore:
    """S3 when a bucket is configured (deployed), else a local file."""
    bucket = app.config["SECRET_KEY_BUCKET"]
    if bucket:
        return S3KeyStore(bucket, app.config["SECRET_KEY_OBJECT"])
    path = app.config["SECRET_KEY_FILE"] or Path(app.instance_path) / "secret-key.json"
    return LocalFileKeyStore(Path(path))
