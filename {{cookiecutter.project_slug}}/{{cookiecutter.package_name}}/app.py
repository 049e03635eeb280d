"""The application factory: the kit's site, with this project's settings, views and
error pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask
from serverless_flask_kit.site import create_site

from .config import settings_config
from .errors import register_error_pages
from .settings import load_settings
from .views import site


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app; `overrides` win over every other config layer."""
    settings = load_settings()
    app = create_site(
        __name__,
        settings=settings_config(settings),
        overrides=overrides,
        log_level=settings.application_log_level,
    )
    app.register_blueprint(site)
    register_error_pages(app)
    return app
