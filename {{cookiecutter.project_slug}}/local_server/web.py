"""A small HTTP server on 127.0.0.1 around a function from Request to Response."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Set by the server from the body it sends, never copied from a response.
HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


@dataclass
class Request:
    method: str
    path: str
    query: str  # as received, without "?"
    headers: list[tuple[str, str]]
    body: bytes
    client_ip: str

    def header(self, name: str) -> str | None:
        """The last value of a header (any letter case), or None."""
        values = [value for key, value in self.headers if key.lower() == name.lower()]
        return values[-1] if values else None


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    notes: dict[str, str] = field(default_factory=dict)  # for the console, not the client

    def replace_header(self, name: str, value: str) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        self.headers.append((name, value))


App = Callable[[Request], Response]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "make-local"
    server: _Server

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            self.command, path, query, list(self.headers.items()), body, self.client_address[0]
        )
        try:
            response = self.server.app(request)
        except Exception:
            traceback.print_exc()
            response = Response(502, [("Content-Type", "text/plain")], b"local server error\n")
        self.send_response(response.status)
        for name, value in response.headers:
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

    def log_message(self, format: str, *args: object) -> None:
        """Silent: each app prints its own line per request."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, app: App) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.app = app


def start_server(app: App, port: int) -> ThreadingHTTPServer:
    """Serve `app` on 127.0.0.1:`port` from a background thread."""
    server = _Server(port, app)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
