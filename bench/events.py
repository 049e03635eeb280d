"""The API Gateway REST (payload v1) event every contender serves, and its WSGI environ.

The event is what API Gateway sends for `ANY /{proxy+}` when CloudFront is in
front: CloudFront's headers, the visitor's host in X-Forwarded-Host, and the
origin secret the deployed stack configures.
"""

from __future__ import annotations

import io
import sys
from typing import Any

API_HOST = "abc123defg.execute-api.us-east-1.amazonaws.com"
PUBLIC_HOST = "www.example.com"
ORIGIN_SECRET = "bench-origin-secret-0123456789abcdef"
STAGE = "dev"
PATHS = ("/", "/api/time", "/session")


def rest_event(path: str) -> dict[str, Any]:
    """A GET of `path` as API Gateway hands it to the Lambda function."""
    headers = {
        "Accept": "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8",
        "Accept-Encoding": "gzip, br",
        "Accept-Language": "en-GB,en;q=0.9",
        "CloudFront-Forwarded-Proto": "https",
        "CloudFront-Is-Desktop-Viewer": "true",
        "CloudFront-Viewer-Country": "GB",
        "Host": API_HOST,
        "User-Agent": "Amazon CloudFront",
        "Via": "2.0 0123456789abcdef0123456789abcdef.cloudfront.net (CloudFront)",
        "X-Amz-Cf-Id": "Nd7Q2uVbEnchMarkExampleCfId0123456789abcdefABCDEF==",
        "X-Amzn-Trace-Id": "Root=1-67a1b2c3-0123456789abcdef01234567",
        "X-Forwarded-For": "203.0.113.7, 130.176.0.1",
        "X-Forwarded-Host": PUBLIC_HOST,
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        "X-Origin-Verify": ORIGIN_SECRET,
    }
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")} if path != "/" else None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "a1b2c3",
            "resourcePath": "/{proxy+}",
            "httpMethod": "GET",
            "extendedRequestId": "Bx1eXFbenchmark=",
            "requestTime": "27/Nov/2026:10:00:00 +0000",
            "path": f"/{STAGE}{path}",
            "accountId": "123456789012",
            "protocol": "HTTP/1.1",
            "stage": STAGE,
            "domainPrefix": API_HOST.split(".")[0],
            "requestTimeEpoch": 1795000000000,
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "identity": {"sourceIp": "130.176.0.1", "userAgent": "Amazon CloudFront"},
            "domainName": API_HOST,
            "apiId": API_HOST.split(".")[0],
        },
        "body": None,
        "isBase64Encoded": False,
    }


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
