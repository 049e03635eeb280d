"""Events the Lambda adapter cannot turn into a request, answered with 400.

API Gateway always sends well-formed events; anything else (a test invocation, a
hand-written event) could make the adapter raise, which Lambda counts as a function
error and the Errors alarm fires on.
"""

from __future__ import annotations

import logging
from base64 import b64decode
from typing import Any
from urllib.parse import unquote

log = logging.getLogger(__name__)

# Header and query-string maps: name -> value, or name -> [values] when multi-valued.
_MAPS = {
    "headers": False,
    "multiValueHeaders": True,
    "queryStringParameters": False,
    "multiValueQueryStringParameters": True,
}


def bad_request(problem: str) -> dict[str, Any]:
    """The 400 response for an event with `problem`, logged as one line."""
    log.warning("malformed API Gateway event: %s", problem)
    return {
        "statusCode": 400,
        "headers": {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"},
        "body": "Bad Request\n",
        "isBase64Encoded": False,
    }


def problem_with(event: Any) -> str | None:
    """What makes `event` unusable as an API Gateway (REST, v1) proxy event, or None."""
    if not isinstance(event, dict):
        return "not a JSON object"
    if event.get("version", "1.0") not in ("1.0", "2.0"):
        return "unknown payload version"
    for name in ("httpMethod", "path"):
        if not _is_text(event.get(name)):
            return f"{name} is missing or not text"
    try:
        unquote(event["path"], encoding="iso-8859-1").encode("iso-8859-1")
    except UnicodeEncodeError:
        return "path has characters that no URL path can hold"
    for name, multi in _MAPS.items():
        if not _is_text_map(event.get(name), multi):
            return f"{name} is not a map of text"
    body = event.get("body")
    if body is not None:
        if not _is_text(body):
            return "body is not text"
        if event.get("isBase64Encoded"):
            try:
                b64decode(body)
            except ValueError:
                return "body is not valid base64"
    return None


def _is_text(value: Any) -> bool:
    """A str that can be encoded (no lone surrogates)."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_text_map(value: Any, multi: bool) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict):
        return False
    for name, item in value.items():
        items = item if multi else [item]
        if not _is_text(name) or not isinstance(items, list):
            return False
        if not all(_is_text(one) for one in items):
            return False
    return True
