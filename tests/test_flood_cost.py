"""The worst-case monthly bill at the chosen throttle, as the generated README
and the `throttle_rate_limit` prompt print it, recomputed here from the list
prices and assumptions kept (once) in cookiecutter.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter

from .baking import SKIP_INSTALL, TEMPLATE_DIR

CONFIG = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
PRICES = CONFIG["_aws_prices"]
FLOOD = CONFIG["_flood_assumptions"]


def per_million(memory_mb: int, architecture: str) -> dict[str, float]:
    """USD per million requests that reach the function through CloudFront."""
    gb_seconds = memory_mb / 1024 * FLOOD["function_ms"] / 1000
    return {
        "API Gateway REST": PRICES["api_gateway_rest_per_million"],
        "Lambda requests": PRICES["lambda_requests_per_million"],
        "Lambda duration": gb_seconds * PRICES["lambda_gb_second"][architecture] * 1_000_000,
        "CloudFront requests": PRICES["cloudfront_https_per_million"],
        "CloudFront Functions": PRICES["cloudfront_functions_per_million"],
        "CloudFront data out": FLOOD["response_kb"] * PRICES["cloudfront_data_out_per_gb"],
        "CloudWatch Logs": FLOOD["log_kb"] * PRICES["cloudwatch_logs_per_gb"],
    }


def monthly_millions(rate: float) -> float:
    return rate * FLOOD["seconds_per_month"] / 1_000_000


def bake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **answers: Any) -> str:
    for name, value in SKIP_INSTALL.items():
        monkeypatch.setenv(name, value)
    project = cookiecutter(
        str(TEMPLATE_DIR), no_input=True, output_dir=str(tmp_path), extra_context=answers
    )
    return (Path(project) / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("rate", "memory_mb", "architecture"), [("100", 256, "arm64"), ("7.5", 1024, "x86_64")]
)
def test_readme_prints_the_bill_at_the_throttle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rate: str, memory_mb: int, architecture: str
) -> None:
    readme = bake(
        tmp_path,
        monkeypatch,
        throttle_rate_limit=rate,
        lambda_memory_mb=str(memory_mb),
        architecture=architecture,
    )
    items = per_million(memory_mb, architecture)
    millions = monthly_millions(float(rate))
    for name, price in items.items():
        assert f"| {name} | ${price:,.2f} | ${price * millions:,.2f} |" in readme, name
    total = sum(items.values())
    assert f"| **Total** | **${total:,.2f}** | **${total * millions:,.2f}** |" in readme
    assert f"{millions:,.1f} million requests" in readme
    assert PRICES["as_of"] in readme


def test_the_throttle_prompt_states_the_bill_per_request_per_second() -> None:
    prompt = CONFIG["__prompts__"]["throttle_rate_limit"]
    # The prompt comes before memory and architecture: the defaults' figure.
    memory_mb = int(CONFIG["lambda_memory_mb"])
    architecture = CONFIG["architecture"][0]
    per_rps = sum(per_million(memory_mb, architecture).values()) * monthly_millions(1)
    assert f"${per_rps:,.2f} a month per request/second" in prompt
    assert PRICES["as_of"] in prompt


def test_prices_say_when_and_where_they_were_read() -> None:
    assert PRICES["as_of"] and PRICES["region"] == "us-east-1"
    assert FLOOD["seconds_per_month"] == 730 * 3600  # AWS's month: 730 hours
