"""The baked project's CDK CLI tests, with the CLI really installed: synth
through the pinned `cdk` prints no notice of unconfigured feature flags."""

from __future__ import annotations

import shutil
import sys
from typing import Any

import pytest

from .baking import bake, run


@pytest.mark.network
def test_cdk_cli_synth_finds_every_feature_flag_configured(cookies_session: Any) -> None:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("node and npm are needed to run the CDK CLI")
    project, _ = bake(cookies_session)
    installed = run([npm, "ci", "--no-audit", "--no-fund"], cwd=project, timeout=300)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    tests = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "-rs", "tests/infra/test_cdk_flags.py"],
        cwd=project,
        env={"PYTHONDONTWRITEBYTECODE": "1", "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"},
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout and "skipped" not in tests.stdout, tests.stdout[-2000:]
