"""`make lint` and `make format` look at the project's own code only, also in a
project that is not (yet) a git repository, where ruff does not read .gitignore."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from build_tools.tools import PROJECT_ROOT

# Python that `make install`, `build`, `local` and `synth` write: vendored code, not ours.
WRITTEN_BY_MAKE = ("build/lambda", "build/local/runtime", "cdk.out/asset.0123abcd", ".uv/lib")
NOT_LINT_CLEAN = "import os,sys\nx=1\n"


def ruff(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ruff", *arguments, "--no-cache"]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603


def test_ruff_skips_what_the_make_targets_write(tmp_path: Path) -> None:
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "app.py").write_text('"""Our own code."""\n', encoding="utf-8")
    for folder in WRITTEN_BY_MAKE:
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "vendored.py").write_text(NOT_LINT_CLEAN, encoding="utf-8")
    listed = ruff("check", "--show-files", ".", cwd=tmp_path)
    checked = {Path(line).relative_to(tmp_path).as_posix() for line in listed.stdout.split()}
    assert "app.py" in checked, listed.stdout
    assert not {name for name in checked if name.endswith("vendored.py")}, listed.stdout
    for arguments in (("check", "."), ("format", "--check", ".")):
        result = ruff(*arguments, cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
