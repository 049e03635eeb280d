"""A Flask app with the kit's machinery, for a site's application factory to add its
own views to: logging, the config layers, sessions (and `app.secret_key`) signed with
the key store's keys, and links to the fingerprinted static files."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from .caching import CacheSafeFlask
from .config import DEFAULTS, environment_config
from .log_setup import configure_logging
from .secret_key import KeyStore, LocalFileKeyStore, S3KeyStore
from .sessions import KeyStoreSessionInterface
from .static_files import URL_PATH, init_static_files


def create_site(
    import_name: str,
    *,
    settings: Mapping[str, Any],
    overrides: Mapping[str, Any] | None = None,
    log_level: str = "INFO",
) -> Flask:
    """The app for the package `import_name`, its config in layers, each overriding the
    one before: DEFAULTS, the site's `settings`, the stack's JSON_CONFIG_OVERRIDE, then
    `overrides`. Logs at `log_level`, as deployed."""
    # Before the app exists: Flask adds a handler of its own to a logger
    # whose records nothing would handle.
    configure_logging(log_level)
    app = CacheSafeFlask(import_name, static_url_path=URL_PATH)
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(settings)
    app.config.from_mapping(environment_config())
    app.config.from_mapping(overrides or {})
    KeyStoreSessionInterface(
        key_store_for(app),
        cache_seconds=app.config["SECRET_KEY_CACHE_SECONDS"],
        min_refresh=app.config["SECRET_KEY_MIN_REFRESH_SECONDS"],
    ).init_app(app)
    init_static_files(app)
    return app


def key_store_for(app: Flask) -> KeyStore:
    """S3 when a bucket is configured (deployed), else a local file."""
    bucket = app.config["SECRET_KEY_BUCKET"]
    if bucket:
        return S3KeyStore(bucket, app.config["SECRET_KEY_OBJECT"])
    path = app.config["SECRET_KEY_FILE"] or Path(app.instance_path) / "secret-key.json"
    return LocalFileKeyStore(Path(path))
