"""API Gateway (REST, stage `/<stage>`, every method behind an API key), locally.

As deployed, a request without the API key CloudFront sends is refused with
403 before the function runs; others become a REST (v1) proxy event (the
builder the handler tests use), with API Gateway's own headers, and the
function's response goes back as API Gateway returns it. A function error is
API Gateway's 502.

The local server also serves this on a port of its own, the local `ApiUrl`,
where a direct request is refused the same way.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from hmac import compare_digest
from urllib.parse import parse_qsl

from serverless_flask_kit.events import API_HOST, response_body, response_headers, rest_event

from .function import FunctionError, LambdaFunction
from .web import Request, Response

JSON = ("Content-Type", "application/json")
FORBIDDEN = ('{"message":"Forbidden"}', "ForbiddenException")
INTERNAL_ERROR = ('{"message": "Internal server error"}', "InternalServerErrorException")
# API Gateway sets these for the function from the connection it received.
OWN_HEADERS = frozenset({"host", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-port"})


def error(status: int, kind: tuple[str, str], request_id: str) -> Response:
    body, error_type = kind
    headers = [JSON, ("x-amzn-ErrorType", error_type), ("x-amzn-RequestId", request_id)]
    return Response(status, headers, body.encode(), {"refused": error_type})


class ApiGateway:
    def __init__(
        self,
        function: LambdaFunction,
        stage: str,
        api_key: str,
        key_header: str,
        scheme: str,
        port: int,
    ) -> None:
        self.function = function
        self.stage = stage
        self._api_key = api_key.encode()
        self._key_header = key_header
        # Deployed, the scheme and port are the API's own (https, 443), as the
        # visitor's are: CloudFront redirects http. Locally the visitor uses
        # plain http on the local port, so links and redirects say so.
        self.scheme = scheme
        self.port = port

    def __call__(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        given = (request.header(self._key_header) or "").encode("utf-8", "replace")
        prefix = f"/{self.stage}"
        if not compare_digest(given, self._api_key):
            return error(403, FORBIDDEN, request_id)
        if request.path != prefix and not request.path.startswith(prefix + "/"):
            return error(403, FORBIDDEN, request_id)
        forwarded_for = ", ".join(
            filter(None, [request.header("x-forwarded-for"), request.client_ip])
        )
        headers = [
            (name, value) for name, value in request.headers if name.lower() not in OWN_HEADERS
        ]
        headers += [
            ("Host", API_HOST),
            ("X-Forwarded-For", forwarded_for),
            ("X-Forwarded-Proto", self.scheme),
            ("X-Forwarded-Port", str(self.port)),
        ]
        event = rest_event(
            request.path.removeprefix(prefix) or "/",
            method=request.method,
            headers=headers,
            query=parse_qsl(request.query, keep_blank_values=True),
            body=request.body or None,
            stage=self.stage,
            source_ip=request.client_ip,
            request_id=request_id,
            received_at=datetime.now(UTC),
        )
        started = time.perf_counter()
        try:
            result, function_ms = self.function.invoke(event)
        except FunctionError as failure:
            print(f"function error ({request_id}): {failure}", flush=True)
            return error(502, INTERNAL_ERROR, request_id)
        headers = [
            (name, value) for name, values in response_headers(result).items() for value in values
        ]
        headers.append(("x-amzn-RequestId", request_id))
        notes = {
            "function_ms": f"{function_ms:.0f}",
            "api_ms": f"{(time.perf_counter() - started) * 1000:.0f}",
        }
        return Response(int(result["statusCode"]), headers, response_body(result), notes)
