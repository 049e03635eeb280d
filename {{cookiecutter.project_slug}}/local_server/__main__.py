"""`python -m local_server [--port 5000]`, what `make local` runs after `make build`.

Starts, in order: the stack, synthesized in-process (deployment.py); moto
(moto_server.py) with the resources the function's environment names, the
secret key's bucket among them (stack_resources.py); the function, the handler
from build/lambda in a process with only the bundle and the runtime's boto3
(function.py, runtime.py); the viewer-request function under node (viewer_function.py);
then API Gateway (api_gateway.py) and CloudFront (edge.py) on 127.0.0.1. One
line per request: method, path, status, the cache verdict, timings.
"""

from __future__ import annotations

import argparse
import secrets
import signal
import sys
import time
from pathlib import Path

from serverless_flask_kit.config import OVERRIDE_VARIABLE

from {{ cookiecutter.package_name }}.settings import Settings, load_settings

from build_tools.bundle import DEFAULT_OUTPUT
from build_tools.tools import PROJECT_ROOT

from .api_gateway import ApiGateway
from .deployment import Deployment, synthesize, with_config
from .edge import Edge
from .function import FunctionError, LambdaFunction
from .moto_server import LocalAws
from .runtime import runtime_libraries, runtime_python
from .stack_resources import make_in_moto
from .static_files import static_folder
from .viewer_function import ViewerFunction
from .web import App, Request, Response, start_server


def shown(path: str | Path) -> str:
    """`path` relative to the project when it is inside it: shorter on the console."""
    path = Path(path)
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def lambda_environment(settings: Settings, deployment: Deployment, bundle: Path) -> dict[str, str]:
    """What Lambda itself sets for the function's process (the part apps read)."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "LAMBDA_TASK_ROOT": str(bundle),
        "AWS_REGION": settings.aws_region,
        "AWS_DEFAULT_REGION": settings.aws_region,
        "AWS_LAMBDA_FUNCTION_NAME": f"{settings.stack_name(deployment.stage)}-local",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(deployment.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        # Never the developer's AWS profile or config: only the local moto.
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }


def logged(app: App, label: str) -> App:
    """`app`, printing one line per request."""

    def serve(request: Request) -> Response:
        response = app(request)
        target = request.path + (f"?{request.query}" if request.query else "")
        notes = response.notes
        parts = [f"{label} {request.method} {target} -> {response.status}"]
        parts += [notes[key] for key in ("verdict", "refused") if key in notes]
        timing = f"{notes['ms']} ms" if "ms" in notes else ""
        if "function_ms" in notes:
            timing += f"{', ' if timing else ''}function {notes['function_ms']} ms"
        print("  ".join([*parts, f"({timing})" if timing else ""]).rstrip(), flush=True)
        return response

    return serve


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class StopSignal(Exception):
    pass


def wait_for_stop_signal() -> None:
    """Return at the first Ctrl-C or SIGTERM; later ones are ignored, so the
    shutdown runs once, to the end. Stopped as a process group, the server gets
    SIGTERM twice: once from make."""

    def stop(*_: object) -> None:
        for stop_signal in STOP_SIGNALS:
            signal.signal(stop_signal, signal.SIG_IGN)
        raise StopSignal

    for stop_signal in STOP_SIGNALS:
        signal.signal(stop_signal, stop)
    try:
        while True:
            time.sleep(3600)  # a sleep, unlike a lock, is interrupted everywhere
    except StopSignal:
        return


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local_server", description=__doc__)
    parser.add_argument("--port", type=int, default=5000, help="the site's port")
    parser.add_argument("--api-port", type=int, help="API Gateway's port (default: --port + 1)")
    parser.add_argument("--bundle", type=Path, default=DEFAULT_OUTPUT, help="the built bundle")
    parser.add_argument("--node", default="node", help="the node executable")
    arguments = parser.parse_args(argv)
    api_port = arguments.api_port or arguments.port + 1
    bundle = arguments.bundle.resolve()
    if not bundle.is_dir():
        print(f"error: no bundle at {bundle}: run `make build`", file=sys.stderr)
        return 1
    settings = load_settings()

    print("Synthesizing the stack...", flush=True)
    synthesized = synthesize(bundle)
    handler = synthesized["handler"]
    aws = LocalAws(settings.aws_region)
    references = make_in_moto(aws, synthesized["template"], handler)
    deployment = Deployment.from_template(synthesized["template"], handler, references)
    origin_secret = secrets.token_urlsafe(32)  # a new one each run, as each stage has its own
    environment = {
        **with_config(deployment.environment, OVERRIDE_VARIABLE, ORIGIN_SECRET=origin_secret),
        **lambda_environment(settings, deployment, bundle),
        **aws.environment(),
    }
    python = runtime_python(settings.python_version)
    print(f"Starting the function: {handler} from {shown(bundle)}", flush=True)
    try:
        function = LambdaFunction(
            python,
            bundle,
            runtime_libraries(settings.python_version),
            deployment.handler,
            environment,
            deployment.timeout_seconds,
        )
    except FunctionError as error:
        print(f"error: {error}", file=sys.stderr)
        aws.close()
        return 1
    viewer_function = ViewerFunction(Path(synthesized["viewer_request_file"]), arguments.node)
    key_header = synthesized["api_key_header"]
    api = ApiGateway(function, deployment.stage, origin_secret, key_header, "http", arguments.port)
    edge = Edge(
        deployment,
        viewer_function,
        api,
        static_folder(settings.package_name),
        dict.fromkeys(deployment.origin_header_names, origin_secret),
    )
    servers = [
        start_server(logged(api, "api"), api_port),
        start_server(logged(edge, "site"), arguments.port),
    ]
    runs = function.python_version
    if not runs.startswith(settings.python_version + "."):
        runs += f" at {python} (Lambda runs {settings.python_version}; uv finds none here)"
    print(
        f"Function initialised in {function.init_ms:.0f} ms, on Python {runs}.\n"
        f"Site (through the local CloudFront): http://127.0.0.1:{arguments.port}/\n"
        f"API Gateway, as `ApiUrl` (direct requests lack the API key: 403): "
        f"http://127.0.0.1:{api_port}/{deployment.stage}/\n"
        "Each response carries X-Local-CDN: what CloudFront would cache. Ctrl-C stops.",
        flush=True,
    )
    wait_for_stop_signal()
    print("Stopping.", flush=True)
    for server in servers:
        server.shutdown()
    viewer_function.close()
    function.close()
    aws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
