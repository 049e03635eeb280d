"""`make local` (local_server/): its parts offline, then the whole of it over HTTP.

The end-to-end test builds the real bundle (wheels from the package index), so
it is marked `network`: `pytest -m network tests/infra/test_local_server.py`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from email.message import Message
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cdk.assertions import Template
from serverless_flask_kit.config import OVERRIDE_VARIABLE
from serverless_flask_kit.events import API_HOST

from {{ cookiecutter.package_name }}.settings import Settings

from infra.cdn import API_KEY_HEADER, VIEWER_REQUEST_FILE
from infra.function import HANDLER
from local_server.api_gateway import ApiGateway
from local_server.cdn_rules import verdict
from local_server.deployment import Deployment
from local_server.edge import Edge
from local_server.function import FunctionError, LambdaFunction
from local_server.moto_server import LocalAws
from local_server.static_files import IMMUTABLE, static_file
from local_server.viewer_function import (
    ViewerFunction,
    ViewerFunctionError,
    join_query,
    pairs_of,
    split_query,
    viewer_event,
)
from local_server.web import Request

from ..pages import visits_on
from .stack_helpers import BUCKET

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NODE = shutil.which("node")
MAKE = shutil.which("make")
needs_node = pytest.mark.skipif(NODE is None, reason="node is not installed")


# The viewer-request function under node


def test_query_strings_keep_their_order_repeats_and_encoding() -> None:
    raw = "tag=a&tag=b%2Cc&empty=&flag"
    pairs = split_query(raw)
    assert pairs == [("tag", "a"), ("tag", "b%2Cc"), ("empty", ""), ("flag", "")]
    assert join_query(pairs) == "tag=a&tag=b%2Cc&empty&flag"


def test_the_viewer_event_is_shaped_as_cloudfront_shapes_it() -> None:
    headers = [("Host", "example.com"), ("X-Multi", "1"), ("X-Multi", "2"), ("Cookie", "a=1; b=2")]
    event = viewer_event("GET", "/p", "q=1", headers, "198.51.100.7", "id-1", "d.cloudfront.net")
    request = event["request"]
    assert request["headers"]["host"] == {"value": "example.com"}
    assert request["headers"]["x-multi"]["multiValue"] == [{"value": "1"}, {"value": "2"}]
    assert "cookie" not in request["headers"]
    assert request["cookies"] == {"a": {"value": "1"}, "b": {"value": "2"}}
    assert request["querystring"] == {"q": {"value": "1"}}
    assert event["viewer"] == {"ip": "198.51.100.7"}
    assert pairs_of(request["headers"])[1:] == [("x-multi", "1"), ("x-multi", "2")]


@pytest.fixture
def viewer_function() -> Iterator[ViewerFunction]:
    function = ViewerFunction(VIEWER_REQUEST_FILE)
    yield function
    function.close()


@needs_node
def test_the_real_function_runs_in_one_node_process(viewer_function: ViewerFunction) -> None:
    for host in ("127.0.0.1:5000", "localhost:5000"):
        event = viewer_event("GET", "/", "", [("Host", host)], "127.0.0.1", "id", "d")
        result = viewer_function.run(event, "")
        assert result["request"]["headers"]["x-forwarded-host"] == {"value": host}
        assert viewer_function.process.poll() is None  # alive, for the next request


@needs_node
def test_a_function_response_or_error_comes_back(tmp_path: Path) -> None:
    source = tmp_path / "function.js"
    source.write_text(
        "function handler(event) {\n"
        "  if (event.request.uri === '/boom') { throw new Error('boom'); }\n"
        "  return {statusCode: 302, headers: {location: {value: 'https://example.com/'}}};\n"
        "}\n"
    )
    function = ViewerFunction(source)
    try:
        result = function.run(viewer_event("GET", "/", "", [], "127.0.0.1", "id", "d"), "")
        assert result["response"]["statusCode"] == 302
        with pytest.raises(ViewerFunctionError, match="boom"):
            function.run(viewer_event("GET", "/boom", "", [], "127.0.0.1", "id", "d"), "")
    finally:
        function.close()


# What the local server reads from the synthesized stack


def test_the_deployment_is_read_from_the_template(template: Template, settings: Settings) -> None:
    bucket = "local-bucket"
    deployment = Deployment.from_template(template.to_json(), HANDLER, {BUCKET: bucket})
    assert deployment.stage == settings.stage
    assert deployment.memory_mb == settings.lambda_memory_mb
    policy = deployment.behaviour_for("/any/page").cache_policy
    assert policy.max_ttl == settings.cache_max_ttl_seconds
    if settings.cache_max_ttl_seconds:
        assert policy.default_ttl == settings.cache_default_ttl_seconds
    assert {name.lower() for name in deployment.origin_header_names} == {
        "x-origin-verify",
        "x-api-key",
    }
    config = json.loads(deployment.environment[OVERRIDE_VARIABLE])
    assert config["SECRET_KEY_BUCKET"] == bucket
    assert config["STAGE"] == settings.stage
    headers = dict(deployment.behaviour_for("/").response_headers)
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in headers["Content-Security-Policy"]


# API Gateway


class RecordingFunction:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def invoke(self, event: dict[str, Any]) -> tuple[dict[str, Any], float]:
        self.events.append(event)
        return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "ok"}, 1.0


def api_request(path: str, *headers: tuple[str, str]) -> Request:
    return Request("GET", path, "a=1&a=2", list(headers), b"", "127.0.0.1")


def test_api_gateway_refuses_a_request_without_the_key_before_the_function() -> None:
    function = RecordingFunction()
    api = ApiGateway(function, "dev", "the-key", API_KEY_HEADER, "http", 5000)  # type: ignore[arg-type]
    for request in (
        api_request("/dev/api/time"),
        api_request("/dev/api/time", ("x-api-key", "wrong")),
        api_request("/prod/api/time", ("x-api-key", "the-key")),
    ):
        response = api(request)
        assert response.status == 403
        assert json.loads(response.body) == {"message": "Forbidden"}
        assert ("x-amzn-ErrorType", "ForbiddenException") in response.headers
    assert function.events == []


def test_api_gateway_builds_the_rest_event() -> None:
    function = RecordingFunction()
    api = ApiGateway(function, "dev", "the-key", API_KEY_HEADER, "http", 5000)  # type: ignore[arg-type]
    request = api_request(
        "/dev/api/time", ("X-API-Key", "the-key"), ("X-Forwarded-For", "198.51.100.7")
    )
    response = api(request)
    assert (response.status, response.body) == (200, b"ok")
    [event] = function.events
    assert event["path"] == "/api/time"
    assert event["requestContext"]["path"] == "/dev/api/time"
    assert event["headers"]["Host"] == API_HOST
    assert event["headers"]["X-Forwarded-For"] == "198.51.100.7, 127.0.0.1"
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"]}


# CloudFront: the viewer function, the origin request, the verdict


@needs_node
def test_the_edge_runs_the_viewer_function_and_stamps_the_verdict(
    template: Template, viewer_function: ViewerFunction, tmp_path: Path
) -> None:
    deployment = Deployment.from_template(template.to_json(), HANDLER, {})
    function = RecordingFunction()
    api = ApiGateway(function, deployment.stage, "the-key", API_KEY_HEADER, "http", 5000)  # type: ignore[arg-type]
    origin_headers = dict.fromkeys(deployment.origin_header_names, "the-key")
    edge = Edge(deployment, viewer_function, api, tmp_path, origin_headers)
    viewer = [("Host", "127.0.0.1:5000"), ("X-Origin-Verify", "forged"), ("Cookie", "a=1; b=2")]
    response = edge(Request("GET", "/api/time", "q=1", viewer, b"", "198.51.100.7"))

    [event] = function.events
    headers = {name.lower(): value for name, value in event["headers"].items()}
    assert headers["x-forwarded-host"] == "127.0.0.1:5000"  # set by the viewer function
    assert headers["x-origin-verify"] == "the-key"  # CloudFront's, not the viewer's
    assert headers["cookie"] == "a=1; b=2"
    assert headers["x-forwarded-for"] == "198.51.100.7, 127.0.0.1"
    assert event["requestContext"]["path"] == f"/{deployment.stage}/api/time"
    assert event["queryStringParameters"] == {"q": "1"}
    policy = deployment.behaviour_for("/api/time").cache_policy
    expected = verdict(policy, "GET", 200, {}, deployment.error_caching)
    assert ("X-Local-CDN", str(expected)) in response.headers
    assert ("X-Frame-Options", "DENY") in response.headers


@needs_node
def test_an_answer_from_the_viewer_function_never_reaches_the_origin(
    template: Template, tmp_path: Path
) -> None:
    source = tmp_path / "redirect.js"
    source.write_text(
        "function handler(event) {\n"
        "  return {statusCode: 301, statusDescription: 'Moved Permanently',\n"
        "          headers: {location: {value: 'https://www.example.com' + event.request.uri}}};\n"
        "}\n"
    )
    deployment = Deployment.from_template(template.to_json(), HANDLER, {})
    function = RecordingFunction()
    api = ApiGateway(function, deployment.stage, "the-key", API_KEY_HEADER, "http", 5000)  # type: ignore[arg-type]
    redirecting = ViewerFunction(source)
    try:
        edge = Edge(deployment, redirecting, api, tmp_path, {})
        response = edge(Request("GET", "/page", "", [("Host", "x")], b"", "127.0.0.1"))
    finally:
        redirecting.close()
    assert response.status == 301
    assert ("location", "https://www.example.com/page") in response.headers
    assert ("X-Local-CDN", "not cacheable: answered by the viewer function") in response.headers
    assert function.events == []


# The function's process


def write_bundle(root: Path, source: str) -> Path:
    bundle = root / "bundle"
    (bundle / "app").mkdir(parents=True)
    (bundle / "app" / "__init__.py").write_text("")
    (bundle / "app" / "handler.py").write_text(source)
    return bundle


def start_function(bundle: Path, runtime: Path, timeout: int = 3) -> LambdaFunction:
    return LambdaFunction(sys.executable, bundle, runtime, "app.handler.handler", {}, timeout)


def test_the_function_runs_the_bundle_handler(tmp_path: Path) -> None:
    bundle = write_bundle(
        tmp_path,
        "import sys\n"
        "def handler(event, context):\n"
        "    print('a log line')\n"
        "    return {'statusCode': 200, 'body': context.aws_request_id, 'path': sys.path[0]}\n",
    )
    function = start_function(bundle, tmp_path)
    try:
        response, _ = function.invoke({})
        assert response["statusCode"] == 200 and response["body"]
        assert response["path"] == str(bundle)
    finally:
        function.close()


def test_a_dependency_missing_from_the_bundle_fails_as_on_lambda(tmp_path: Path) -> None:
    """Flask is installed here, but not in this bundle: the handler cannot import it."""
    bundle = write_bundle(tmp_path, "import flask\ndef handler(event, context):\n    return {}\n")
    with pytest.raises(FunctionError, match="No module named 'flask'"):
        start_function(bundle, tmp_path / "runtime")


def test_a_handler_error_is_reported(tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path, "def handler(event, context):\n    raise KeyError('x')\n")
    function = start_function(bundle, tmp_path)
    try:
        with pytest.raises(FunctionError, match="KeyError"):
            function.invoke({})
    finally:
        function.close()


def test_an_invocation_past_the_timeout_fails_and_the_next_gets_a_new_instance(
    tmp_path: Path,
) -> None:
    bundle = write_bundle(
        tmp_path,
        "import os, time\n"
        "def handler(event, context):\n"
        "    time.sleep(event['sleep'])\n"
        "    return {'statusCode': 200, 'pid': os.getpid()}\n",
    )
    function = start_function(bundle, tmp_path, timeout=1)
    try:
        first, _ = function.invoke({"sleep": 0})
        started = time.monotonic()
        with pytest.raises(FunctionError, match="timed out after 1 s"):
            function.invoke({"sleep": 30})
        assert time.monotonic() - started < 20
        after, _ = function.invoke({"sleep": 0})
        assert after["pid"] != first["pid"]  # a cold start, as Lambda gives
    finally:
        function.close()


# Static files, as the S3 behaviour serves them


def test_static_files_are_immutable_and_confined_to_their_folder(tmp_path: Path) -> None:
    (tmp_path / "style.css").write_text("body {}")
    (tmp_path.parent / "secret.txt").write_text("no")
    found = static_file(tmp_path, "/static/style.css")
    assert (found.status, found.body) == (200, b"body {}")
    assert ("Cache-Control", IMMUTABLE) in found.headers
    assert ("Content-Type", "text/css") in found.headers
    assert static_file(tmp_path, "/static/missing.css").status == 403  # S3 without ListBucket
    assert static_file(tmp_path, "/static/../secret.txt").status == 403


# AWS for the secret key and the rest of the stack's resources


def test_the_local_aws_serves_boto3_with_its_own_credentials() -> None:
    # Needs moto's server mode in the project's own environment (not only the
    # end-to-end test's, which downloads wheels).
    aws = LocalAws("eu-west-1")
    try:
        environment = aws.environment()
        aws.client("s3").create_bucket(
            Bucket="local-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        client = boto3.client(
            "s3",
            endpoint_url=environment["AWS_ENDPOINT_URL"],
            region_name="eu-west-1",
            aws_access_key_id=environment["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=environment["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=environment["AWS_SESSION_TOKEN"],
        )
        client.put_object(Bucket="local-bucket", Key="k", Body=b"v")
        assert client.get_object(Bucket="local-bucket", Key="k")["Body"].read() == b"v"
    finally:
        aws.close()


# Stopping

STOPPED_BY_SIGNALS = """
import signal, time
from local_server.__main__ import STOP_SIGNALS, wait_for_stop_signal
for stop_signal in STOP_SIGNALS:  # until it waits: not stopped by an early one
    signal.signal(stop_signal, signal.SIG_IGN)
print("waiting", flush=True)
wait_for_stop_signal()
time.sleep(0.5)  # shutting down, while more signals arrive
print("stopped", flush=True)
"""


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_a_burst_of_stop_signals_stops_the_server_once(stop_signal: signal.Signals) -> None:
    # `make local` stopped by its process group: the server gets the signal
    # from the group and again from make, which passes SIGTERM on.
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", STOPPED_BY_SIGNALS],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == "waiting\n"
        deadline = time.monotonic() + 2
        while process.poll() is None and time.monotonic() < deadline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, stop_signal)
            time.sleep(0.001)
        output, errors = process.communicate(timeout=20)
    finally:
        process.kill()
    assert (output, process.returncode) == ("stopped\n", 0), errors


# `make local` over HTTP


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, cookie: str = "") -> tuple[int, Message, bytes]:
    # Only http://127.0.0.1 URLs of the local server (S310: no file: or other schemes).
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class LocalServer:
    def __init__(self, port: int, api_port: int, process: subprocess.Popen[str]) -> None:
        self.site = f"http://127.0.0.1:{port}"
        self.api = f"http://127.0.0.1:{api_port}"
        self.process = process

    def stop(self) -> str:
        """Stop make and everything it started, as Ctrl-C does; what they printed."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        # What make stopped is judged by make; a straggler still holding the
        # output pipe (a child of a child) must not keep the test waiting.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.communicate(timeout=60)[0]


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """`make local` on free ports, with this interpreter's environment (and its uv)."""
    assert MAKE is not None
    port, api_port = free_port(), free_port()
    bin_dir = Path(sys.executable).parent
    # -o: `install` is this environment already (it may not be a .venv here).
    command = [MAKE, "-o", ".venv/.installed", "-o", "node_modules/.installed", "local"]
    command += [f"PORT={port}", f"API_PORT={api_port}", f"BIN={bin_dir}"]
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
        command,
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: stopped as a whole
    )
    server = LocalServer(port, api_port, process)
    try:
        deadline = time.monotonic() + 600
        while True:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "make local did not start"
            try:
                fetch(server.site + "/api/time")
                break
            except OSError:
                time.sleep(0.5)
        yield server
    finally:
        server.stop()


@pytest.mark.network
@pytest.mark.skipif(MAKE is None or NODE is None, reason="needs make and node")
def test_make_local_serves_the_site_as_deployed(
    local_server: LocalServer, settings: Settings
) -> None:
    default_ttl = settings.cache_default_ttl_seconds
    caches = settings.cache_max_ttl_seconds > 0 and default_ttl > 0
    public_page = f"cacheable {default_ttl}s" if caches else "not cacheable: "

    status, headers, body = fetch(local_server.site + "/")
    assert status == 200
    page = body.decode()
    host = local_server.site.removeprefix("http://")
    assert f'<strong class="host">{host}</strong>' in body.decode()  # via the viewer function
    assert headers["X-Frame-Options"] == "DENY"  # the response headers policy
    assert headers["X-Local-CDN"].startswith(public_page)

    status, headers, body = fetch(local_server.site + "/api/time")
    assert status == 200
    assert abs(json.loads(body)["time"] - time.time()) < 120
    assert headers["X-Local-CDN"].startswith(public_page)

    jar: dict[str, str] = {}
    for expected_visits in (1, 2):
        cookie = "; ".join(f"{name}={value}" for name, value in jar.items())
        status, headers, body = fetch(local_server.site + "/session", cookie)
        assert status == 200
        assert visits_on(body) == expected_visits
        assert headers["X-Local-CDN"].startswith("not cacheable: ")
        [set_cookie] = headers.get_all("Set-Cookie")
        for name, morsel in SimpleCookie(set_cookie).items():
            assert morsel["secure"] and morsel["httponly"]  # as deployed
            jar[name] = morsel.value

    [stylesheet] = re.findall(r'href="(/static/style\.[0-9a-f]+\.css)"', page)
    status, headers, body = fetch(local_server.site + stylesheet)
    assert status == 200
    assert body == (PROJECT_ROOT / settings.package_name / "static" / "style.css").read_bytes()
    assert headers["Cache-Control"] == IMMUTABLE
    assert headers["X-Local-CDN"].startswith("cacheable")
    assert fetch(local_server.site + "/static/style.css")[0] == 403  # only hashed names deployed

    status, headers, _ = fetch(local_server.site + "/no-such-page")
    assert status == 404
    assert headers["X-Local-CDN"].startswith("cacheable" if caches else "not cacheable")

    # Straight to API Gateway, as a request to ApiUrl: refused, the function never runs.
    status, headers, body = fetch(f"{local_server.api}/{settings.stage}/api/time")
    assert (status, json.loads(body)) == (403, {"message": "Forbidden"})
    assert headers["x-amzn-ErrorType"] == "ForbiddenException"

    console = local_server.stop()
    assert "site GET /session -> 200  not cacheable" in console
    assert f"api GET /{settings.stage}/api/time -> 403  ForbiddenException" in console
