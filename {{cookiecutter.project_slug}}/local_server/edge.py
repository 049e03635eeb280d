"""CloudFront, locally: the behaviour for the path, its viewer-request
function, the origin request, and what the cache would do with the answer.

Per request, as the distribution does: the viewer function (node) runs on
the viewer's request and may answer it; what it lets through goes to the
origin with every viewer header but Host, every cookie and the query string
(the managed AllViewerExceptHostHeader policy), X-Forwarded-For extended with
the viewer's address, and the origin secret headers from the template. The
response gets the behaviour's response headers policy and the cache verdict
under its cache policy (`X-Local-CDN`). Nothing is stored: every request
reaches the origin, so changes show at once; the verdict says what
CloudFront would keep.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .api_gateway import ApiGateway
from .cdn_rules import Verdict, verdict
from .deployment import Deployment
from .static_files import STATIC_PREFIX, static_file
from .viewer_function import ViewerFunction, join_query, pairs_of, split_query, viewer_event
from .web import Request, Response

VERDICT_HEADER = "X-Local-CDN"
LOCAL_DISTRIBUTION = "local.cloudfront.net"
EDGE_ADDRESS = "127.0.0.1"  # CloudFront's address, as API Gateway sees it


def function_response(answer: Mapping[str, Any]) -> Response:
    """A response the viewer function returned instead of the request."""
    body = answer.get("body") or ""
    if isinstance(body, dict):  # {"data": ..., "encoding": "text"}
        body = body.get("data", "")
    headers = pairs_of(answer.get("headers") or {})
    return Response(int(answer["statusCode"]), headers, str(body).encode())


class Edge:
    def __init__(
        self,
        deployment: Deployment,
        viewer_function: ViewerFunction,
        api: ApiGateway,
        static_folder: Path,
        origin_headers: Mapping[str, str],
    ) -> None:
        self.deployment = deployment
        self.viewer_function = viewer_function
        self.api = api
        self.static_folder = static_folder
        self.origin_headers = dict(origin_headers)

    def __call__(self, request: Request) -> Response:
        started = time.perf_counter()
        behaviour = self.deployment.behaviour_for(request.path)
        response = self._fetch(request, run_function=behaviour.runs_viewer_function)
        if "answered_by" in response.notes:
            kept = Verdict(0, "answered by the viewer function")
        else:
            headers = {}
            for name, value in response.headers:
                headers.setdefault(name.lower(), []).append(value)
            kept = verdict(
                behaviour.cache_policy,
                request.method,
                response.status,
                headers,
                self.deployment.error_caching,
            )
        for name, value in behaviour.response_headers:
            response.replace_header(name, value)
        response.replace_header(VERDICT_HEADER, str(kept))
        response.notes["verdict"] = f"{kept} ({kept.reason})" if kept.cacheable else str(kept)
        response.notes["ms"] = f"{(time.perf_counter() - started) * 1000:.0f}"
        return response

    def _fetch(self, request: Request, run_function: bool) -> Response:
        method, uri, query, headers = request.method, request.path, request.query, request.headers
        if run_function:
            event = viewer_event(
                method,
                uri,
                query,
                headers,
                request.client_ip,
                str(uuid.uuid4()),
                LOCAL_DISTRIBUTION,
            )
            result = self.viewer_function.run(event, query)
            if "response" in result:
                response = function_response(result["response"])
                response.notes["answered_by"] = "viewer function"
                return response
            changed = result["request"]
            method, uri = changed["method"], changed["uri"]
            query_pairs = pairs_of(changed.get("querystring") or {})
            query = query if query_pairs == split_query(query) else join_query(query_pairs)
            headers = pairs_of(changed.get("headers") or {})
            cookies = pairs_of(changed.get("cookies") or {})
            if cookies:
                headers.append(("cookie", "; ".join(f"{n}={v}" for n, v in cookies)))
        if uri.startswith(STATIC_PREFIX):
            return static_file(self.static_folder, uri)
        return self.api(self._origin_request(request, method, uri, query, headers))

    def _origin_request(
        self, viewer: Request, method: str, uri: str, query: str, headers: list[tuple[str, str]]
    ) -> Request:
        replaced = {"host", "x-forwarded-for", *(name.lower() for name in self.origin_headers)}
        forwarded_for = ", ".join(
            filter(None, [viewer.header("x-forwarded-for"), viewer.client_ip])
        )
        sent = [(name, value) for name, value in headers if name.lower() not in replaced]
        sent += [
            ("X-Forwarded-For", forwarded_for),
            ("Via", f"2.0 {LOCAL_DISTRIBUTION} (CloudFront)"),
            ("X-Amz-Cf-Id", uuid.uuid4().hex),
            *self.origin_headers.items(),
        ]
        path = f"/{self.deployment.stage}{uri}"
        return Request(method, path, query, sent, viewer.body, EDGE_ADDRESS)
