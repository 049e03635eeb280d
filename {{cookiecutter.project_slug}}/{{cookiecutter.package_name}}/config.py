"""Flask configuration, in layers: each layer overrides the one before.

1. `DEFAULTS` below: safe values for local development.
2. The generated settings (`settings.json`).
3. A JSON object in the `JSON_CONFIG_OVERRIDE` environment variable (the
   deployed stack uses it to pass the secret-key bucket and stage).
4. Explicit overrides passed to `create_app()` (tests use these).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from .settings import Settings

OVERRIDE_VARIABLE = "JSON_CONFIG_OVERRIDE"

DEFAULTS: dict[str, Any] = {
    # Where the session secret key lives. With no bucket the key is a file in
    # Flask's instance folder (git-ignored), so local runs need no AWS.
    "SECRET_KEY_BUCKET": None,
    "SECRET_KEY_OBJECT": "flask-secret-key.json",
    "SECRET_KEY_FILE": None,  # None: <instance folder>/secret-key.json
    # Warm instances re-read the key this often, so rotations reach them.
    "SECRET_KEY_CACHE_SECONDS": 300,
    # A cookie signed with an unknown key re-reads it at most this often.
    "SECRET_KEY_MIN_REFRESH_SECONDS": 10,
    # What CloudFront may send in X-Origin-Verify: a value or a list of them
    # (the deployed stack gives both slots); None (local) admits anyone.
    "ORIGIN_SECRET": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # True when deployed (HTTPS only)
    # The fingerprinted names of the static files (static_files.py); None:
    # the manifest the build put in the bundle, if any.
    "STATIC_MANIFEST_FILE": None,
    # The header badge; the deployed stack sets the stage it serves.
    "STAGE": "local",
}


def settings_config(settings: Settings) -> dict[str, Any]:
    """The Flask config keys that come from the generated settings."""
    return {
        "PROJECT_NAME": settings.project_name,
        "CACHE_DEFAULT_TTL": settings.cache_default_ttl_seconds,
        # Static files get the same public max-age as cacheable pages.
        "SEND_FILE_MAX_AGE_DEFAULT": settings.cache_default_ttl_seconds,
    }


def environment_config(environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """The JSON object in `JSON_CONFIG_OVERRIDE`, or {} when it is unset."""
    raw = environ.get(OVERRIDE_VARIABLE, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"{OVERRIDE_VARIABLE} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise ValueError(f"{OVERRIDE_VARIABLE} must be a JSON object, got {type(value).__name__}")
    return value
