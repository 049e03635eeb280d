"""The benchmark (bench/) still works: its quick mode runs end to end.

No timing is asserted: CI machines are noisy. This only proves every
contender is measured and every figure is reported.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench.contenders import CONTENDERS
from bench.report import FIGURES, figure

from .baking import TEMPLATE_DIR, run

pytestmark = [pytest.mark.network, pytest.mark.xdist_group("bench")]

# moto's server mode; `make test` installs it from bench/requirements.txt.
pytest.importorskip("flask_cors", reason="bench/requirements.txt is not installed")


def test_quick_mode_reports_every_contender_and_figure(tmp_path: Path) -> None:
    results_file = tmp_path / "results.json"
    result = run(
        [
            sys.executable,
            "-m",
            "bench.run",
            "--quick",
            "--json",
            str(results_file),
            "--work-dir",
            str(tmp_path / "work"),
        ],
        cwd=TEMPLATE_DIR,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    results = json.loads(results_file.read_text(encoding="utf-8"))
    assert results["quick"] is True
    assert set(results["contenders"]) == {contender.name for contender in CONTENDERS}
    for contender in CONTENDERS:
        for key in FIGURES:
            value = figure(results, contender.name, key)
            assert value == value and value > 0, (contender.name, key)  # not NaN, positive
    assert set(results["baseline_ms"]) == {"cached", "lambda", "sources"}
    assert set(results["contenders"]["generated"]["cold_sources_ms"]) == {"/api/time", "/session"}
    assert results["bytecode_written_in_read_only_copies"] is False
    assert all(set(goal) == {"goal", "value", "limit", "holds"} for goal in results["goals"])
    for contender in CONTENDERS:  # every round's figures, for the paired ratios of the goals
        rounds = results["rounds"][contender.name]
        assert len(rounds["cold_cached_ms"]["/api/time"]) == 1
        assert len(rounds["warm_us"]["/api/time"]) == 2
    for contender in CONTENDERS:
        assert contender.label in result.stdout  # the markdown table
