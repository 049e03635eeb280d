"""Build the Lambda code into build/lambda, without Docker (`make build`).

uv installs the dependencies pinned in uv.lock, hashes checked, as wheels for the
Lambda's Linux, architecture and Python (a dependency without one fails the
build, and uv names it), except boto3 and botocore, which the runtime provides.
The app package goes beside them; tests, caches and console scripts stay out,
and so do its static files, which CloudFront serves from S3: the bundle has
only their manifest, the fingerprinted names the pages link to
(static_assets.py).

Lambda's code directory is read-only, so Python cannot cache bytecode there and
recompiles each module it imports on every cold start unless the bundle ships
it. The runtime's Python version, which uv finds here or installs, compiles it:
unchecked-hash .pyc files in place of the dependencies' sources, beside the
app's. If uv can neither find nor download it, the bundle has sources only.

A fingerprint of the inputs kept in the output skips rebuilding when none
changed; the bundle is built beside the output and swapped in when complete.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from {{ cookiecutter.package_name }}.settings import Settings, load_settings
from {{ cookiecutter.package_name }}.static_files import MANIFEST_NAME

from . import static_assets

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = PROJECT_ROOT / "build" / "lambda"
FINGERPRINT_FILE = ".bundle-fingerprint"
# Lambda's Python 3.12+ runtimes run on Amazon Linux 2023, whose glibc is 2.34.
PLATFORMS = {"arm64": "aarch64-manylinux_2_34", "x86_64": "x86_64-manylinux_2_34"}
RUNTIME_PROVIDED = ("boto3", "botocore")
LEFT_OUT = ("__pycache__", "tests")  # directories, wherever they are; and .pyc files
# Where the code lives on Lambda: tracebacks name it, not the build directory.
LAMBDA_TASK_ROOT = "/var/task"
MAGIC = "import importlib.util; print(importlib.util.MAGIC_NUMBER.hex())"


class BundleError(Exception):
    """The bundle could not be built."""


def left_out(relative: Path) -> bool:
    return relative.suffix == ".pyc" or any(part in LEFT_OUT for part in relative.parts)


def copy_package(package_dir: Path, target: Path) -> None:
    """The app package into `target`, its static files replaced by their manifest."""
    static = static_assets.source_dir(package_dir)
    shutil.copytree(
        package_dir,
        target / package_dir.name,
        ignore=lambda folder, names: {
            name
            for name in names
            if left_out(Path(folder, name).relative_to(package_dir)) or Path(folder, name) == static
        },
    )
    manifest = json.dumps(static_assets.manifest(static), indent=2, sort_keys=True)
    (target / package_dir.name / MANIFEST_NAME).write_text(manifest + "\n", encoding="utf-8")


def uv() -> str:
    """uv: $UV (the Makefile sets it), else on PATH, else beside this Python."""
    beside = Path(sys.executable).with_name("uv")
    if found := os.environ.get("UV") or shutil.which("uv") or (beside.is_file() and str(beside)):
        return found
    raise BundleError("uv is not installed: `make build` installs it")


def run(*command: str) -> str:
    """Run a command in the project: its output, or BundleError with its errors."""
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BundleError(f"{Path(command[0]).name} {command[1]} failed:\n{result.stderr.strip()}")
    return result.stdout


def find_python(version: str) -> str | None:
    """The runtime's Python as uv finds it, or installs it; None if it cannot."""
    for step in ([], ["install", version]):
        try:
            if step:
                run(uv(), "python", *step)
            return run(uv(), "python", "find", "--no-project", version).strip()
        except BundleError:
            pass
    return None


def install_dependencies(target: Path, settings: Settings) -> None:
    requirements = target / "requirements.txt"
    excluded = [option for name in RUNTIME_PROVIDED for option in ("--no-emit-package", name)]
    # fmt: off
    run(uv(), "export", "--frozen", "--no-default-groups", "--no-emit-project", "--quiet",
        *excluded, "--output-file", str(requirements))
    run(uv(), "pip", "install", "--quiet", "--target", str(target), "--no-deps",
        "--python-platform", PLATFORMS[settings.architecture],
        "--python-version", settings.python_version, "--only-binary", ":all:",
        "--no-compile-bytecode", "--no-installer-metadata", "--requirement", str(requirements))
    # fmt: on
    requirements.unlink()
    shutil.rmtree(target / "bin", ignore_errors=True)  # console scripts
    for path in sorted(target.rglob("*"), reverse=True):
        if path.name in LEFT_OUT and path.is_dir():
            shutil.rmtree(path)


def compile_bytecode(target: Path, package: str, python: str) -> None:
    dependencies = [p for p in target.iterdir() if p.name != package and p.suffix != ".dist-info"]
    command = [python, "-I", "-m", "compileall", "-q", "-j", "0", "-s", str(target)]
    command += ["-p", LAMBDA_TASK_ROOT, "--invalidation-mode", "unchecked-hash"]
    run(*command, "-b", *map(str, dependencies))  # -b: each .pyc where its .py was
    for source in target.rglob("*.py"):
        if source.relative_to(target).parts[0] != package and source.with_suffix(".pyc").exists():
            source.unlink()
    run(*command, str(target / package))


def fingerprint(settings: Settings, package_dir: Path, python: str | None) -> str:
    """A hash of what the bundle is made from and how (the builder, the bytecode format)."""
    inputs = {
        "builder": Path(__file__).read_bytes() + Path(static_assets.__file__).read_bytes(),
        "lock": (PROJECT_ROOT / "uv.lock").read_bytes(),
        "settings": json.dumps(asdict(settings), sort_keys=True).encode(),
        "bytecode": run(python, "-I", "-c", MAGIC).encode() if python else b"none",
    }
    for path in sorted(package_dir.rglob("*")):
        if path.is_file() and not left_out(path.relative_to(package_dir)):
            inputs[path.relative_to(package_dir).as_posix()] = path.read_bytes()
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
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    retired = output.with_name(f".{output.name}.old-{os.getpid()}")
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; Lambda needs it readable
        install_dependencies(staging, settings)
        copy_package(package_dir, staging)
        if python:
            compile_bytecode(staging, package_dir.name, python)
        (staging / FINGERPRINT_FILE).write_text(stamp + "\n", encoding="utf-8")
        if output.exists():
            output.rename(retired)
        staging.rename(output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
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
