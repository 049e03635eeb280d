"""The Lambda entry points compared, each serving the generated project's demo app.

Each contender is built inside a fresh measured process by its `build`
function, which does all of its own imports: building one is exactly the
import-time work its handler module would do on Lambda. The result serves one
API Gateway event and returns the HTTP status.

Every contender uses the same app (`create_app()` configured by the same
environment: secret-key bucket, origin secret), except that the seed-style one
replaces its session handling the way a simpler template would.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.events import wsgi_environ

Serve = Callable[[dict[str, Any]], int]


class LambdaContext:
    """The parts of Lambda's context object that adapters may read."""

    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    memory_limit_in_mb = 256
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "2026/11/27/[$LATEST]0123456789abcdef"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 29_000


CONTEXT = LambdaContext()


def _app(package: str) -> Any:
    return importlib.import_module(package).create_app()


def _lambda_handler(handler: Callable[[dict[str, Any], Any], dict[str, Any]]) -> Serve:
    def serve(event: dict[str, Any]) -> int:
        return int(handler(event, CONTEXT)["statusCode"])

    return serve


def generated(package: str) -> Serve:
    """The generated project's own entry point, as Lambda imports it: with
    Lambda's variables set, it loads the secret key at init where init
    outpaces invocations (the model's memory size, else the default 256 MB)."""
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = "bench"
    os.environ.setdefault("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", str(LambdaContext.memory_limit_in_mb))
    return generated_lazy(package)


def generated_lazy(package: str) -> Serve:
    """The same entry point off Lambda: the key is loaded by the first request
    that needs it (what every deployed instance did before the CPU model)."""
    module = importlib.import_module(f"{package}.lambda_handler")
    return _lambda_handler(module.handler)


def load_secret_key(app: Any) -> None:
    """The kit's init-time key load, imported from the bundle once the worker has it
    on its path (like the app)."""
    from serverless_flask_kit.handler import load_secret_key as load

    load(app)


def eager(package: str) -> Serve:
    """The key loaded at init whatever the CPU: boto3, its client and the S3 read."""
    module = importlib.import_module(f"{package}.lambda_handler")
    load_secret_key(module.app)
    return _lambda_handler(module.handler)


def overlapped(package: str) -> Serve:
    """The key loaded at init, with boto3's import and client made in a thread
    that starts first, overlapping the app's own import (and its file reads)."""
    made: dict[str, Any] = {}

    def make_client() -> None:
        import boto3

        made["client"] = boto3.client("s3")

    thread = threading.Thread(target=make_client)
    thread.start()
    module = importlib.import_module(f"{package}.lambda_handler")
    thread.join()
    module.app.session_interface.keys.store._client = made["client"]
    load_secret_key(module.app)
    return _lambda_handler(module.handler)


def bare_flask(package: str) -> Serve:
    """The floor: `app.wsgi_app` called with a WSGI environ prepared in advance."""
    wsgi_app = _app(package).wsgi_app
    prepared: dict[str, dict[str, Any]] = {}
    status: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        status.append(line)

    def serve(event: dict[str, Any]) -> int:
        template = prepared.get(event["path"])
        if template is None:
            template = prepared[event["path"]] = wsgi_environ(event)
        environ = dict(template)
        environ["wsgi.input"] = io.BytesIO()
        status.clear()
        body = wsgi_app(environ, start_response)
        try:
            b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return int(status[0].split(" ", 1)[0])

    return serve


def plain_apig_wsgi(package: str) -> Serve:
    """apig-wsgi with nothing around it."""
    from apig_wsgi import make_lambda_handler

    return _lambda_handler(make_lambda_handler(_app(package).wsgi_app, binary_support=True))


def serverless_wsgi(package: str) -> Serve:
    import serverless_wsgi

    app = _app(package)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return serverless_wsgi.handle_request(app, event, context)

    return _lambda_handler(handler)


def mangum_a2wsgi(package: str) -> Serve:
    """Mangum (an ASGI adapter) over a2wsgi's WSGI-to-ASGI bridge."""
    from a2wsgi import WSGIMiddleware
    from mangum import Mangum

    return _lambda_handler(Mangum(WSGIMiddleware(_app(package).wsgi_app), lifespan="off"))


def seed_style(package: str) -> Serve:
    """What a simpler template does: boto3 and the secret key loaded at import time."""
    import boto3
    from apig_wsgi import make_lambda_handler
    from flask import Config
    from flask.sessions import SecureCookieSessionInterface

    app = _app(package)
    app.config = Config(app.root_path, app.config)  # a plain config, for a key of its own
    s3 = boto3.client("s3")
    stored = s3.get_object(
        Bucket=app.config["SECRET_KEY_BUCKET"], Key=app.config["SECRET_KEY_OBJECT"]
    )
    app.secret_key = json.loads(stored["Body"].read())["current"]
    app.session_interface = SecureCookieSessionInterface()
    return _lambda_handler(make_lambda_handler(app.wsgi_app, binary_support=True))


@dataclass(frozen=True)
class Contender:
    name: str
    label: str
    build: Callable[[str], Serve]
    # Top-level modules it adds to the bundle, from the benchmark's runtime.
    extra_modules: tuple[str, ...] = ()


CONTENDERS: tuple[Contender, ...] = (
    Contender("bare_flask", "bare Flask (floor)", bare_flask),
    Contender("generated", "generated handler", generated),
    Contender("apig_wsgi", "plain apig-wsgi", plain_apig_wsgi),
    Contender("serverless_wsgi", "serverless-wsgi", serverless_wsgi, ("serverless_wsgi",)),
    Contender(
        "mangum", "Mangum + a2wsgi", mangum_a2wsgi, ("mangum", "a2wsgi", "typing_extensions")
    ),
    Contender("seed_style", "seed-style (boto3 at import)", seed_style),
)
# The cold-start designs compared under the model of Lambda's CPU (cpu_model.py).
DESIGNS: tuple[Contender, ...] = (
    Contender("generated_lazy", "lazy (before)", generated_lazy),
    Contender("eager", "eager at init", eager),
    Contender("overlapped", "eager, client in a thread", overlapped),
    Contender("seed_style", "seed-style", seed_style),
    Contender("generated", "generated (eager where init is faster)", generated),
)
LAZY = "generated_lazy"  # the design before the model: the goals' "today"
BY_NAME = {contender.name: contender for contender in (*DESIGNS, *CONTENDERS)}
FLOOR = "bare_flask"
