"""The API Gateway REST (payload v1) event every contender serves, and its WSGI environ.

The event is what API Gateway sends for `ANY /{proxy+}` when CloudFront is in
front: CloudFront's headers, the visitor's host in X-Forwarded-Host, and the
origin secret the deployed stack configures.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[1] / "{{cookiecutter.project_slug}}"
PROJECT_EVENTS = PROJECT_DIR / "kit" / "src" / "serverless_flask_kit" / "events.py"
PUBLIC_HOST = "www.example.com"
ORIGIN_SECRET = "bench-origin-secret-0123456789abcdef"
# As deployed, the function accepts two values (origin_secret.py's slots).
STANDBY_ORIGIN_SECRET = "bench-standby-secret-0123456789abcdef"
STAGE = "dev"
PATHS = ("/", "/api/time", "/session")


def rest_event(path: str) -> dict[str, Any]:
    """A GET of `path` as API Gateway hands it to the Lambda function (the shape
    the generated project's own tests use), with a browser's headers."""
    headers = {
        "Accept": "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8",
        "Accept-Encoding": "gzip, br",
        "Accept-Language": "en-GB,en;q=0.9",
        "CloudFront-Forwarded-Proto": "https",
        "CloudFront-Is-Desktop-Viewer": "true",
        "CloudFront-Viewer-Country": "GB",
        "X-Amzn-Trace-Id": "Root=1-67a1b2c3-0123456789abcdef01234567",
        "X-Forwarded-Host": PUBLIC_HOST,
        "X-Origin-Verify": ORIGIN_SECRET,
    }
    return project_events().rest_event(path, headers=headers, stage=STAGE)


def project_events() -> ModuleType:
    """The kit's event builder, kit/src/serverless_flask_kit/events.py (plain Python).

    Run from its source, not imported: an import would write a __pycache__
    into the project template, and every later bake would copy it.
    """
    module = ModuleType("project_events")
    module.__file__ = str(PROJECT_EVENTS)
    source = PROJECT_EVENTS.read_text(encoding="utf-8")
    exec(compile(source, PROJECT_EVENTS, "exec"), vars(module))
    return module


def wsgi_environ(event: dict[str, Any]) -> dict[str, Any]:
    """The WSGI environ for `event`, prepared once for calling `app.wsgi_app` directly.

    `wsgi.input` is empty; give each call its own copy of the environ.
    """
    environ: dict[str, Any] = {
        "REQUEST_METHOD": event["httpMethod"],
        "SCRIPT_NAME": "",
        "PATH_INFO": event["path"],
        "QUERY_STRING": "",
        "SERVER_NAME": event["headers"]["Host"],
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": event["requestContext"]["identity"]["sourceIp"],
        "CONTENT_LENGTH": "0",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in event["headers"].items():
        key = name.upper().replace("-", "_")
        if key != "CONTENT_TYPE":
            key = "HTTP_" + key
        environ[key] = value
    return environ
