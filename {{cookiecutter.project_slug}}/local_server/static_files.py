"""`/static/*` as CloudFront's S3 behaviour serves it: the file, with the
Cache-Control every fingerprinted static file gets, and S3's own headers.

`static_folder` is the one place that says where they come from locally:
today the app's own `static/` folder, unfingerprinted.
"""

from __future__ import annotations

import hashlib
import mimetypes
from email.utils import formatdate
from pathlib import Path

from werkzeug.security import safe_join

from build_tools.tools import PROJECT_ROOT

from .web import Response

STATIC_PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
NO_SUCH_KEY = b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code></Error>'


def static_folder(package: str) -> Path:
    """Where `/static/*` is served from."""
    return PROJECT_ROOT / package / "static"


def static_file(folder: Path, uri: str) -> Response:
    """The object for `uri` (under /static/) from `folder`, or S3's 404."""
    found = safe_join(str(folder), uri.removeprefix(STATIC_PREFIX))
    if found is None or not Path(found).is_file():
        return Response(404, [("Content-Type", "application/xml")], NO_SUCH_KEY)
    path = Path(found)
    body = path.read_bytes()
    content_type = mimetypes.guess_type(path.name)[0] or "binary/octet-stream"  # S3's default
    return Response(
        200,
        [
            ("Content-Type", content_type),
            ("Cache-Control", IMMUTABLE),
            ("ETag", f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'),
            ("Last-Modified", formatdate(path.stat().st_mtime, usegmt=True)),
        ],
        body,
    )
