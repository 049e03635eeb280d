"""The results: goals checked, a markdown table, the README block."""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

from bench.contenders import BY_NAME, CONTENDERS, FLOOR, LAZY
from bench.events import PATHS

README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"

# (key in a contender's results, row label, unit, decimals)
ROWS: tuple[tuple[str, str, str, int], ...] = (
    ("cold_cached_ms./api/time", "cold, cached bytecode, `/api/time`", "ms", 1),
    ("cold_cached_ms./session", "cold, cached bytecode, `/session`", "ms", 1),
    ("cold_lambda_ms./api/time", "cold, Lambda-like, `/api/time`", "ms", 1),
    ("cold_lambda_ms./session", "cold, Lambda-like, `/session`", "ms", 1),
    ("warm_us./", "warm, `/`", "µs", 0),
    ("warm_us./api/time", "warm, `/api/time`", "µs", 0),
    ("warm_us./session", "warm, `/session`", "µs", 0),
    ("peak_rss_mb", "peak RSS after 1,000 events", "MB", 1),
    ("bundle_zipped_mb", "bundle, zipped", "MB", 2),
    ("bundle_unzipped_mb", "bundle, unzipped", "MB", 2),
)
FIGURES = tuple(row[0] for row in ROWS)
# The model's cases: init at full speed (as Lambda runs it), and init throttled too.
MODEL_CASES = ("model", "pessimistic")
DEFAULT_DESIGN = "generated"
# A cold first response the README calls acceptable when choosing the memory size.
COLD_LIMIT_MS = 500


def lookup(tree: dict[str, Any], key: str) -> Any:
    """`tree[group][path]` for a key "group.path", `tree[group]` for "group"."""
    group, _, path = key.partition(".")
    value = tree[group]
    return value[path] if path else value


def figure(results: dict[str, Any], contender: str, key: str) -> float:
    return float(lookup(results["contenders"][contender], key))


def per_round(results: dict[str, Any], contender: str, key: str) -> list[float]:
    return [float(value) for value in lookup(results["rounds"][contender], key)]


def paired_ratio(results: dict[str, Any], first: tuple[str, str], second: tuple[str, str]) -> float:
    """The median over the rounds of (contender, figure) `first` / `second`
    measured in the same round: what drifts with the machine's speed during
    a run cancels out of each round's ratio."""
    pairs = zip(per_round(results, *first), per_round(results, *second), strict=True)
    return statistics.median(mine / theirs for mine, theirs in pairs)


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal of issue 5: what is compared, the limit, and whether it holds."""

    def of(contender: str, key: str) -> float:
        return figure(results, contender, key)

    def ratio(contender: str, key: str, other: str, other_key: str | None = None) -> float:
        return paired_ratio(results, (contender, key), (other, other_key or key))

    checks: list[tuple[str, float, float]] = [
        (
            "warm `/api/time`: generated / plain apig-wsgi <= 1.05",
            ratio("generated", "warm_us./api/time", "apig_wsgi"),
            1.05,
        ),
        *(
            (
                f"warm `{path}`: generated / {BY_NAME[other].label} < 1",
                ratio("generated", f"warm_us.{path}", other),
                1.0,
            )
            for other in ("serverless_wsgi", "mangum")
            for path in ("/", "/api/time", "/session")
        ),
        *(
            (
                f"cold `{path}`: generated Lambda-like / cached <= 1.2",
                ratio("generated", f"cold_lambda_ms.{path}", "generated", f"cold_cached_ms.{path}"),
                1.2,
            )
            for path in ("/api/time", "/session")
        ),
        (
            "peak RSS: generated / bare Flask <= 1.25",
            of("generated", "peak_rss_mb") / of(FLOOR, "peak_rss_mb"),
            1.25,
        ),
        ("bundle zipped (with bytecode) <= 1.5 MB", of("generated", "bundle_zipped_mb"), 1.5),
    ]
    if "skipped" not in results["model"]:
        checks += model_checks(results["model"])
    found = [
        {"goal": name, "value": round(value, 3), "limit": limit, "holds": value <= limit}
        for name, value, limit in checks
    ]
    if "skipped" not in results["model"]:
        found.append(memory_goal(results["model"]))
    return found


def slowest_per_round(model: dict[str, Any], case: str, design: str) -> list[float]:
    """The slowest route's cold first response (init + first invocation) in each round."""
    paths = model["rounds"][case][str(model["goal_memory_mb"])][design]
    return [max(sums) for sums in zip(*(paths[path] for path in PATHS), strict=True)]


def paired_median(mine: list[float], theirs: list[float]) -> float:
    return statistics.median(a / b for a, b in zip(mine, theirs, strict=True))


def model_checks(model: dict[str, Any]) -> list[tuple[str, float, float]]:
    """Issue 10's goals, at the default memory size (medians of per-round ratios)."""
    size = model["goal_memory_mb"]
    labels = model["designs"]
    ours = slowest_per_round(model, "model", DEFAULT_DESIGN)
    checks = [
        (
            f"model {size} MB: slowest route's cold first response, "
            f"generated / {labels[design]} <= {limit}",
            paired_median(ours, slowest_per_round(model, "model", design)),
            limit,
        )
        for design in labels
        if design != DEFAULT_DESIGN
        for limit in [0.35 if design == LAZY else 1.05]
    ]
    sums = model["rounds"]["model"][str(size)][DEFAULT_DESIGN]
    checks.append(
        (
            f"model {size} MB: cold first `/session` / `/api/time` (generated) <= 1.15",
            paired_median(sums["/session"], sums["/api/time"]),
            1.15,
        )
    )
    pessimistic = model["rounds"]["pessimistic"][str(size)]
    checks += [
        (
            f"init throttled too, {size} MB: cold first `{path}`, generated / lazy <= 1.1",
            paired_median(pessimistic[DEFAULT_DESIGN][path], pessimistic[LAZY][path]),
            1.1,
        )
        for path in PATHS
    ]
    return checks


def cheapest_fast_size(model: dict[str, Any]) -> int | None:
    """The memory size with the lowest cost per million requests among those whose
    slowest cold first response (generated, model) stays under COLD_LIMIT_MS."""
    fast = [
        int(size)
        for size, designs in model["figures"]["model"].items()
        if max(figure["sum_ms"] for figure in designs[DEFAULT_DESIGN].values()) < COLD_LIMIT_MS
    ]
    costs = model["cost_per_million_usd"]
    return min(fast, key=lambda size: costs[str(size)][DEFAULT_DESIGN], default=None)


def memory_goal(model: dict[str, Any]) -> dict[str, Any]:
    cheapest = cheapest_fast_size(model)
    return {
        "goal": (
            "default `lambda_memory_mb` is the cheapest per million requests among the sizes "
            f"whose slowest cold first response is under {COLD_LIMIT_MS} ms"
        ),
        "value": cheapest,
        "limit": model["default_memory_mb"],
        "holds": cheapest == model["default_memory_mb"],
    }


def cell(value: float, floor: float, decimals: int) -> str:
    ratio = value / floor if floor else float("nan")
    return f"{value:,.{decimals}f} ({ratio:.2f}x)"


def markdown_table(results: dict[str, Any]) -> str:
    names = [contender.name for contender in CONTENDERS]
    header = "| figure | " + " | ".join(BY_NAME[name].label for name in names) + " |"
    lines = [header, "|---" * (len(names) + 1) + "|"]
    for key, label, unit, decimals in ROWS:
        floor = figure(results, FLOOR, key)
        cells = [cell(figure(results, name, key), floor, decimals) for name in names]
        lines.append(f"| {label} ({unit}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def goals_list(results: dict[str, Any]) -> str:
    lines = ["Goals (a ratio of two figures is the median of their ratios within each round):", ""]
    for goal in results["goals"]:
        mark = "holds" if goal["holds"] else "FAILS"
        lines.append(f"- {goal['goal']}: {goal['value']} ({mark})")
    return "\n".join(lines)


def machine_line(results: dict[str, Any]) -> str:
    machine = results["machine"]
    return (
        f"Measured {machine['date']} on {machine['cpu']} ({machine['cores']} cores), "
        f"{machine['system']}; runtime Python {results['runtime_python']}, bundle for "
        f"Python {results['python_version']} {results['architecture']}, bytecode "
        f"{'shipped' if results['bundle_has_bytecode'] else 'not shipped'}; "
        f"{'quick mode' if results['quick'] else 'full run'}. "
        "Each cell: the figure (its ratio to bare Flask)."
    )


def without_bytecode_line(results: dict[str, Any]) -> str:
    generated = results["contenders"]["generated"]
    parts = [
        f"`{path}` {ms:.1f} ms ({ms / generated['cold_lambda_ms'][path]:.2f}x with it)"
        for path, ms in generated["cold_sources_ms"].items()
    ]
    return (
        "The generated handler's Lambda-like cold start from a bundle without bytecode "
        "(`--no-bytecode`): " + ", ".join(parts) + "."
    )


def model_size_table(model: dict[str, Any], size: int) -> str:
    """Every design and route at one memory size: init, first invocation, their
    sum, warm; and the sum with init throttled too."""
    header = (
        "| design | route | init (ms) | first invocation (ms) | sum (ms) | warm (µs) "
        "| init throttled too: sum (ms) |"
    )
    lines = [header, "|---|---|---|---|---|---|---|"]
    measured = model["figures"]["model"][str(size)]
    for design, label in model["designs"].items():
        if design not in measured:
            continue
        for path in PATHS:
            fast = measured[design][path]
            slow = model["figures"].get("pessimistic", {}).get(str(size), {}).get(design, {})
            throttled = f"{slow[path]['sum_ms']:,.0f}" if path in slow else "-"
            lines.append(
                f"| {label} | `{path}` | {fast['init_ms']:,.0f} | {fast['first_ms']:,.1f} "
                f"| {fast['sum_ms']:,.0f} | {fast['warm_us']:,.0f} | {throttled} |"
            )
    return "\n".join(lines)


def model_sizes_table(model: dict[str, Any]) -> str:
    """Per memory size and design: the slowest route's cold first response (init at
    full speed / throttled too) and the cost per million requests."""
    sizes = model["sizes_mb"]
    header = "| design | " + " | ".join(f"{size} MB" for size in sizes) + " |"
    lines = [header, "|---" * (len(sizes) + 1) + "|"]
    for design, label in model["designs"].items():
        cells = []
        for size in sizes:
            fast = model["figures"]["model"][str(size)].get(design)
            if fast is None:
                cells.append("-")
                continue
            slow = model["figures"].get("pessimistic", {}).get(str(size), {}).get(design)
            throttled = f"{max(f['sum_ms'] for f in slow.values()):,.0f}" if slow else "-"
            cost = model["cost_per_million_usd"][str(size)][design]
            cells.append(
                f"{max(f['sum_ms'] for f in fast.values()):,.0f} / {throttled} ms, ${cost:.2f}"
            )
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def model_section(results: dict[str, Any]) -> str:
    model = results["model"]
    if "skipped" in model:
        return f"Lambda CPU model: skipped ({model['skipped']})."
    prices = model["prices"]
    size = model["goal_memory_mb"]
    rounds = model["rounds_measured"]
    return "\n\n".join(
        [
            f"Lambda CPU model (init at full speed, then each invocation limited to "
            f"memory/1769 of one CPU by a cgroup; the key in S3 on a local moto server; "
            f"bytecode shipped; {rounds['model']} rounds, {rounds['pessimistic']} with init "
            f"throttled too; medians). At {size} MB:",
            model_size_table(model, size),
            "Every size: the slowest route's cold first response (init at full speed / "
            "init throttled too), and the cost per million requests with "
            f"{model['cold_share']:.0%} of them cold starts (init billed; "
            f"{prices['architecture']} list prices, {prices['region']}, read {prices['read']}: "
            f"${prices['per_gb_second_usd']:.10f} per GB-s, "
            f"${prices['per_million_requests_usd']:.2f} per million requests; each duration "
            "rounded up to 1 ms):",
            model_sizes_table(model),
        ]
    )


def model_detail(results: dict[str, Any]) -> str:
    """The model's table at every memory size measured."""
    model = results["model"]
    if "skipped" in model:
        return model_section(results)
    return "\n\n".join(
        f"Lambda CPU model at {size} MB:\n\n{model_size_table(model, size)}"
        for size in model["sizes_mb"]
    )


def summary(results: dict[str, Any]) -> str:
    return "\n\n".join(
        [
            machine_line(results),
            markdown_table(results),
            without_bytecode_line(results),
            model_section(results),
            goals_list(results),
        ]
    )


def update_readme(readme: Path, results: dict[str, Any]) -> None:
    """Replace the text between the bench markers in `readme` by the new results."""
    text = readme.read_text(encoding="utf-8")
    block = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.DOTALL)
    if not block.search(text):
        raise ValueError(f"{readme} has no {README_START} ... {README_END} block")
    replacement = f"{README_START}\n{summary(results)}\n{README_END}"
    readme.write_text(block.sub(lambda _: replacement, text), encoding="utf-8")
