"""Run the CloudFront Function's JavaScript tests under node and check every one passed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

TESTS_DIR = Path(__file__).resolve().parent
JS_TESTS = TESTS_DIR / "viewer_request.test.mjs"
NODE = shutil.which("node")


def tap_summary(output: str) -> dict[str, int]:
    """The `# pass N`, `# fail N`, ... totals at the end of node's TAP report."""
    return {name: int(count) for name, count in re.findall(r"^# (\w+) (\d+)$", output, re.M)}


def declared_tests(source: str) -> int:
    return len(re.findall(r"^test\(", source, re.M))


def test_tap_summary_reads_the_totals() -> None:
    report = "ok 1 - a\n1..1\n# tests 1\n# pass 1\n# fail 0\n# duration_ms 5.2\n"
    assert tap_summary(report) == {"tests": 1, "pass": 1, "fail": 0}


@pytest.mark.skipif(NODE is None, reason="node is not installed (needed to run the JS tests)")
def test_viewer_request_function_passes_its_node_tests() -> None:
    assert NODE is not None
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [NODE, "--test", "--test-reporter=tap", str(JS_TESTS)],
        cwd=TESTS_DIR.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = result.stdout + result.stderr
    summary = tap_summary(result.stdout)
    expected = declared_tests(JS_TESTS.read_text(encoding="utf-8"))
    assert result.returncode == 0, report
    assert expected >= 5, "the JS test file declares fewer tests than expected"
    assert summary.get("pass") == expected, report
    assert summary.get("fail") == 0, report
    assert summary.get("cancelled", 0) == summary.get("skipped", 0) == summary.get("todo", 0) == 0
