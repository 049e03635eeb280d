"""API Gateway REST API (payload v1) proxy events, shaped as API Gateway sends
them for `ANY /{proxy+}` behind CloudFront, and the Lambda responses read back.

One builder for the handler tests and `make local`: the tests take its fixed
defaults (a request ID, a time, CloudFront's addresses); the local server
passes the real ones.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

API_HOST = "abc123defg.execute-api.us-east-1.amazonaws.com"
EDGE_ADDRESS = "130.176.0.1"  # a CloudFront edge: the caller API Gateway sees
REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
API_KEY_ID = "k1a2b3c4d5"
RECEIVED_AT = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)

Pairs = Mapping[str, str] | Iterable[tuple[str, str]]


def _pairs(values: Pairs | None) -> list[tuple[str, str]]:
    if values is None:
        return []
    return list(values.items()) if isinstance(values, Mapping) else list(values)


def _single_and_multi(pairs: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """API Gateway's two maps: the last value of each name, and all of them."""
    multi: dict[str, list[str]] = {}
    for name, value in pairs:
        multi.setdefault(name, []).append(value)
    return {name: values[-1] for name, values in multi.items()}, multi


def rest_event(
    path: str,
    *,
    method: str = "GET",
    headers: Pairs | None = None,
    query: Pairs | None = None,
    body: bytes | None = None,
    stage: str = "dev",
    source_ip: str = EDGE_ADDRESS,
    request_id: str = REQUEST_ID,
    received_at: datetime = RECEIVED_AT,
) -> dict[str, Any]:
    """An event as API Gateway sends it for `ANY /{proxy+}` behind CloudFront.

    `headers` replace the defaults of the same name (any letter case); a name
    given several times (as pairs) keeps every value, as API Gateway does.
    The body arrives base64-encoded: the API treats every media type as binary.
    """
    given = _pairs(headers)
    overridden = {name.lower() for name, _ in given}
    defaults = {
        "Host": API_HOST,
        "User-Agent": "Amazon CloudFront",
        "Via": "2.0 0123456789abcdef.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Id": "Nd7Q2uV_example_cf_id==",
        "X-Forwarded-For": f"203.0.113.7, {source_ip}",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    all_headers = [(n, v) for n, v in defaults.items() if n.lower() not in overridden] + given
    single_headers, multi_headers = _single_and_multi(all_headers)
    # API Gateway reads the API key from this header (its default key source).
    api_key = next((value for name, value in all_headers if name.lower() == "x-api-key"), None)
    query_pairs = _pairs(query)
    single_query, multi_query = _single_and_multi(query_pairs)
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": single_headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": single_query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": path.lstrip("/")} if path != "/" else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "extendedRequestId": "Bx1eXFexample=",
            "requestTime": received_at.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "path": f"/{stage}{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": API_HOST.split(".")[0],
            "requestTimeEpoch": int(received_at.timestamp() * 1000),
            "requestId": request_id,
            "identity": {
                "sourceIp": source_ip,
                "userAgent": single_headers.get("User-Agent"),
                # With a key required, API Gateway names the key the request gave.
                **({"apiKey": api_key, "apiKeyId": API_KEY_ID} if api_key else {}),
            },
            "domainName": API_HOST,
            "apiId": API_HOST.split(".")[0],
        },
        "body": base64.b64encode(body).decode() if body else None,
        "isBase64Encoded": bool(body),
    }


def response_headers(response: Mapping[str, Any]) -> dict[str, list[str]]:
    """The response's headers, names lower-cased, from either header map."""
    merged: dict[str, list[str]] = {}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        merged.setdefault(name.lower(), []).extend(values)
    for name, value in (response.get("headers") or {}).items():
        merged.setdefault(name.lower(), []).append(value)
    return merged


def response_body(response: Mapping[str, Any]) -> bytes:
    body = response.get("body") or ""
    return base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()
