"""`make install` checks Node.js against the pinned CDK CLI's minimum, and says
when the installed Node is past its end of life without failing."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from build_tools.node_version import NodeVersionError, check, minimum_major

PROJECT = Path(__file__).resolve().parents[1]
NOVEMBER_2026 = date(2026, 11, 27)


def test_the_minimum_is_the_pinned_cdk_clis() -> None:
    lock = json.loads((PROJECT / "package-lock.json").read_text(encoding="utf-8"))
    engines = lock["packages"]["node_modules/aws-cdk"]["engines"]["node"]
    assert re.fullmatch(rf">=\s*{minimum_major()}(\.0)*", engines)


def test_the_readme_states_that_minimum() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    stated = set(re.findall(r"Node\.js (\d+) or newer", readme))
    assert stated == {str(minimum_major())}


def test_a_node_below_the_minimum_is_refused() -> None:
    with pytest.raises(NodeVersionError, match=rf"v{minimum_major() - 2}\.9\.0.*{minimum_major()}"):
        check(f"v{minimum_major() - 2}.9.0", NOVEMBER_2026)


def test_an_end_of_life_node_gets_a_warning_only() -> None:
    warning = check("v20.20.2", NOVEMBER_2026)
    assert warning is not None and "end of life" in warning and "2026-04-30" in warning
    assert check("v20.20.2", date(2026, 4, 30)) is None


def test_a_supported_node_passes_quietly() -> None:
    assert check("v22.11.0", NOVEMBER_2026) is None
    assert check("v99.0.0", NOVEMBER_2026) is None  # newer than this table: not past it


def test_garbage_is_reported() -> None:
    with pytest.raises(NodeVersionError, match="not-a-version"):
        check("not-a-version", NOVEMBER_2026)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_install_checks_node_before_npm(tmp_path: Path) -> None:
    make = shutil.which("make")
    assert make is not None
    stamp = tmp_path / "node" / ".installed"
    dry_run = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [make, "-n", "--no-print-directory", str(stamp), f"NODE_STAMP={stamp}"],
        cwd=PROJECT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    recipe = dry_run.stdout
    assert "build_tools/node_version.py" in recipe
    assert recipe.index("build_tools/node_version.py") < recipe.index("npm ci")
    assert "22 or newer" not in recipe
