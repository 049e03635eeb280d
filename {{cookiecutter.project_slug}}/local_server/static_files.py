"""`/static/*` as CloudFront's S3 behaviour serves it: the fingerprinted files the
stack deploys, each with the headers the deployment gives it (build_tools/static_assets.py),
and S3's 403 for any other name (the bucket grants no ListBucket)."""

from __future__ import annotations

import hashlib
from email.utils import formatdate
from pathlib import Path

from werkzeug.security import safe_join

from build_tools import static_assets
from build_tools.tools import PROJECT_ROOT

from .web import Response

STATIC_PREFIX = static_assets.URL_PATH + "/"
IMMUTABLE = static_assets.CACHE_CONTROL
ACCESS_DENIED = b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code></Error>'
BUILT = PROJECT_ROOT / "build" / "local" / "static"


def static_folder(package: str) -> Path:
    """The deployable static files, built now from the working tree (as synth does)."""
    return static_assets.build(static_assets.source_dir(PROJECT_ROOT / package), BUILT).directory


def static_file(folder: Path, uri: str) -> Response:
    """The object for `uri` (under /static/) from `folder`, or S3's 403."""
    found = safe_join(str(folder), uri.removeprefix(STATIC_PREFIX))
    if found is None or not Path(found).is_file():
        return Response(403, [("Content-Type", "application/xml")], ACCESS_DENIED)
    path = Path(found)
    body = path.read_bytes()
    return Response(
        200,
        [
            *static_assets.headers(path.name).items(),
            ("ETag", f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'),
            ("Last-Modified", formatdate(path.stat().st_mtime, usegmt=True)),
        ],
        body,
    )
