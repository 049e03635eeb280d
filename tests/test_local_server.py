"""`make local` in a baked project, by the project's own end-to-end test of it:
the bundle is built (wheels from the package index), the server started on
free ports and driven over HTTP."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .baking import SKIP_INSTALL, TEMPLATE_DIR, run

pytestmark = [pytest.mark.network, pytest.mark.xdist_group("local-server")]


def test_make_local_serves_the_demo_routes_as_deployed(tmp_path: Path) -> None:
    command = ["cookiecutter", "--no-input", "--output-dir", str(tmp_path), str(TEMPLATE_DIR)]
    baked = run(command, cwd=tmp_path, env=SKIP_INSTALL)
    assert baked.returncode == 0, baked.stderr
    [project] = [path for path in tmp_path.iterdir() if path.is_dir()]
    pytest_command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    pytest_command += ["-p", "no:xdist", "-m", "network", "tests/infra/test_local_server.py"]
    result = run(
        pytest_command,
        cwd=project,
        env={"PYTHONDONTWRITEBYTECODE": "1", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"},
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout, result.stdout[-2000:]
