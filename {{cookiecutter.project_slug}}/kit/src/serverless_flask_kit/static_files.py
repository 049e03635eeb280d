"""Fingerprinted static file names: what `url_for("static", ...)` links to.

Deployed, the files under `static/` are served by CloudFront from S3, each
under a name that carries a hash of its content (`style.<hash>.css`), cached
for a year. The Lambda bundle has no static files, only a manifest, written at
build time (build_tools/static_assets.py), mapping each file to its hashed
name; `url_for("static", filename="style.css")` returns the hashed URL from it.
A changed file gets a new name, so the next page links to it: no CloudFront
invalidation, and no visitor keeps a stale copy.

Without a manifest (`make dev`, the tests) the app links to the plain names and
Flask serves the working tree's files, so an edit shows on the next reload.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

# The URL path of the static files, here and on CloudFront (its /static/* behaviour).
URL_PATH = "/static"
# In the bundle, in the app's package (its root path); absent from the working tree.
MANIFEST_NAME = "static-manifest.json"


def load_manifest(path: Path) -> dict[str, str]:
    """{file name under static/: its fingerprinted name}, from a manifest file."""
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(manifest, dict) or not all(
        isinstance(key, str) and isinstance(value, str) for key, value in manifest.items()
    ):
        raise ValueError(f"{path}: not a static file manifest")
    return manifest


def use_fingerprinted_names(app: Flask, manifest: Mapping[str, str]) -> None:
    """Make `url_for("static", filename=name)` link to `manifest[name]`.

    A name missing from the manifest keeps its plain URL (and is missing on S3:
    a file added after the build needs a new build)."""

    def fingerprinted(endpoint: str | None, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values:
            name = values["filename"]
            values["filename"] = manifest.get(name, name)

    app.url_defaults(fingerprinted)


def manifest_path(app: Flask) -> Path:
    """Where the app looks for its manifest: STATIC_MANIFEST_FILE, else in its package."""
    configured = app.config.get("STATIC_MANIFEST_FILE")
    return Path(configured) if configured else Path(app.root_path, MANIFEST_NAME)


def init_static_files(app: Flask) -> None:
    path = manifest_path(app)
    if path.is_file():
        use_fingerprinted_names(app, load_manifest(path))
