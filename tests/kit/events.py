"""API Gateway REST API (payload v1) proxy events, as API Gateway sends them for
`ANY /{proxy+}` behind CloudFront: the fields the kit reads; and the Lambda
responses read back."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

API_HOST = "abc123defg.execute-api.us-east-1.amazonaws.com"
EDGE_ADDRESS = "130.176.0.1"  # a CloudFront edge: the caller API Gateway sees
REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"

Pairs = Mapping[str, str] | Iterable[tuple[str, str]]


def _single_and_multi(pairs: Pairs) -> tuple[dict[str, str], dict[str, list[str]]]:
    """API Gateway's two maps: the last value of each name, and all of them."""
    multi: dict[str, list[str]] = {}
    for name, value in pairs.items() if isinstance(pairs, Mapping) else pairs:
        multi.setdefault(name, []).append(value)
    return {name: values[-1] for name, values in multi.items()}, multi


def rest_event(path: str, *, headers: Pairs = (), query: Pairs = ()) -> dict[str, Any]:
    """A GET of `path`; a header or query name given several times (as pairs) keeps
    every value in the multi-value map and its last in the single one, as API Gateway does."""
    given = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    single, multi = _single_and_multi([("Host", API_HOST), ("X-Forwarded-Proto", "https"), *given])
    single_query, multi_query = _single_and_multi(query)
    # API Gateway reads the API key from this header (its default key source).
    api_key = next(
        (values[-1] for name, values in multi.items() if name.lower() == "x-api-key"), None
    )
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": "GET",
        "headers": single,
        "multiValueHeaders": multi,
        "queryStringParameters": single_query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": path.lstrip("/")} if path != "/" else None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": "GET",
            "path": f"/dev{path}",
            "stage": "dev",
            "requestId": REQUEST_ID,
            "identity": {"sourceIp": EDGE_ADDRESS, **({"apiKey": api_key} if api_key else {})},
            "domainName": API_HOST,
        },
        "body": None,
        "isBase64Encoded": False,
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
