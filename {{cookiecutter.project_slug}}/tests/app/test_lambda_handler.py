"""The project's Lambda entry point (lambda_handler.py), as Lambda imports it; the
kit's handler itself is tested with the kit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flask import Flask
from serverless_flask_kit.config import OVERRIDE_VARIABLE
from serverless_flask_kit.init_cpu import FUNCTION_VARIABLE

from {{ cookiecutter.package_name }} import lambda_handler

ON_LAMBDA = {FUNCTION_VARIABLE: "site-dev"}  # what Lambda sets, and the handler goes by


def test_the_deployed_handler_without_an_origin_secret_refuses_requests(tmp_path: Path) -> None:
    """The module Lambda imports, configured as the stack does but without ORIGIN_SECRET."""
    package = Path(lambda_handler.__file__).parent
    script = (
        f"from {package.name}.lambda_handler import handler\n"
        "from serverless_flask_kit.events import rest_event\n"
        "print(*(handler(rest_event(p), None)['statusCode'] for p in ('/', '/no-such-page')))"
    )
    config = {"SECRET_KEY_FILE": str(tmp_path / "key.json"), "STAGE": "dev"}
    environ = {**os.environ, **ON_LAMBDA, OVERRIDE_VARIABLE: json.dumps(config)}
    ran = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=package.parent,
        env=environ,
    )
    assert ran.stdout.split() == ["403", "403"]
    assert ran.stderr.count("ORIGIN_SECRET") == 1


def test_make_dev_serves_without_an_origin_secret(app: Flask) -> None:
    """`make dev` serves the app itself, not through the Lambda handler: no check to fail."""
    recipe = (Path(lambda_handler.__file__).parents[1] / "Makefile").read_text(encoding="utf-8")
    assert "/flask --app {{ cookiecutter.package_name }} run " in recipe
    app.add_url_rule("/served", "served", lambda: "served")
    assert app.test_client().get("/served").status_code == 200


def test_the_runtime_package_holds_only_what_the_handler_loads() -> None:
    """The package is the Lambda bundle: operator tools (they need boto3's
    CloudFormation and the app's admin paths) live outside it, in infra/."""
    package = Path(lambda_handler.__file__).parent
    script = (
        f"import sys, {package.name}.lambda_handler\n"
        f"print(*(m for m in sys.modules if m.startswith('{package.name}.')))"
    )
    loaded = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=package.parent,
    ).stdout.split()
    modules = {f"{package.name}.{path.stem}" for path in package.glob("*.py")}
    assert modules - {f"{package.name}.__init__"} == set(loaded)
