"""The monthly AWS bill per service, from the list prices in aws_prices.json
(`make cost`; the README's cost table is this module's output).

Traffic is counted in visits: requests that reach CloudFront. A share of them
(the cache hit ratio) is answered from CloudFront's cache; the rest go through
API Gateway to the function and write log lines. The worst case is a flood of
uncached requests at the stage throttle for a whole month. Fixed items: the
alarms (when enabled), the budget (default stage only), the origin-secret
parameters and the secret-key reads (one warm instance re-reading the key
every 5 minutes). Free tiers are shown separately: the always-free ones are
subtracted in "You pay"; 12-month ones (an account's first year) are not.

Standard library only: `make cost` runs it without the project's virtualenv,
and the post-generation hook with cookiecutter's Python. So the settings module
is loaded from its file: importing the package would import Flask.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.settings import Settings

PROJECT = Path(__file__).resolve().parents[1]
SETTINGS_MODULE = PROJECT / "{{ cookiecutter.package_name }}" / "settings.py"
PRICES_FILE = Path(__file__).with_name("aws_prices.json")
README = PROJECT / "README.md"
README_START, README_END = "<!-- cost:start -->", "<!-- cost:end -->"
README_VISITS = (10_000, 1_000_000, 10_000_000)
HOURS_PER_MONTH = 730  # AWS's billing month
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
# Lambda writes its per-invocation platform lines at INFO: these levels keep them.
PLATFORM_LINE_LEVELS = ("DEBUG", "INFO")
CHEAPEST_PRICE_CLASS = "PriceClass_100"  # North America and Europe: the prices in the file
KB, GB = 1_000, 1_000_000_000


@dataclass(frozen=True)
class Traffic:
    """A month of traffic: `visits` requests reaching CloudFront."""

    visits: float
    hit_ratio: float
    response_kb: float
    function_ms: float
    title: str

    @property
    def misses(self) -> float:
        """Requests that reach API Gateway and the function."""
        return self.visits * (1 - self.hit_ratio)


def settings_module() -> ModuleType:
    """The settings module, loaded from its file without importing the package."""
    spec = importlib.util.spec_from_file_location("_project_settings", SETTINGS_MODULE)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {SETTINGS_MODULE}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def load_settings() -> Settings:
    return settings_module().load_settings()


def load_prices(path: Path = PRICES_FILE) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def log_kb(settings: Settings, prices: dict) -> float:
    """Log lines a request that reaches the function writes: API Gateway's access-log
    line, and Lambda's START, END and REPORT when its system log level keeps them."""
    assumed = prices["assumptions"]
    platform = settings.system_log_level in PLATFORM_LINE_LEVELS
    return assumed["access_log_kb"] + (assumed["platform_log_kb"] if platform else 0)


def usage(traffic: Traffic, settings: Settings, stage: str, prices: dict) -> dict[str, float]:
    """How much of each priced item (in its unit) a month of `traffic` uses."""
    assumed = prices["assumptions"]
    misses = traffic.misses
    return {
        "cloudfront_requests": traffic.visits / 1e6,
        "cloudfront_functions": traffic.visits / 1e6,
        "cloudfront_data_out": traffic.visits * traffic.response_kb * KB / GB,
        "api_gateway_requests": misses / 1e6,
        "lambda_requests": misses / 1e6,
        f"lambda_duration_{settings.architecture}": (
            misses * traffic.function_ms / 1000 * settings.lambda_memory_mb / 1024
        ),
        "logs_ingestion": misses * log_kb(settings, prices) * KB / GB,
        "alarms": assumed["alarms"] if settings.enable_alarms else 0,
        "budgets": DAYS_PER_MONTH if settings.makes_budget(stage) else 0,
        "s3_reads": assumed["key_reads_per_month"] / 1000,
        "ssm_parameters": assumed["origin_secret_parameters"],
    }


def bill(quantities: dict[str, float], prices: dict) -> dict[str, tuple[float, float]]:
    """Each item's (list price, always-free part of it) in USD for the month."""
    lines = {}
    for name, quantity in quantities.items():
        item = prices["items"][name]
        always_free = item["free_for"] == "always"
        free_usd = min(quantity, item["free"]) * item["usd"] if always_free else 0.0
        lines[name] = (quantity * item["usd"], free_usd)
    return lines


def worst_case(settings: Settings, prices: dict) -> Traffic:
    assumed = prices["assumptions"]
    return Traffic(
        visits=settings.throttle_rate_limit * assumed["seconds_per_month"],
        hit_ratio=0.0,
        response_kb=assumed["response_kb"],
        function_ms=assumed["function_ms"],
        title="Worst case at the throttle",
    )


def per_request_per_second(settings: Settings, prices: dict) -> float:
    """What each request/second of the worst case adds to the month, at list price."""
    flood = worst_case(settings, prices)

    def list_price(visits: float) -> float:
        month = usage(replace(flood, visits=visits), settings, settings.stage, prices)
        return sum(cost for cost, _ in bill(month, prices).values())

    return list_price(prices["assumptions"]["seconds_per_month"]) - list_price(0)


def usd(amount: float) -> str:
    return f"${amount:,.2f}"


def render(settings: Settings, stage: str, traffics: Sequence[Traffic], prices: dict) -> str:
    """The Markdown table `make cost` prints, one column per traffic level."""
    bills = [bill(usage(traffic, settings, stage, prices), prices) for traffic in traffics]
    names = list(bills[0])
    flood = traffics[-1]
    typical = traffics[0]
    lines = [
        f"AWS list prices for {prices['region']}, {prices['as_of']} (`infra/aws_prices.json`),"
        f" for the stage {stage}: a {settings.lambda_memory_mb} MB {settings.architecture}"
        f" function taking {typical.function_ms:g} ms a request, {typical.response_kb:g} KB a"
        f" response, {typical.hit_ratio:.0%} of visits served from CloudFront's cache. The worst"
        f" case: uncached requests at the throttle ({settings.throttle_rate_limit:g} a second)"
        f" for a whole month, {flood.visits / 1e6:,.1f} million.",
        "",
        "| Service | Item | " + " | ".join(traffic.title for traffic in traffics) + " |",
        "|---|---|" + "---:|" * len(traffics),
    ]
    for name in names:
        item = prices["items"][name]
        cells = " | ".join(usd(costs[name][0]) for costs in bills)
        lines.append(f"| {item['service']} | {item['item']} | {cells} |")
    totals = [sum(line[0] for line in costs.values()) for costs in bills]
    free = [sum(line[1] for line in costs.values()) for costs in bills]
    lines += [
        "| **At list price** | | " + " | ".join(f"**{usd(t)}**" for t in totals) + " |",
        "| Always-free tiers | | " + " | ".join(f"-{usd(f)}" for f in free) + " |",
        "| **You pay** | | "
        + " | ".join(f"**{usd(t - f)}**" for t, f in zip(totals, free, strict=True))
        + " |",
    ]
    twelve_months = [i["service"] for i in prices["items"].values() if i["free_for"] != "always"]
    lines += [
        "",
        "Free tiers of an account's first 12 months only ("
        + ", ".join(sorted(set(twelve_months)))
        + ") are not subtracted. Taxes, data transfer between regions and anything else in"
        " the account are not included.",
    ]
    if settings.price_class != CHEAPEST_PRICE_CLASS:
        lines[-1] += (
            f" CloudFront's prices here are North America's and Europe's: with"
            f" {settings.price_class}, visitors served elsewhere cost more per request and GB."
        )
    return "\n".join(lines) + "\n"


def traffics(args: argparse.Namespace, settings: Settings, prices: dict) -> list[Traffic]:
    visits = args.visits or README_VISITS
    levels = [
        Traffic(v, args.hit_ratio, args.response_kb, args.duration_ms, f"{v:,} visits")
        for v in visits
    ]
    flood = replace(
        worst_case(settings, prices), response_kb=args.response_kb, function_ms=args.duration_ms
    )
    return [*levels, flood]


def update_readme(table: str, readme: Path = README) -> None:
    """Put `table` between the README's cost markers."""
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    readme.write_text(f"{head}{README_START}\n{table}{README_END}{tail}", encoding="utf-8")


def readme_table(readme: Path = README) -> str:
    text = readme.read_text(encoding="utf-8")
    return text.split(README_START, 1)[1].split(README_END, 1)[0].removeprefix("\n")


def main(argv: Sequence[str] | None = None) -> None:
    prices = load_prices()
    assumed = prices["assumptions"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--visits", type=int, nargs="+", help="requests a month reaching CloudFront"
    )
    parser.add_argument("--hit-ratio", type=float, default=assumed["hit_ratio"])
    parser.add_argument("--response-kb", type=float, default=assumed["response_kb"])
    parser.add_argument("--duration-ms", type=float, default=assumed["function_ms"])
    parser.add_argument("--stage", help="default: settings.json's")
    parser.add_argument("--update-readme", action="store_true", help="write the README's table")
    args = parser.parse_args(argv)
    settings_check = settings_module()
    if settings_check.main([] if args.stage is None else ["--stage", args.stage]):
        sys.exit(2)  # it printed one line per problem
    settings = settings_check.load_settings()
    stage = settings.stage if args.stage is None else args.stage
    if not 0 <= args.hit_ratio <= 1:
        parser.error("--hit-ratio must be between 0 and 1")
    if any(v < 0 for v in args.visits or ()) or args.response_kb < 0 or args.duration_ms < 0:
        parser.error("visits, response size and duration cannot be negative")
    table = render(settings, stage, traffics(args, settings, prices), prices)
    if args.update_readme:
        update_readme(table)
    else:
        sys.stdout.write(table)


if __name__ == "__main__":
    main()
