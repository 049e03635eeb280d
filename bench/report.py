"""The results: goals checked, a markdown table, the README block."""

from __future__ import annotations

import re
import statistics
from pathlib import Path
from typing import Any

from bench.contenders import BY_NAME, CONTENDERS, FLOOR

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
        (
            "cold `/api/time` (cached): generated / plain apig-wsgi <= 1.05",
            ratio("generated", "cold_cached_ms./api/time", "apig_wsgi"),
            1.05,
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
    found = [
        {"goal": name, "value": round(value, 3), "limit": limit, "holds": value <= limit}
        for name, value, limit in checks
    ]
    boto3 = results["contenders"]["generated"]["boto3_imported"]["/api/time"]
    found.append(
        {
            "goal": "cold `/api/time`: boto3 imported",
            "value": boto3,
            "limit": False,
            "holds": boto3 is False,
        }
    )
    return found


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


def summary(results: dict[str, Any]) -> str:
    return "\n\n".join(
        [
            machine_line(results),
            markdown_table(results),
            without_bytecode_line(results),
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
