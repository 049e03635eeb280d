"""One JSON line per request on stdout, which Lambda sends to CloudWatch Logs.

Only what is needed to follow traffic: method, path (without the query
string), status, latency and request id. Never bodies, query strings, cookies
or authorization headers: they may carry secrets.
"""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO


def access_record(event: dict[str, Any], response: dict[str, Any], seconds: float) -> str:
    """The log line for one API Gateway (REST, v1) event and its response."""
    context = event.get("requestContext") or {}
    return json.dumps(
        {
            "type": "access",
            "method": event.get("httpMethod"),
            "path": event.get("path"),
            "status": response.get("statusCode"),
            "latency_ms": round(seconds * 1000, 2),
            "request_id": context.get("requestId"),
        },
        separators=(",", ":"),
    )


def write_access_record(line: str, stream: TextIO | None = None) -> None:
    (stream or sys.stdout).write(line + "\n")
