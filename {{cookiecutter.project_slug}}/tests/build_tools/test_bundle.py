"""The Lambda bundle builder (build_tools/bundle.py).

A stand-in for uv records the commands and lays out what uv would install, so
nothing is downloaded; `pytest -m network` runs a real build as well.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

import pytest
from serverless_flask_kit.static_files import MANIFEST_NAME

from {{ cookiecutter.package_name }}.settings import Settings

from build_tools import bundle, dependencies, static_assets

# Answers `uv export`, `uv pip install` and `uv python ...` as uv would, and
# logs each command line (JSON, one per line) to $FAKE_UV_LOG.
FAKE_UV = """\
import json, os, pathlib, sys
arguments = sys.argv[1:]
with open(os.environ["FAKE_UV_LOG"], "a") as log:
    log.write(json.dumps(arguments) + "\\n")
def value(option):
    return pathlib.Path(arguments[arguments.index(option) + 1])
if arguments[0] == "export":
    value("--output-file").write_text("flask==3.1.3 --hash=sha256:00\\n")
elif arguments[:2] == ["pip", "install"]:
    if os.environ.get("FAKE_UV_FAIL"):
        sys.exit("error: pyyaml==5.4.1 has no usable wheels")
    for name in os.environ["FAKE_UV_FILES"].split():
        path = value("--target") / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("VALUE = 1\\n")
elif arguments[:2] == ["python", "find"] and os.environ.get("FAKE_UV_PYTHON"):
    print(os.environ["FAKE_UV_PYTHON"])
else:
    sys.exit("error: no interpreter found (offline)")
"""
INSTALLED = [
    "flask/__init__.py",
    "flask/sansio/app.py",
    "flask/templates/page.html",
    "flask-3.1.3.dist-info/METADATA",
    "six.py",
    "bin/flask",
    "flask/tests/test_app.py",
    "flask/__pycache__/app.cpython-313.pyc",
]


@pytest.fixture
def fake_uv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Puts the stand-in for uv in $UV; returns its command log."""
    script = tmp_path / "uv"
    script.write_text(f"#!{sys.executable}\n{FAKE_UV}", encoding="utf-8")
    script.chmod(0o755)
    log = tmp_path / "uv-commands.jsonl"
    monkeypatch.setenv("UV", str(script))
    monkeypatch.setenv("FAKE_UV_LOG", str(log))
    monkeypatch.setenv("FAKE_UV_FILES", " ".join(INSTALLED))
    return log


def commands(log: Path) -> list[list[str]]:
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.mark.parametrize(("architecture", "platform"), [("arm64", "aarch64"), ("x86_64", "x86_64")])
def test_dependencies_are_lambda_wheels_from_the_lock_without_the_sdk(
    fake_uv: Path, tmp_path: Path, settings: Settings, architecture: str, platform: str
) -> None:
    settings = dataclasses.replace(settings, architecture=architecture, python_version="3.12")
    (tmp_path / "target").mkdir()
    dependencies.install_dependencies(tmp_path / "target", settings)
    export, install = commands(fake_uv)
    assert export[:2] == ["export", "--frozen"]
    assert "--no-default-groups" in export  # no dev or deploy tools
    excluded = [export[i + 1] for i, word in enumerate(export) if word == "--no-emit-package"]
    assert excluded == ["boto3", "botocore", dependencies.KIT_DISTRIBUTION]
    assert install[:2] == ["pip", "install"]
    assert option(install, "--python-platform") == f"{platform}-manylinux_2_34"
    assert option(install, "--python-version") == "3.12"
    assert option(install, "--only-binary") == ":all:"
    assert "--no-deps" in install  # exactly the exported pins
    assert option(install, "--requirement") == option(export, "--output-file")
    assert files(tmp_path / "target") == sorted(INSTALLED)  # the requirements file is gone


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        ("flask/app.py", False),
        ("pkg/tests.py", False),
        ("site/templates/index.html", False),
        ("pkg/__pycache__/mod.cpython-313.pyc", True),
        ("pkg/mod.pyc", True),
        ("pkg/tests/test_mod.py", True),
        ("tests", True),
    ],
)
def test_left_out(path: str, excluded: bool) -> None:
    assert bundle.left_out(Path(path)) is excluded


def test_build_then_nothing_to_do_until_an_input_changes(
    fake_uv: Path, tmp_path: Path, settings: Settings
) -> None:
    output = tmp_path / "lambda"
    assert bundle.build(output, settings, python=None)
    package, kit = settings.package_name, bundle.KIT_DIR.name
    assert f"{package}/settings.json" in files(output)
    assert f"{kit}/handler.py" in files(output)  # from its sources, not a wheel
    own = (f"{package}/", f"{kit}/")
    assert [name for name in files(output) if not name.startswith(own)] == [
        bundle.FINGERPRINT_FILE,
        "flask-3.1.3.dist-info/METADATA",
        "flask/__init__.py",
        "flask/sansio/app.py",
        "flask/templates/page.html",
        "six.py",
    ]
    assert not [name for name in files(output) if "__pycache__" in name or "tests/" in name]
    assert not bundle.build(output, settings, python=None)
    assert bundle.build(output, settings, python=None, force=True)
    other = "x86_64" if settings.architecture == "arm64" else "arm64"
    assert bundle.build(output, dataclasses.replace(settings, architecture=other), python=None)
    installs = [command for command in commands(fake_uv) if command[0] == "pip"]
    assert len(installs) == 3


def test_static_files_leave_the_bundle_for_their_manifest(
    fake_uv: Path, tmp_path: Path, settings: Settings
) -> None:
    """CloudFront serves them from S3; the app only needs their fingerprinted names."""
    output = tmp_path / "lambda"
    bundle.build(output, settings, python=None)
    package = settings.package_name
    assert not [name for name in files(output) if name.startswith(f"{package}/static/")]
    manifest = json.loads((output / package / MANIFEST_NAME).read_text(encoding="utf-8"))
    source = static_assets.source_dir(bundle.PROJECT_ROOT / package)
    assert manifest == static_assets.manifest(source)
    assert manifest["style.css"].startswith("style.") and manifest["style.css"] != "style.css"


def test_fingerprint_follows_the_sources_settings_and_bytecode_format(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "site_pkg"
    (package / "templates").mkdir(parents=True)
    (package / "templates" / "index.html").write_text("<p>hi</p>")
    kit = tmp_path / "kit_pkg"
    kit.mkdir()
    (kit / "handler.py").write_text("")
    monkeypatch.setattr(bundle, "KIT_DIR", kit)

    def stamp(changed: Settings = settings, python: str | None = sys.executable) -> str:
        return bundle.fingerprint(changed, package, python)

    original = stamp()
    (package / "tests").mkdir()
    (package / "tests" / "test_it.py").write_text("")
    (package / "module.pyc").write_text("")
    assert stamp() == original, "what is left out of the bundle must not rebuild it"
    seen = {original, stamp(python=None)}
    (package / "templates" / "index.html").write_text("<p>changed</p>")
    seen.add(stamp())
    (kit / "handler.py").write_text("# a newer kit")
    seen.add(stamp())
    other = "arm64" if settings.architecture == "x86_64" else "x86_64"
    for changed in ({"architecture": other}, {"python_version": "3.99"}):
        seen.add(stamp(dataclasses.replace(settings, **changed)))
    assert len(seen) == 6


def test_a_failed_install_names_the_package_and_keeps_the_previous_bundle(
    fake_uv: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    output = tmp_path / "build" / "lambda"
    assert bundle.main(["--output", str(output)]) == 0
    before = files(output)
    (output / bundle.FINGERPRINT_FILE).write_text("stale\n")
    monkeypatch.setenv("FAKE_UV_FAIL", "1")
    assert bundle.main(["--output", str(output)]) == 1
    assert "pyyaml==5.4.1 has no usable wheels" in capsys.readouterr().err
    assert files(output) == before
    assert os.listdir(output.parent) == ["lambda"], "no staging or retired directory is left"


def test_without_the_runtime_python_the_bundle_has_sources_and_says_so(
    fake_uv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bundle.main(["--output", str(tmp_path / "lambda")]) == 0
    assert "NOTICE: uv could neither find nor install Python" in capsys.readouterr().out
    assert not list((tmp_path / "lambda").rglob("*.pyc"))
    asked = [command[:2] for command in commands(fake_uv) if command[0] == "python"]
    assert asked == [["python", "find"], ["python", "install"]]


def test_bytecode_replaces_dependency_sources_and_sits_beside_the_apps(
    fake_uv: Path,
    tmp_path: Path,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """compileall runs for real, with this interpreter standing in for the runtime's."""
    monkeypatch.setenv("FAKE_UV_PYTHON", sys.executable)
    output = tmp_path / "lambda"
    assert bundle.main(["--output", str(output)]) == 0
    assert f"compiled by Python {settings.python_version}" in capsys.readouterr().out
    assert (output / "six.pyc").is_file() and not (output / "six.py").exists()
    assert (output / "flask" / "sansio" / "app.pyc").is_file()
    assert not list(output.glob("flask/**/*.py"))
    assert (output / "flask" / "templates" / "page.html").is_file()
    package = output / settings.package_name
    assert (package / "app.py").is_file()
    [pyc] = (package / "__pycache__").glob("app.*.pyc")
    assert int.from_bytes(pyc.read_bytes()[4:8], "little") == 0b01  # unchecked hash (PEP 552)
    kit = output / bundle.KIT_DIR.name  # the project's own too: its tracebacks show lines
    assert (kit / "handler.py").is_file() and list((kit / "__pycache__").glob("handler.*.pyc"))
    assert b"/var/task/" in (output / "six.pyc").read_bytes()


def test_no_bytecode_option_skips_the_search(
    fake_uv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert bundle.main(["--output", str(tmp_path / "lambda"), "--no-bytecode"]) == 0
    assert not [command for command in commands(fake_uv) if command[0] == "python"]
    assert "NOTICE" not in capsys.readouterr().out


# ELF e_machine values (little-endian u16 at offset 18 of the header).
ELF_MACHINES = {"arm64": 183, "x86_64": 62}


@pytest.mark.network
def test_real_build_downloads_wheels_for_the_lambda(tmp_path: Path, settings: Settings) -> None:
    output = tmp_path / "lambda"
    assert bundle.main(["--output", str(output), "--no-bytecode"]) == 0
    [speedups] = (output / "markupsafe").glob("_speedups*.so")
    assert f"cpython-{settings.python_version.replace('.', '')}" in speedups.name
    header = speedups.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    assert int.from_bytes(header[18:20], "little") == ELF_MACHINES[settings.architecture]
    assert not (output / "boto3").exists()
    assert not (output / "botocore").exists()
