"""The baked project's Lambda bundle, built for real (`python -m build_tools.bundle`):
Linux wheels for the chosen architecture from the package index, the kit's and
the app's packages, nothing else, and nothing rebuilt when nothing changed."""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bench.events import project_events
from bench.prepare import FIND_INTERPRETER

from .baking import bake, run, run_project_tests, settings_of

FORWARDED_HOST = {"X-Forwarded-Host": "www.example.com"}

pytestmark = [pytest.mark.network, pytest.mark.xdist_group("bundle-build")]

SIZE = re.compile(r": ([\d.]+) MB\.$", re.MULTILINE)

# One bake per architecture; the other answers vary a little too.
ANSWERS = {
    "arm64": {},
    "x86_64": {"architecture": "x86_64", "python_version": "3.12", "project_name": "Acme Shop"},
}


@dataclass(frozen=True)
class Build:
    project: Path
    package: str
    architecture: str
    output: Path
    stdout: str
    seconds: float
    runtime_python: str | None  # the Lambda runtime's Python version, if this machine has it


def runtime_python(project: Path, version: str) -> str | None:
    """Python `version` as the bundle builder finds it, or None."""
    result = run([sys.executable, "-c", FIND_INTERPRETER, version], cwd=project)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip() or None


def build_bundle(project: Path, *extra: str) -> tuple[Any, float]:
    started = time.perf_counter()
    result = run([sys.executable, "-m", "build_tools.bundle", *extra], cwd=project, timeout=600)
    return result, time.perf_counter() - started


@pytest.fixture(params=list(ANSWERS), scope="module")
def built(request: pytest.FixtureRequest, cookies_session: Any) -> Build:
    project, answers = bake(cookies_session, ANSWERS[request.param])
    result, seconds = build_bundle(project)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    version = settings_of(project, answers["package_name"])["python_version"]
    return Build(
        project=project,
        package=answers["package_name"],
        architecture=request.param,
        output=project / "build" / "lambda",
        stdout=result.stdout,
        seconds=seconds,
        runtime_python=runtime_python(project, version),
    )


def test_build_reports_its_sizes(built: Build, record_property: Any) -> None:
    size = SIZE.search(built.stdout)
    assert size, built.stdout
    unzipped = float(size.group(1))
    record_property(f"bundle_{built.architecture}_unzipped_mb", unzipped)
    record_property(f"bundle_{built.architecture}_build_seconds", round(built.seconds, 2))
    # Flask + apig-wsgi: a couple of MB, far below Lambda's 250 MB limit.
    assert 0.5 < unzipped < 20


def test_compiled_dependency_is_built_for_the_lambda_architecture(built: Build) -> None:
    """The project's own network test checks the compiled module's CPU and Python."""
    result = run_project_tests(
        built.project, "-m", "network", "-k", "test_real_build", "tests/build_tools/test_bundle.py"
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "1 passed" in result.stdout


def test_bundle_holds_the_app_and_its_dependencies_only(built: Build) -> None:
    top_level = {path.name for path in built.output.iterdir()}
    expected = {built.package, KIT_PACKAGE, "flask", "werkzeug", "jinja2", "apig_wsgi"}
    assert expected | {"markupsafe"} <= top_level
    assert (built.output / built.package / "settings.json").is_file()
    assert (built.output / built.package / "lambda_handler.py").is_file()
    assert (built.output / built.package / "templates" / "index.html").is_file()
    assert not (built.output / built.package / "static").exists()  # served from S3
    assert (built.output / built.package / "static-manifest.json").is_file()
    unwanted = [
        path.relative_to(built.output).as_posix()
        for path in built.output.rglob("*")
        if path.name in {"tests", "boto3", "botocore", "bin"}
        or path.suffix == ".pyo"
        or path.name.startswith(("boto3-", "botocore-"))
    ]
    assert unwanted == []
    assert not (built.output / "tests").exists()
    assert not (built.output / "infra").exists()


# The header of a .pyc (PEP 552): magic number, then flags; 0b01 is hash-based, unchecked.
UNCHECKED_HASH_FLAGS = 0b01
# The kit's package: copied from its sources into every bundle, like the app's.
KIT_PACKAGE = "serverless_flask_kit"
MAGIC_OF = "import importlib.util; print(importlib.util.MAGIC_NUMBER.hex())"


def test_bundle_ships_bytecode_for_the_lambda_runtime(built: Build) -> None:
    """With the runtime's Python here, the dependencies are bytecode only (unchecked-hash
    .pyc where their .py files were) and the app package has .pyc beside its sources."""
    if built.runtime_python is None:
        assert "NOTICE: uv could neither find nor install Python" in built.stdout
        pytest.skip("this machine lacks the runtime's Python version: the bundle has no bytecode")
    assert "Bytecode: compiled by Python" in built.stdout
    magic = run([built.runtime_python, "-I", "-c", MAGIC_OF], cwd=built.project).stdout.strip()
    pycs = list(built.output.rglob("*.pyc"))
    assert pycs
    for pyc in pycs:
        header = pyc.read_bytes()[:8]
        assert header[:4].hex() == magic, pyc
        assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH_FLAGS, pyc
    own = (built.package, KIT_PACKAGE)  # sources kept, for tracebacks with lines
    dependency_sources = [
        path.relative_to(built.output).as_posix()
        for path in built.output.rglob("*.py")
        if path.relative_to(built.output).parts[0] not in own
    ]
    assert dependency_sources == []
    assert (built.output / "flask" / "app.pyc").is_file()
    for package, module in ((built.package, "lambda_handler"), (KIT_PACKAGE, "handler")):
        assert (built.output / package / f"{module}.py").is_file()
        assert list((built.output / package / "__pycache__").glob(f"{module}.cpython-*.pyc"))


# Imports the handler from the bundle alone and serves one API Gateway event.
SERVE_ONE_EVENT = """
import json, sys
bundle, package, event = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
sys.path.insert(0, bundle)
import flask
handler = __import__(package + ".lambda_handler", fromlist=["handler"]).handler
response = handler(event, None)
print(json.dumps({"status": response["statusCode"], "body": response["body"],
                  "flask_from_bundle": flask.__file__.startswith(bundle)}))
"""


def test_bundle_serves_a_request_on_its_own(built: Build) -> None:
    """No site-packages (-I -S) and no bytecode written (-B): only the bundle and
    the standard library, with the runtime's Python when this machine has it (the
    bytecode is for that version). Another Python skips compiled modules built for
    the Lambda's, and MarkupSafe falls back to pure Python."""
    event = json.dumps(project_events().rest_event("/api/time", headers=FORWARDED_HOST))
    caches = sorted(built.output.rglob("__pycache__"))
    result = run(
        [
            built.runtime_python or sys.executable,
            "-I",
            "-S",
            "-B",
            "-c",
            SERVE_ONE_EVENT,
            str(built.output),
            built.package,
            event,
        ],
        cwd=built.output,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    served = json.loads(result.stdout.splitlines()[-1])
    assert served["status"] == 200, served
    assert served["flask_from_bundle"] is True
    assert sorted(built.output.rglob("__pycache__")) == caches


def test_second_build_does_nothing(built: Build) -> None:
    stamp = built.output / ".bundle-fingerprint"
    before = stamp.stat().st_mtime_ns, built.output.stat().st_ino
    result, _ = build_bundle(built.project)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert (stamp.stat().st_mtime_ns, built.output.stat().st_ino) == before


def test_a_changed_source_file_triggers_a_rebuild(built: Build) -> None:
    views = built.project / built.package / "views.py"
    original = views.read_text(encoding="utf-8")
    try:
        views.write_text(original + "\n# changed\n", encoding="utf-8")
        result, _ = build_bundle(built.project)
        assert result.returncode == 0, result.stderr
        assert "Built" in result.stdout
        bundled = (built.output / built.package / "views.py").read_text(encoding="utf-8")
        assert bundled.endswith("# changed\n")
    finally:
        views.write_text(original, encoding="utf-8")
    assert "Built" in build_bundle(built.project)[0].stdout  # back to the original sources
