"""`make install` builds .venv with the Lambda runtime's Python when this machine
has it, and otherwise says which one it used instead."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
RUNTIME = "3.99"  # a version no machine has, unless this test provides it

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def dry_run_install(tmp_path: Path, path: str) -> str:
    make = shutil.which("make")
    assert make is not None
    stamp = tmp_path / "venv" / ".installed"
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [make, "-n", "--no-print-directory", str(stamp), f"VENV={stamp.parent}", "UV=uv",
         f"LAMBDA_PYTHON={RUNTIME}"],
        cwd=PROJECT, env={"PATH": path}, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout


def test_the_runtime_python_is_used_when_there(tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / f"python{RUNTIME}").symlink_to(sys.executable)
    recipe = dry_run_install(tmp_path, f"{tools}:/usr/bin:/bin")
    assert f"--python {tools}/python{RUNTIME}" in recipe
    assert "NOTE" not in recipe


def test_without_it_the_note_says_how_to_match_lambda(tmp_path: Path) -> None:
    recipe = dry_run_install(tmp_path, "/usr/bin:/bin")
    assert "--python python3 " in recipe
    [note] = [line for line in recipe.splitlines() if "NOTE" in line]
    assert f"Python {RUNTIME}" in note and f"uv python install {RUNTIME}" in note


def test_a_python_that_does_not_run_is_not_used(tmp_path: Path) -> None:
    """pyenv puts shims for every installed version on PATH; those of versions not
    selected fail when run."""
    tools = tmp_path / "tools"
    tools.mkdir()
    shim = tools / f"python{RUNTIME}"
    shim.write_text("#!/bin/sh\necho 'pyenv: command not found' >&2\nexit 127\n")
    shim.chmod(0o755)
    recipe = dry_run_install(tmp_path, f"{tools}:/usr/bin:/bin")
    assert "--python python3 " in recipe and "NOTE" in recipe
