"""Real-shaped API Gateway REST API (payload v1) proxy events for handler tests."""

from __future__ import annotations

import base64
from typing import Any

API_HOST = "abc123defg.execute-api.us-east-1.amazonaws.com"


def rest_event(
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: bytes | None = None,
    stage: str = "dev",
) -> dict[str, Any]:
    """An event as API Gateway sends it for `ANY /{proxy+}` behind CloudFront."""
    all_headers = {
        "Host": API_HOST,
        "User-Agent": "Amazon CloudFront",
        "Via": "2.0 0123456789abcdef.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Id": "Nd7Q2uV_example_cf_id==",
        "X-Forwarded-For": "203.0.113.7, 130.176.0.1",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **(headers or {}),
    }
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {name: [value] for name, value in all_headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": (
            {name: [value] for name, value in query.items()} if query else None
        ),
        "pathParameters": {"proxy": path.lstrip("/")} if path != "/" else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "extendedRequestId": "Bx1eXFexample=",
            "requestTime": "27/Nov/2026:10:00:00 +0000",
            "path": f"/{stage}{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": API_HOST.split(".")[0],
            "requestTimeEpoch": 1795000000000,
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "130.176.0.1", "userAgent": "Amazon CloudFront"},
            "domainName": API_HOST,
            "apiId": API_HOST.split(".")[0],
        },
        "body": base64.b64encode(body).decode() if body else None,
        "isBase64Encoded": bool(body),
    }


def response_headers(response: dict[str, Any]) -> dict[str, list[str]]:
    """The response's headers, names lower-cased, from either header map."""
    merged: dict[str, list[str]] = {}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        merged.setdefault(name.lower(), []).extend(values)
    for name, value in (response.get("headers") or {}).items():
        merged.setdefault(name.lower(), []).append(value)
    return merged


def response_body(response: dict[str, Any]) -> bytes:
    body = response.get("body") or ""
    return base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
