"""Run the benchmark: `python -m bench.run --json results.json [--quick] [--update-readme]`.

Bakes the default project, builds its Lambda bundle, then measures every
contender side by side, round-robin (each round visits every contender, in an
order that rotates from round to round), so the machine's noise is shared.
Prints a markdown table (each figure with its ratio to bare Flask) and writes
the raw numbers as JSON.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeVar

from bench import cpu_model, measure, prepare, report, s3
from bench.contenders import CONTENDERS, DESIGNS, LAZY
from bench.events import ORIGIN_SECRET, PATHS, STANDBY_ORIGIN_SECRET

T = TypeVar("T")
COLD_PATHS = ("/api/time", "/session")
MODES = {"cached": True, "lambda": False, "sources": False}  # may Python write bytecode?
# Lambda-like without shipped bytecode: measured for the generated handler only.
SOURCES_ONLY = "generated"
BUCKET = "bench-secret-key"
KEY_OBJECT = "flask-secret-key.json"


class Plan:
    """How much to measure."""

    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.cold_rounds = 1 if quick else 25
        self.warm_rounds = 2 if quick else 15
        self.warm_events = 20 if quick else 300
        self.rss_rounds = 1 if quick else 3
        self.rss_events = 1000
        # Lambda's CPU model: quick mode only proves it runs (one size, fast).
        self.model_sizes = (cpu_model.ONE_VCPU_MB,) if quick else cpu_model.MEMORY_SIZES_MB
        self.model_rounds = 1 if quick else 11
        self.pessimistic_rounds = 1 if quick else 3  # init throttled: slow at small sizes
        self.model_warm_events = 5 if quick else 100


def rotated(items: Sequence[T], by: int) -> list[T]:
    shift = by % len(items)
    return [*items[shift:], *items[:shift]]


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "date": datetime.date.today().isoformat(),
    }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_cold(
    runtime: measure.Runtime, bundles: dict[str, Path], plan: Plan
) -> tuple[dict[str, Any], dict[str, float], dict[str, Any]]:
    """Net cold-start milliseconds per contender, mode and path (medians), the
    baselines, and each round's net milliseconds (contender -> mode -> path)."""
    names = [contender.name for contender in CONTENDERS]
    tasks = [
        (mode, name, path)
        for mode in MODES
        for name in names
        for path in COLD_PATHS
        if mode != "sources" or name == SOURCES_ONLY
    ]
    tasks += [(mode, "", "") for mode in MODES]  # the bare interpreter start
    samples: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    boto3: dict[tuple[str, str], bool] = {}
    for mode, name, path in tasks:  # the cached copy's bytecode, before its first sample
        if name and MODES[mode]:
            measure.cold_start(runtime, bundles[mode], name, path, write_bytecode=True)
    for index in range(plan.cold_rounds):
        for mode, name, path in rotated(tasks, index * 5):
            bundle, writes = bundles[mode], MODES[mode]
            if not name:
                seconds = measure.baseline_seconds(runtime, bundle, write_bytecode=writes)
            else:
                result = measure.cold_start(runtime, bundle, name, path, write_bytecode=writes)
                seconds = result.seconds
                boto3[name, path] = boto3.get((name, path), False) or result.boto3_imported
            samples[mode, name, path].append(seconds)
        log(f"  cold round {index + 1}/{plan.cold_rounds}")
    baselines = {mode: measure.median(samples[mode, "", ""]) * 1000 for mode in MODES}
    cold: dict[str, Any] = {name: defaultdict(dict) for name in names}
    rounds: dict[str, Any] = {name: defaultdict(dict) for name in names}
    for (mode, name, path), values in samples.items():
        if name:
            net = measure.median(values) * 1000 - baselines[mode]
            cold[name][f"cold_{mode}_ms"][path] = round(net, 2)
            cold[name]["boto3_imported"][path] = boto3[name, path]
            # Net of the same round's baseline: a slower stretch of the run then
            # scales both terms of a per-round ratio alike.
            same_round = zip(values, samples[mode, "", ""], strict=True)
            rounds[name][f"cold_{mode}_ms"][path] = [
                round((seconds - baseline) * 1000, 3) for seconds, baseline in same_round
            ]
    return cold, {mode: round(value, 2) for mode, value in baselines.items()}, rounds


def measure_warm(
    runtime: measure.Runtime, bundle: Path, plan: Plan
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, list[float]]]]:
    """Median microseconds per event for each contender and path, and each round's.

    Every round starts a fresh process per contender: what one process's
    memory layout and hash seed do to its speed is then noise shared out over
    the rounds, not a bias that stays with one contender for the whole run.
    """
    samples: dict[tuple[str, str], list[float]] = defaultdict(list)
    for index in range(plan.warm_rounds):
        workers = [measure.WarmWorker(runtime, bundle, contender.name) for contender in CONTENDERS]
        try:
            for worker in workers:  # warm-up: first requests, lazy imports, the secret key
                for path in PATHS:
                    worker.microseconds_per_event(path, plan.warm_events)
            for worker in rotated(workers, index):
                for path in rotated(PATHS, index):
                    us = worker.microseconds_per_event(path, plan.warm_events)
                    samples[worker.contender, path].append(us)
        finally:
            for worker in workers:
                worker.close()
    log(f"  warm: {plan.warm_rounds} rounds of {plan.warm_events} events per path")
    warm: dict[str, dict[str, float]] = defaultdict(dict)
    rounds: dict[str, dict[str, list[float]]] = defaultdict(dict)
    for (name, path), values in samples.items():
        warm[name][path] = round(measure.median(values), 1)
        rounds[name][path] = [round(us, 2) for us in values]
    return warm, rounds


def measure_model(
    runtime: measure.Runtime, bundle: Path, plan: Plan, default_mb: int
) -> dict[str, Any]:
    """Lambda's CPU model (cpu_model.py) for every route: every design at the
    default memory size (where the goals are checked), today's and the
    generated one at every size; or {"skipped": why} where no CPU cgroup can be made."""
    goal_mb = default_mb if default_mb in plan.model_sizes else plan.model_sizes[0]
    try:
        with cpu_model.cpu_groups(plan.model_sizes) as groups:
            samples = model_samples(runtime, bundle, plan, groups, goal_mb)
    except cpu_model.NoCpuGroups as error:
        log(f"Lambda CPU model skipped: {error}")
        return {"skipped": str(error)}
    return model_results(samples, plan, default_mb, goal_mb)


ModelKey = tuple[str, int, str, str]  # case, memory MB, design, path


def model_samples(
    runtime: measure.Runtime,
    bundle: Path,
    plan: Plan,
    groups: dict[int, cpu_model.CpuGroup],
    goal_mb: int,
) -> dict[ModelKey, list[measure.ModelStart]]:
    tasks = [
        (case, size, design.name, path)
        for case in report.MODEL_CASES
        for size in plan.model_sizes
        for design in DESIGNS
        if size == goal_mb or design.name in (LAZY, report.DEFAULT_DESIGN)
        for path in PATHS
    ]
    samples: dict[ModelKey, list[measure.ModelStart]] = defaultdict(list)
    for index in range(plan.model_rounds):
        for case, size, design, path in rotated(tasks, index * 7):
            throttle_init = case == "pessimistic"
            if throttle_init and index >= plan.pessimistic_rounds:
                continue
            samples[case, size, design, path].append(
                measure.model_start(
                    runtime,
                    bundle,
                    design,
                    path,
                    memory_mb=size,
                    procs_file=groups[size].procs_file,
                    throttle_init=throttle_init,
                    warm_events=plan.model_warm_events,
                )
            )
        log(f"  model round {index + 1}/{plan.model_rounds}")
    return samples


def model_results(
    samples: dict[ModelKey, list[measure.ModelStart]], plan: Plan, default_mb: int, goal_mb: int
) -> dict[str, Any]:
    """Medians per case, size, design and path; each round's sums; costs; prices."""
    figures: dict[str, Any] = {}
    rounds: dict[str, Any] = {}
    for (case, size, design, path), starts in samples.items():
        sums = [start.init_ms + start.first_ms for start in starts]
        figures.setdefault(case, {}).setdefault(str(size), {}).setdefault(design, {})[path] = {
            "init_ms": round(measure.median(start.init_ms for start in starts), 2),
            "first_ms": round(measure.median(start.first_ms for start in starts), 2),
            "sum_ms": round(measure.median(sums), 2),
            "warm_us": round(measure.median(start.warm_us for start in starts), 1),
        }
        per_size = rounds.setdefault(case, {}).setdefault(str(size), {})
        per_size.setdefault(design, {})[path] = [round(value, 2) for value in sums]
    costs: dict[str, dict[str, float]] = defaultdict(dict)
    for size, designs in figures["model"].items():
        for design, paths in designs.items():
            cold_ms = statistics.mean(figure["sum_ms"] for figure in paths.values())
            warm_ms = statistics.mean(figure["warm_us"] for figure in paths.values()) / 1000
            cost = cpu_model.cost_per_million(cold_ms, warm_ms, int(size))
            costs[size][design] = round(cost, 4)
    return {
        "sizes_mb": list(plan.model_sizes),
        "default_memory_mb": default_mb,
        # The goals are checked at the default memory size, or where quick mode measures.
        "goal_memory_mb": goal_mb,
        "rounds_measured": {"model": plan.model_rounds, "pessimistic": plan.pessimistic_rounds},
        "designs": {design.name: design.label for design in DESIGNS},
        "figures": figures,
        "rounds": rounds,
        "cost_per_million_usd": costs,
        "cold_share": cpu_model.COLD_SHARE,
        "prices": cpu_model.PRICES,
    }


def measure_rss(runtime: measure.Runtime, bundle: Path, plan: Plan) -> dict[str, float]:
    samples: dict[str, list[float]] = defaultdict(list)
    for index in range(plan.rss_rounds):
        for contender in rotated(CONTENDERS, index):
            peak = measure.peak_rss_bytes(runtime, bundle, contender.name, plan.rss_events)
            samples[contender.name].append(peak)
    return {name: round(measure.median(values) / 1_000_000, 2) for name, values in samples.items()}


def bundle_sizes(workspace: prepare.Workspace) -> dict[str, tuple[float, float]]:
    """Zipped and unzipped MB of what each contender would deploy.

    The generated handler: its bundle as built (bytecode included). The others:
    the same bundle built with --no-bytecode, plus the packages they add.
    """
    site_packages = next(workspace.runtime_python.parent.parent.glob("lib/python*/site-packages"))
    sizes: dict[str, tuple[float, float]] = {}
    for contender in CONTENDERS:
        root = workspace.bundle if contender.name == "generated" else workspace.source_bundle
        files = [(path, path.relative_to(root).as_posix()) for path in measure.tree_files(root)]
        for module in contender.extra_modules:
            for path in [site_packages / f"{module}.py", *(site_packages / module).rglob("*")]:
                if path.is_file() and "__pycache__" not in path.parts:
                    files.append((path, path.relative_to(site_packages).as_posix()))
        unzipped, zipped = measure.zip_sizes(files)
        sizes[contender.name] = (round(zipped / 1_000_000, 3), round(unzipped / 1_000_000, 3))
    return sizes


def run(work_dir: Path, plan: Plan) -> dict[str, Any]:
    started = time.perf_counter()
    log(f"Preparing in {work_dir} (bake, bundle, runtime)...")
    workspace = prepare.prepare(work_dir)
    log(workspace.build_log.strip())
    bundles = {
        "cached": prepare.writable_copy(workspace.source_bundle, work_dir / "bundle-cached"),
        "lambda": prepare.read_only_copy(workspace.bundle, work_dir / "bundle-lambda"),
        "sources": prepare.read_only_copy(workspace.source_bundle, work_dir / "bundle-ro-src"),
    }
    shipped_caches = prepare.bytecode_caches(bundles["lambda"])
    if not plan.quick:
        refuse_unlike_lambda(workspace, bool(shipped_caches))
    config = {"SECRET_KEY_BUCKET": BUCKET, "SECRET_KEY_OBJECT": KEY_OBJECT}
    with s3.moto_server() as endpoint:
        s3.store_secret_key(endpoint, BUCKET, KEY_OBJECT)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8",
            "JSON_CONFIG_OVERRIDE": json.dumps(
                {**config, "ORIGIN_SECRET": [STANDBY_ORIGIN_SECRET, ORIGIN_SECRET]}
            ),
            **s3.aws_environment(endpoint),
        }
        runtime = measure.Runtime(workspace.runtime_python, workspace.package, env)
        log(f"Cold starts ({plan.cold_rounds} rounds)...")
        cold, baselines, cold_rounds = measure_cold(runtime, bundles, plan)
        log("Warm requests...")
        warm, warm_rounds = measure_warm(runtime, bundles["cached"], plan)
        log(f"Peak RSS after {plan.rss_events} events...")
        rss = measure_rss(runtime, bundles["cached"], plan)
        log(f"Lambda CPU model ({plan.model_rounds} rounds)...")
        model = measure_model(runtime, bundles["lambda"], plan, workspace.memory_mb)
    sizes = bundle_sizes(workspace)
    results: dict[str, Any] = {
        "quick": plan.quick,
        "machine": machine(),
        "runtime_python": workspace.runtime_version,
        "python_version": workspace.python_version,
        "architecture": prepare.host_architecture(),
        "bundle_has_bytecode": bool(shipped_caches),
        "bytecode_written_in_read_only_copies": (
            prepare.bytecode_caches(bundles["lambda"]) != shipped_caches
            or bool(prepare.bytecode_caches(bundles["sources"]))
        ),
        "baseline_ms": baselines,
        "contenders": {
            contender.name: {
                "label": contender.label,
                **cold[contender.name],
                "warm_us": warm[contender.name],
                "peak_rss_mb": rss[contender.name],
                "bundle_zipped_mb": sizes[contender.name][0],
                "bundle_unzipped_mb": sizes[contender.name][1],
            }
            for contender in CONTENDERS
        },
        # Every round's figures, in round order: goals that compare two figures
        # take the median of their per-round ratios (see report.py).
        "rounds": {
            contender.name: {**cold_rounds[contender.name], "warm_us": warm_rounds[contender.name]}
            for contender in CONTENDERS
        },
        "model": model,
    }
    results["goals"] = report.goals(results)
    results["seconds"] = round(time.perf_counter() - started, 1)
    return results


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.split("\n\n")[1]
    )
    parser.add_argument("--json", type=Path, required=True, help="where to write the raw numbers")
    parser.add_argument("--quick", action="store_true", help="a few rounds only: proves it works")
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=prepare.TEMPLATE_DIR / "build" / "bench",
        help="scratch space (default: build/bench; the runtime venv is reused from there)",
    )
    parser.add_argument(
        "--update-readme",
        action="store_true",
        help="rewrite the results block in README.md (full runs only)",
    )
    return parser.parse_args(argv)


def refuse_unlike_lambda(workspace: prepare.Workspace, has_bytecode: bool) -> None:
    """A full run without the runtime's Python measures compiling sources at every cold
    start, which Lambda never does: stop before spending most of an hour on it."""
    runtime = workspace.runtime_version.rsplit(".", 1)[0]
    if runtime != workspace.python_version or not has_bytecode:
        raise SystemExit(
            f"A full run needs Python {workspace.python_version} here (the Lambda runtime's; "
            f"found {workspace.runtime_version}, bytecode shipped: {has_bytecode}): "
            f"`uv python install {workspace.python_version}` or put it on PATH."
        )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    if arguments.update_readme and arguments.quick:
        raise SystemExit("--update-readme records full runs only; drop --quick")
    results = run(arguments.work_dir.resolve(), Plan(quick=arguments.quick))
    arguments.json.parent.mkdir(parents=True, exist_ok=True)
    arguments.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(report.summary(results))
    print("\n" + report.model_detail(results))
    print(f"\nRaw numbers: {arguments.json} ({results['seconds']} s)")
    if arguments.update_readme:
        report.update_readme(prepare.TEMPLATE_DIR / "README.md", results)
        print("README.md updated.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
