"""Flask configuration in layers, each overriding the one before: `DEFAULTS` (local
development), the project's settings, the JSON object in `JSON_CONFIG_OVERRIDE` (set by
the deployed stack), then the overrides passed to the app factory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

OVERRIDE_VARIABLE = "JSON_CONFIG_OVERRIDE"

DEFAULTS: dict[str, Any] = {
    # No bucket: the key is a file in the (git-ignored) instance folder.
    "SECRET_KEY_BUCKET": None,
    "SECRET_KEY_OBJECT": "flask-secret-key.json",
    "SECRET_KEY_FILE": None,  # None: <instance folder>/secret-key.json
    "SECRET_KEY_CACHE_SECONDS": 300,  # how soon a rotation reaches warm instances
    "SECRET_KEY_MIN_REFRESH_SECONDS": 10,  # re-reads for cookies signed with unknown keys
    # The X-Origin-Verify value(s) CloudFront sends. None: `make dev` and the tests need
    # none; the Lambda handler then refuses every request (lambda_handler.py).
    "ORIGIN_SECRET": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # True when deployed (HTTPS only)
    # The fingerprinted names of the static files (static_files.py); None:
    # the manifest the build put in the bundle, if any.
    "STATIC_MANIFEST_FILE": None,
    "STAGE": "local",
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
