"""The post-generation install, for real: from scratch into the project's own
.venv, and what happens when it cannot reach the package index."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import tomllib
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from bench.s3 import free_port
from local_extensions import canonical

from .baking import SKIP_INSTALL, TEMPLATE_DIR, run


def bake_with_install(tmp_path: Path, env: dict[str, str]) -> tuple[Any, Path]:
    """Run the cookiecutter command with installs on, as a user would."""
    environment = {name: value for name, value in os.environ.items() if name not in SKIP_INSTALL}
    environment.update(env)
    output = tmp_path / "out"
    result = run(
        [
            "cookiecutter", "--no-input", str(TEMPLATE_DIR), "--output-dir", str(output),
            "install_dependencies=yes",
        ],
        cwd=tmp_path,
        env=environment,
        replace_env=True,
        timeout=1200,
    )  # fmt: skip
    return result, output / "serverless-flask-site"


@pytest.mark.slow
def test_post_gen_install_from_scratch(tmp_path: Path) -> None:
    result, project = bake_with_install(tmp_path, {})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Installing dependencies" in result.stdout
    python = project / ".venv" / "bin" / "python"
    assert python.is_file()
    # The project's venv has the locked runtime and dev dependencies ...
    imports = run([str(python), "-c", "import flask, apig_wsgi, moto, pytest"], cwd=project)
    assert imports.returncode == 0, imports.stderr
    # ... exactly the locked versions, and nothing else ...
    listed = run([str(python), "-c", INSTALLED_VERSIONS], cwd=project)
    installed = {canonical(name): version for name, version in json.loads(listed.stdout).items()}
    locked = locked_versions(project / "uv.lock")
    assert installed == {name: locked[name] for name in installed}
    assert {"flask", "apig-wsgi", "aws-cdk-lib", "moto", "pytest", "uv"} <= set(installed)
    # ... and the project's own commands work in it: the defaults' whole suite
    # runs here (test_bake.py runs the other combinations' suites), nothing
    # skipped, so the tests that need the pinned CDK CLI (installed by
    # `make install`) run too.
    for target in ("test", "lint"):
        made = run(["make", target], cwd=project, timeout=600)
        assert made.returncode == 0, made.stdout[-3000:] + made.stderr[-3000:]
        assert "skipped" not in made.stdout, made.stdout[-3000:]
    check_dev_server(project)


def check_dev_server(project: Path) -> None:
    """`make dev` serves the site locally, with no AWS account, and its local
    secret key file is git-ignored."""
    port = free_port()
    server = subprocess.Popen(
        ["make", "dev", f"PORT={port}"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        home = fetch(f"http://127.0.0.1:{port}/", attempts=100)
        assert f'<strong class="host">127.0.0.1:{port}</strong>' in home.read().decode()
        session = fetch(f"http://127.0.0.1:{port}/session")
        assert "HttpOnly" in session.headers["Set-Cookie"]
        favicon = fetch(f"http://127.0.0.1:{port}/static/favicon.ico").read()
        assert (
            favicon == (project / "serverless_flask_site" / "static" / "favicon.ico").read_bytes()
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert (project / "instance" / "secret-key.json").is_file()
    assert run(["git", "init", "-q"], cwd=project).returncode == 0
    ignored = run(["git", "check-ignore", "-q", "instance/secret-key.json"], cwd=project)
    assert ignored.returncode == 0  # the local key never lands in git


def fetch(url: str, attempts: int = 1) -> Any:
    """GET `url`, retrying every 0.1 s while the server is starting."""
    for attempt in range(attempts):
        try:
            return urllib.request.urlopen(url, timeout=10)
        except OSError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")


@pytest.mark.slow
def test_failed_install_keeps_the_project_and_exits_0(tmp_path: Path) -> None:
    offline = {
        "UV_OFFLINE": "1",  # uv.lock names each file's URL: no index setting would do
        "UV_CACHE_DIR": str(tmp_path / "empty-uv-cache"),
        "PIP_CONFIG_FILE": os.devnull,  # ignore machine-wide indexes and wheel folders
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple",  # nothing listens on port 9
        "PIP_FIND_LINKS": "",
        "PIP_EXTRA_INDEX_URL": "",
        "PIP_RETRIES": "0",
        "PIP_TIMEOUT": "2",
    }
    result, project = bake_with_install(tmp_path, offline)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "WARNING: installing dependencies failed" in result.stderr
    assert "cd serverless-flask-site && make install" in result.stderr
    assert (project / "serverless_flask_site" / "app.py").is_file()
    assert (project / ".cookiecutter.json").is_file()
    assert not (project / ".venv" / ".installed").exists()


def test_skip_variable_skips_the_install(tmp_path: Path) -> None:
    result, project = bake_with_install(tmp_path, SKIP_INSTALL)
    assert result.returncode == 0, result.stderr
    assert "Skipping the install (SERVERLESS_FLASK_SKIP_INSTALL is set)" in result.stdout
    assert "make install" in result.stdout  # the next steps say how to install later
    assert not (project / ".venv").exists()


INSTALLED_VERSIONS = """
import importlib.metadata, json
print(json.dumps({d.metadata["Name"]: d.version for d in importlib.metadata.distributions()}))
"""


def locked_versions(lock: Path) -> dict[str, str]:
    packages = tomllib.loads(lock.read_text(encoding="utf-8"))["package"]
    return {canonical(package["name"]): package["version"] for package in packages}


@pytest.mark.slow
def test_readme_make_project_generates_interactively(tmp_path: Path) -> None:
    """README's first command, in a fresh virtualenv, answering at the prompts."""
    output = tmp_path / "out"
    output.mkdir()  # make project checks the folder before asking anything
    answers = "Readme Site\n" + "\n" * 30  # a name, then every default
    result = run(
        ["make", "project", f"VENV={tmp_path / 'venv'}", f"OUTPUT={output}"],
        cwd=TEMPLATE_DIR,
        env=SKIP_INSTALL,
        input_text=answers,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert (output / "readme-site" / "readme_site" / "settings.json").is_file()
    assert "Created readme-site/" in result.stdout
