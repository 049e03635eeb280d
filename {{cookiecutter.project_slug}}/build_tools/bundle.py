"""Build the Lambda code into build/lambda, without Docker (`make build`).

The locked dependencies as Lambda wheels (not boto3 and botocore: the runtime has them),
the kit's package from its sources (kit/), the app package without its static files
(CloudFront serves them from S3; the bundle has only their fingerprinted names,
static_assets.py), and bytecode when uv can find or install the runtime's Python; no
tests, caches or console scripts. Nothing is rebuilt
while the inputs' fingerprint is unchanged, and a build is swapped in whole, so a
failed one leaves the last in place.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

import serverless_flask_kit
from serverless_flask_kit.static_files import MANIFEST_NAME

from {{ cookiecutter.package_name }}.settings import Settings, load_settings

from . import static_assets
from .bytecode import bytecode_format, compile_bytecode
from .dependencies import install_dependencies
from .tools import PROJECT_ROOT, BundleError, find_python, replaced_whole

DEFAULT_OUTPUT = PROJECT_ROOT / "build" / "lambda"
FINGERPRINT_FILE = ".bundle-fingerprint"
# The kit's package, where the project's environment has it (kit/src, installed editable).
KIT_DIR = Path(serverless_flask_kit.__file__).parent
LEFT_OUT = ("__pycache__", "tests")  # directories, wherever they are; and .pyc files


def left_out(relative: Path) -> bool:
    return relative.suffix == ".pyc" or any(part in LEFT_OUT for part in relative.parts)


def copy_sources(package_dir: Path, target: Path, *, leave_out: Path | None = None) -> None:
    """`package_dir` into `target`, without tests, caches and `leave_out`."""
    shutil.copytree(
        package_dir,
        target / package_dir.name,
        ignore=lambda folder, names: {
            name
            for name in names
            if left_out(Path(folder, name).relative_to(package_dir))
            or Path(folder, name) == leave_out
        },
    )


def copy_package(package_dir: Path, target: Path) -> None:
    """The app package into `target`, its static files replaced by their manifest."""
    static = static_assets.source_dir(package_dir)
    copy_sources(package_dir, target, leave_out=static)
    manifest = json.dumps(static_assets.manifest(static), indent=2, sort_keys=True)
    (target / package_dir.name / MANIFEST_NAME).write_text(manifest + "\n", encoding="utf-8")


def prune(target: Path) -> None:
    """Remove console scripts, tests and caches the wheels brought."""
    shutil.rmtree(target / "bin", ignore_errors=True)
    for path in sorted(target.rglob("*"), reverse=True):
        if path.name in LEFT_OUT and path.is_dir():
            shutil.rmtree(path)


def fingerprint(settings: Settings, package_dir: Path, python: str | None) -> str:
    """A hash of what the bundle is made from and how (the builder, the bytecode format)."""
    inputs = {
        "lock": (PROJECT_ROOT / "uv.lock").read_bytes(),
        "settings": json.dumps(asdict(settings), sort_keys=True).encode(),
        "bytecode": bytecode_format(python).encode(),
    }
    for module in sorted(Path(__file__).parent.glob("*.py")):
        inputs[f"builder/{module.name}"] = module.read_bytes()
    for source_dir in (package_dir, KIT_DIR):
        for path in sorted(source_dir.rglob("*")):
            if path.is_file() and not left_out(path.relative_to(source_dir)):
                inputs[path.relative_to(source_dir.parent).as_posix()] = path.read_bytes()
    digest = hashlib.sha256()
    for label, data in inputs.items():
        digest.update(f"{label}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def build(output: Path, settings: Settings, python: str | None, force: bool = False) -> bool:
    """Build the bundle into `output`; False if it was up to date."""
    package_dir = PROJECT_ROOT / settings.package_name
    stamp = fingerprint(settings, package_dir, python)
    stamp_file = output / FINGERPRINT_FILE
    if not force and stamp_file.is_file() and stamp_file.read_text().strip() == stamp:
        return False
    with replaced_whole(output) as staging:
        install_dependencies(staging, settings)
        prune(staging)
        copy_sources(KIT_DIR, staging)
        copy_package(package_dir, staging)
        if python:
            compile_bytecode(staging, (KIT_DIR.name, package_dir.name), python)
        (staging / FINGERPRINT_FILE).write_text(stamp + "\n", encoding="utf-8")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m build_tools.bundle", description=__doc__)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    parser.add_argument("--no-bytecode", action="store_true", help="ship sources only")
    arguments = parser.parse_args(argv)
    output, settings = arguments.output.resolve(), load_settings()
    version = settings.python_version
    try:
        python = None if arguments.no_bytecode else find_python(version)
        if not build(output, settings, python, arguments.force):
            print(f"{output} is up to date; nothing to do (--force rebuilds it).")
            return 0
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if python:
        print(f"Bytecode: compiled by Python {version} at {python}.")
    elif not arguments.no_bytecode:
        print(
            f"NOTICE: uv could neither find nor install Python {version} (offline?), so the "
            "bundle has no bytecode: each cold start recompiles every module it imports "
            f"(about +100 ms). It still works; `uv python install {version}` fixes it."
        )
    size = sum(path.stat().st_size for path in output.rglob("*") if path.is_file())
    print(f"Built {output} for Python {version} on {settings.architecture}: {size / 1e6:.2f} MB.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
