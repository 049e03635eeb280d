"""The locked dependencies, as wheels for the Lambda's Linux, architecture and Python."""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.package_name }}.settings import Settings

from .tools import run, uv

# Lambda's Python 3.12+ runtimes run on Amazon Linux 2023, whose glibc is 2.34.
PLATFORMS = {"arm64": "aarch64-manylinux_2_34", "x86_64": "x86_64-manylinux_2_34"}
RUNTIME_PROVIDED = ("boto3", "botocore")
# Copied from its sources by bundle.py: a folder of the project, not a wheel.
KIT_DISTRIBUTION = "serverless-flask-kit"


def install_dependencies(target: Path, settings: Settings) -> None:
    """Install uv.lock's runtime pins into `target`, hashes checked, wheels only (uv
    names a dependency that has no wheel for the Lambda)."""
    requirements = target / "requirements.txt"
    left_out = (*RUNTIME_PROVIDED, KIT_DISTRIBUTION)
    excluded = [option for name in left_out for option in ("--no-emit-package", name)]
    # fmt: off
    run(uv(), "export", "--frozen", "--no-default-groups", "--no-emit-project", "--quiet",
        *excluded, "--output-file", str(requirements))
    run(uv(), "pip", "install", "--quiet", "--target", str(target), "--no-deps",
        "--python-platform", PLATFORMS[settings.architecture],
        "--python-version", settings.python_version, "--only-binary", ":all:",
        "--no-compile-bytecode", "--no-installer-metadata", "--requirement", str(requirements))
    # fmt: on
    requirements.unlink()
