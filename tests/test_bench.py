"""The benchmark (bench/) still works: its quick mode runs end to end.

No timing is asserted: CI machines are noisy. This only proves every
contender is measured and every figure is reported.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from bench import cpu_model
from bench import run as bench_run
from bench.contenders import CONTENDERS, DESIGNS
from bench.events import PATHS
from bench.prepare import RUNTIME_REQUIREMENTS
from bench.report import FIGURES, MODEL_CASES, figure
from local_extensions import canonical

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
            if key.startswith("cold_"):
                # Net of the bare interpreter's start: in one round on a busy
                # machine either may take longer. The gross start is a duration.
                value += results["baseline_ms"][key.split(".")[0].split("_")[1]]
            assert math.isfinite(value) and value > 0, (contender.name, key)
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
    assert runtime_distributions(tmp_path / "work") == pinned_runtime()
    model = results["model"]
    if "skipped" in model:  # not root, or no CPU controller: said in one line
        assert "Lambda CPU model skipped:" in result.stderr
        return
    (size,) = model["sizes_mb"]
    for case in MODEL_CASES:
        for design in DESIGNS:
            for path in PATHS:
                figures = model["figures"][case][str(size)][design.name][path]
                assert figures["sum_ms"] > figures["init_ms"] > 0, (case, design.name, path)
                assert figures["first_ms"] > 0 and figures["warm_us"] > 0
    assert all(cost > 0 for cost in model["cost_per_million_usd"][str(size)].values())
    assert any(goal["goal"].startswith("init throttled too") for goal in results["goals"])
    assert "Lambda CPU model" in result.stdout
    assert not leftover_groups()


def pinned_runtime() -> dict[str, str]:
    lines = RUNTIME_REQUIREMENTS.read_text(encoding="utf-8").splitlines()
    pins = (line.split("==") for line in lines if line and not line.startswith("#"))
    return {canonical(name): version for name, version in pins}


def runtime_distributions(work_dir: Path) -> dict[str, str]:
    """The runtime venv's distributions (bar the installer's own), each with its bytecode."""
    (site_packages,) = work_dir.glob("runtime-*/lib/python3.*/site-packages")
    found = {}
    for metadata in site_packages.glob("*.dist-info"):
        name, version = metadata.name.removesuffix(".dist-info").rsplit("-", 1)
        if canonical(name) in ("pip", "setuptools"):
            continue
        records = (metadata / "RECORD").read_text(encoding="utf-8").splitlines()
        files = [line.split(",")[0] for line in records]
        # Importable modules only: scripts (../../../bin/) are never imported.
        modules = [site_packages / f for f in files if f.endswith(".py") and ".." not in f]
        uncompiled = [module for module in modules if not bytecode_of(module)]
        assert uncompiled == [], f"{name} was installed without bytecode"
        found[canonical(name)] = version
    return found


def bytecode_of(module: Path) -> list[Path]:
    return list((module.parent / "__pycache__").glob(f"{module.stem}.cpython-*.pyc"))


def leftover_groups() -> list[Path]:
    return [
        path
        for root in (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/cpu"))
        if root.is_dir()
        for path in root.glob("lambda-cpu-model-*")
    ]


V1_MOUNTS = """\
tmpfs /sys/fs/cgroup tmpfs rw,relatime,mode=755 0 0
cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0
cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
"""


def test_the_model_finds_a_cgroup_v1_cpu_hierarchy() -> None:
    assert cpu_model.cpu_hierarchy(V1_MOUNTS) == (Path("/sys/fs/cgroup/cpu,cpuacct"), 1)


def test_the_model_finds_a_cgroup_v2_hierarchy_with_the_cpu_controller(tmp_path: Path) -> None:
    (tmp_path / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    mounts = f"cgroup2 {tmp_path} cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n"
    assert cpu_model.cpu_hierarchy(mounts) == (tmp_path, 2)


def test_without_a_cpu_controller_the_model_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "cgroup.controllers").write_text("memory pids\n")
    mounts = f"cgroup2 {tmp_path} cgroup2 rw 0 0\nproc /proc proc rw 0 0\n"
    with pytest.raises(cpu_model.NoCpuGroups):
        cpu_model.cpu_hierarchy(mounts)


def test_an_invocation_gets_cpu_in_proportion_to_memory() -> None:
    assert cpu_model.quota_us(1769) == cpu_model.PERIOD_US
    assert cpu_model.quota_us(256) == 14_471  # 14.5% of one CPU


def test_billing_rounds_each_duration_up_and_bills_init() -> None:
    # 1 GB: 1.2 ms bills 2 ms; a million such requests also pay $0.20.
    assert cpu_model.billed_usd(1.2, 1024) == pytest.approx(0.002 * 0.0000133334 + 0.2e-6)
    all_warm = cpu_model.cost_per_million(cold_ms=1.2, warm_ms=1.2, memory_mb=1024)
    assert all_warm == pytest.approx(1e6 * (0.002 * 0.0000133334) + 0.20)
    with_cold = cpu_model.cost_per_million(cold_ms=500, warm_ms=1.2, memory_mb=1024)
    assert with_cold - all_warm == pytest.approx(1e4 * 0.498 * 0.0000133334)


@pytest.mark.parametrize(
    ("runtime_version", "has_bytecode"),
    [("3.11.7", False), ("3.13.0", False), ("3.11.7", True)],
)
def test_a_full_run_unlike_lambda_stops_before_measuring(
    runtime_version: str, has_bytecode: bool
) -> None:
    workspace = SimpleNamespace(python_version="3.13", runtime_version=runtime_version)
    with pytest.raises(SystemExit, match=r"uv python install 3\.13"):
        bench_run.refuse_unlike_lambda(workspace, has_bytecode)


def test_a_full_run_on_the_runtimes_python_with_bytecode_goes_on() -> None:
    workspace = SimpleNamespace(python_version="3.13", runtime_version="3.13.0")
    bench_run.refuse_unlike_lambda(workspace, True)
