"""Run uv and other commands for the bundle builder, in the project."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class BundleError(Exception):
    """The bundle could not be built."""


@contextmanager
def replaced_whole(output: Path) -> Iterator[Path]:
    """A folder to build into that takes `output`'s place only when the block
    succeeds: a failed build never leaves a half-written output."""
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    retired = output.with_name(f".{output.name}.old-{os.getpid()}")
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; Lambda and S3 uploads read it
        yield staging
        if output.exists():
            output.rename(retired)
        staging.rename(output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)


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
