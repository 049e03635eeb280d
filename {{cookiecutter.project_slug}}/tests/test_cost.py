"""`make cost`: the monthly bill per service from the list prices in
infra/aws_prices.json, and the README's table, which is its output."""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.settings import Settings

from infra.cost import (
    README_VISITS,
    Traffic,
    bill,
    load_prices,
    main,
    per_request_per_second,
    readme_table,
    render,
    traffics,
    usage,
    worst_case,
)

PROJECT = Path(__file__).resolve().parents[1]
PRICES = load_prices()


@pytest.fixture
def plain(settings: Settings) -> Settings:
    """256 MB arm64 at 100 requests/second, North America and Europe, no alarms, a budget,
    Lambda's own lines."""
    return dataclasses.replace(
        settings,
        price_class="PriceClass_100",
        lambda_memory_mb=256,
        architecture="arm64",
        throttle_rate_limit=100.0,
        enable_alarms=False,
        monthly_budget_usd=5.0,
        system_log_level="INFO",
    )


def month(settings: Settings, visits: float, stage: str | None = None) -> dict:
    traffic = Traffic(visits, 0.8, 10, 100, "")
    return bill(usage(traffic, settings, stage or settings.stage, PRICES), PRICES)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_the_readme_table_is_make_costs_output() -> None:
    make = shutil.which("make")
    assert make is not None
    printed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [make, "--no-print-directory", "cost"],
        cwd=PROJECT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert printed == readme_table(), (
        "README.md's cost table is out of date: run `python3 -m infra.cost --update-readme`"
    )
    for visits in README_VISITS:
        assert f"{visits:,} visits" in printed
    assert "Worst case at the throttle" in printed and "**You pay**" in printed


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_cost_takes_the_users_traffic() -> None:
    make = shutil.which("make")
    assert make is not None
    printed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [make, "--no-print-directory", "cost", "VISITS=5000 200000", "HIT_RATIO=0.5",
         "RESPONSE_KB=25", "DURATION_MS=40", "STAGE=elsewhere"],
        cwd=PROJECT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    header = "| Service | Item | 5,000 visits | 200,000 visits | Worst case at the throttle |"
    assert header in printed
    assert "taking 40 ms a request, 25 KB a response, 50% of visits" in printed
    assert "for the stage elsewhere" in printed
    assert "| AWS Budgets | budget (no actions) | $0.00 | $0.00 | $0.00 |" in printed


def test_a_bad_stage_is_refused_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--stage", "Bad_Stage"])
    assert stopped.value.code == 2
    printed = capsys.readouterr()
    assert printed.out == ""
    assert printed.err.startswith("ERROR: STAGE: stage: 'Bad_Stage' is not allowed")
    assert printed.err.count("\n") == 1


def test_every_price_says_where_it_was_read() -> None:
    assert PRICES["as_of"] and PRICES["region"] == "us-east-1"
    aws = (
        "https://aws.amazon.com/",
        "https://docs.aws.amazon.com/",
        "https://pricing.us-east-1.amazonaws.com/",  # AWS's price list files
    )
    for name, item in PRICES["items"].items():
        assert item["source"].startswith(aws), name
        assert item["free_for"] in ("always", "12 months"), name
    assert PRICES["assumptions"]["seconds_per_month"] == 730 * 3600  # AWS's month


def test_a_million_visits_by_hand(plain: Settings) -> None:
    """800,000 from the cache, 200,000 through API Gateway to the function."""
    lines = month(plain, 1_000_000)
    expected = {
        "cloudfront_requests": 1.00,
        "cloudfront_functions": 0.10,
        "cloudfront_data_out": 10 * 0.085,  # 10 GB
        "api_gateway_requests": 0.2 * 3.5,
        "lambda_requests": 0.2 * 0.2,
        "lambda_duration_arm64": 200_000 * 0.1 * 0.25 * 0.0000133334,
        "logs_ingestion": 0.12 * 0.5,  # 0.6 KB a request
        "alarms": 0.0,
        "budgets": 0.0,  # without actions
        "s3_reads": 8.76 * 0.0004,
        "ssm_parameters": 0.0,
    }
    assert {name: cost for name, (cost, _) in lines.items()} == pytest.approx(expected)


def test_lambdas_own_log_lines_count_only_when_it_writes_them(plain: Settings) -> None:
    """START/END/REPORT are INFO-level lines: at WARN only the access log remains."""
    quiet = dataclasses.replace(plain, system_log_level="WARN")
    assert month(quiet, 1_000_000)["logs_ingestion"][0] == pytest.approx(0.06 * 0.5)


def test_always_free_tiers_are_shown_apart(plain: Settings) -> None:
    lines = month(plain, 1_000_000)
    # Within the always-free tiers the whole line is free...
    for name in ("cloudfront_requests", "lambda_requests", "logs_ingestion"):
        cost, free = lines[name]
        assert cost > 0 and free == pytest.approx(cost), name
    # ...and a 12-month free tier (API Gateway's) is not subtracted.
    assert lines["api_gateway_requests"][1] == 0
    beyond = month(plain, 100_000_000)
    cost, free = beyond["cloudfront_requests"]
    assert (cost, free) == pytest.approx((100.0, 10.0))


def test_alarms_and_the_budget_count_where_they_are_created(plain: Settings) -> None:
    alarmed = dataclasses.replace(plain, enable_alarms=True)
    assert month(alarmed, 0)["alarms"][0] == pytest.approx(3 * 0.10)
    idle = Traffic(0, 0.8, 10, 100, "")
    assert usage(idle, plain, plain.stage, PRICES)["budgets"] == pytest.approx(730 / 24)
    assert usage(idle, plain, f"{plain.stage}x", PRICES)["budgets"] == 0
    no_budget = dataclasses.replace(plain, monthly_budget_usd=0.0)
    assert usage(idle, no_budget, plain.stage, PRICES)["budgets"] == 0


def test_the_worst_case_is_the_throttle_for_a_month(plain: Settings) -> None:
    flood = worst_case(plain, PRICES)
    assert flood.visits == 100 * 2_628_000 and flood.misses == flood.visits
    # 256 MB arm64: $6.28 per million requests, 262.8 million requests.
    assert per_request_per_second(plain, PRICES) * 100 == pytest.approx(1651.26, abs=0.01)
    table = render(plain, plain.stage, [flood], PRICES)
    assert "| API Gateway | REST API requests | $919.80 |" in table


def test_the_worst_case_serves_the_users_pages(plain: Settings) -> None:
    """`make cost DURATION_MS=500 RESPONSE_KB=25`: the flood runs those pages too."""
    options = argparse.Namespace(visits=None, hit_ratio=0.8, response_kb=25, duration_ms=500)
    flood = traffics(options, plain, PRICES)[-1]
    assert (flood.function_ms, flood.response_kb, flood.hit_ratio) == (500, 25, 0.0)
    assert flood.visits == worst_case(plain, PRICES).visits
    slow = bill(usage(flood, plain, plain.stage, PRICES), PRICES)
    usual = bill(usage(worst_case(plain, PRICES), plain, plain.stage, PRICES), PRICES)
    duration = "lambda_duration_arm64"
    assert slow[duration][0] == pytest.approx(5 * usual[duration][0])
    assert slow["cloudfront_data_out"][0] > 2 * usual["cloudfront_data_out"][0]


def test_a_larger_function_costs_more_per_request(plain: Settings) -> None:
    big = dataclasses.replace(plain, lambda_memory_mb=1024, architecture="x86_64")
    assert per_request_per_second(big, PRICES) > per_request_per_second(plain, PRICES)


def test_a_wider_price_class_is_said_to_cost_more(plain: Settings) -> None:
    flood = worst_case(plain, PRICES)
    assert "PriceClass" not in render(plain, plain.stage, [flood], PRICES)
    wider = dataclasses.replace(plain, price_class="PriceClass_All")
    assert "PriceClass_All" in render(wider, wider.stage, [flood], PRICES)


def test_it_needs_only_the_standard_library() -> None:
    """`make cost` runs before `make install`, and the post-generation hook runs it
    with cookiecutter's own Python: no Flask there (`-S`: no site-packages)."""
    printed = subprocess.run(
        [sys.executable, "-S", "-m", "infra.cost"],
        cwd=PROJECT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == readme_table()
