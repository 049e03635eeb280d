"""The CloudFront Function's tests are JavaScript: node's test runner runs them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

JS_TESTS = Path(__file__).with_name("viewer_request.test.mjs")
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="node is not installed (needed to run the JS tests)")
def test_viewer_request_function_passes_its_node_tests() -> None:
    assert NODE is not None
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [NODE, "--test", str(JS_TESTS)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
