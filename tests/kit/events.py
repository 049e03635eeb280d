"""API Gateway REST API (payload v1) proxy events, as API Gateway sends them for
`ANY /{proxy+}` behind CloudFront: the fields the kit reads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

API_HOST = "abc123defg.execute-api.us-east-1.amazonaws.com"
EDGE_ADDRESS = "130.176.0.1"  # a CloudFront edge: the caller API Gateway sees
REQUEST_ID = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def rest_event(path: str, *, headers: Iterable[tuple[str, str]] = ()) -> dict[str, Any]:
    """A GET of `path`; a header name given several times keeps every value in
    `multiValueHeaders` and its last in `headers`, as API Gateway does."""
    multi: dict[str, list[str]] = {}
    for name, value in [("Host", API_HOST), ("X-Forwarded-Proto", "https"), *headers]:
        multi.setdefault(name, []).append(value)
    # API Gateway reads the API key from this header (its default key source).
    api_key = next(
        (values[-1] for name, values in multi.items() if name.lower() == "x-api-key"), None
    )
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": "GET",
        "headers": {name: values[-1] for name, values in multi.items()},
        "multiValueHeaders": multi,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
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
