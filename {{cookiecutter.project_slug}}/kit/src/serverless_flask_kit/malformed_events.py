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
    """What makes `event` unusable as an API Gateway proxy event (REST and HTTP API
    payload 1.0, or HTTP API 2.0, as apig-wsgi reads them), or None."""
    if not isinstance(event, dict):
        return "not a JSON object"
    version = event.get("version", "1.0")
    if version == "1.0":
        problem = _v1_problem(event)
    elif version == "2.0":
        problem = _v2_problem(event)
    else:
        return 'unknown payload version: "1.0" (or none) and "2.0" are read'
    return problem or context_problem(event) or _body_problem(event)


def context_problem(event: dict[str, Any]) -> str | None:
    """What makes the event's requestContext unreadable, or None: cloudfront_origin.py
    takes the API key out of it, so it refuses the event too."""
    context = event.get("requestContext")
    if context is None:
        return None
    if not isinstance(context, dict):
        return "requestContext is not an object"
    identity = context.get("identity")
    if identity is not None and not isinstance(identity, dict):
        return "requestContext.identity is not an object"
    return None


def _v1_problem(event: dict[str, Any]) -> str | None:
    for name in ("httpMethod", "path"):
        if not _is_text(event.get(name)):
            return f"{name} is missing or not text"
    for name, multi in _MAPS.items():
        problem = _map_problem(name, event.get(name), multi)
        if problem:
            return problem
    return _path_problem("path", event["path"])


def _v2_problem(event: dict[str, Any]) -> str | None:
    for name in ("rawPath", "rawQueryString"):
        if not _is_text(event.get(name)):
            return f"{name} is missing or not text (a version 2.0 event)"
    headers = event.get("headers")
    if not isinstance(headers, dict):
        return "headers is missing or not an object (a version 2.0 event)"
    problem = _map_problem("headers", headers, multi=False)
    if problem:
        return problem
    cookies = event.get("cookies", [])
    if not isinstance(cookies, list) or not all(_is_text(cookie) for cookie in cookies):
        return "cookies is not a list of text"
    context = event.get("requestContext")
    http = context.get("http") if isinstance(context, dict) else None
    if not isinstance(http, dict):
        return "requestContext.http is missing or not an object (a version 2.0 event)"
    for name in ("method", "protocol", "sourceIp"):
        if not _is_text(http.get(name)):
            return f"requestContext.http.{name} is missing or not text"
    return _path_problem("rawPath", event["rawPath"])


def _path_problem(name: str, path: str) -> str | None:
    try:
        unquote(path, encoding="iso-8859-1").encode("iso-8859-1")
    except UnicodeEncodeError:
        return f"{name} has characters that no URL path can hold"
    return None


def _body_problem(event: dict[str, Any]) -> str | None:
    body = event.get("body")
    if body is None:
        return None
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


def _map_problem(name: str, value: Any, multi: bool) -> str | None:
    """What is wrong with a header or query map, or None (also for no map at all)."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return f"{name} is not an object"
    for key, item in value.items():
        if not _is_text(key):
            return f"{name} has a name that is not text"
        items = item if multi else [item]
        if not isinstance(items, list):
            return f"{name}[{key!r}] is not a list"
        if not items:  # never from API Gateway; apig-wsgi reads some headers' last value
            return f"{name}[{key!r}] has no values"
        if not all(_is_text(one) for one in items):
            return f"{name}[{key!r}] is not text"
    return None
