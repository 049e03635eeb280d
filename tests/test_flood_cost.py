"""The cost figures the template shows, all from one place: the generated
project's infra/aws_prices.json through its `make cost` (infra/cost.py). The
throttle prompt, static text in cookiecutter.json, is checked against them; the
generated README's table is written by the post-generation hook."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter

from .baking import SKIP_INSTALL, TEMPLATE_DIR

CONFIG = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
PRICES_FILE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "infra" / "aws_prices.json"
PRICES = json.loads(PRICES_FILE.read_text(encoding="utf-8"))


def bake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **answers: Any) -> Path:
    for name, value in SKIP_INSTALL.items():
        monkeypatch.setenv(name, value)
    project = cookiecutter(
        str(TEMPLATE_DIR), no_input=True, output_dir=str(tmp_path), extra_context=answers
    )
    return Path(project)


def in_project(project: Path, code: str) -> str:
    """Run `code` with the project's own modules, standard library only (-S)."""
    return subprocess.run(
        [sys.executable, "-S", "-c", code], cwd=project, capture_output=True, text=True, check=True
    ).stdout


def test_prices_live_only_in_the_projects_data_file() -> None:
    private = {key for key in CONFIG if key.startswith("_")}
    assert not {key for key in private if "price" in key or "flood" in key}


@pytest.mark.parametrize(
    ("rate", "memory_mb", "architecture"), [("100", 256, "arm64"), ("7.5", 1024, "x86_64")]
)
def test_the_readme_shows_what_make_cost_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rate: str, memory_mb: int, architecture: str
) -> None:
    project = bake(
        tmp_path,
        monkeypatch,
        throttle_rate_limit=rate,
        lambda_memory_mb=str(memory_mb),
        architecture=architecture,
    )
    printed = in_project(project, "from infra.cost import main; main([])")
    readme = (project / "README.md").read_text(encoding="utf-8")
    assert f"<!-- cost:start -->\n{printed}<!-- cost:end -->" in readme
    assert f"a {memory_mb} MB {architecture} function" in printed
    millions = float(rate) * PRICES["assumptions"]["seconds_per_month"] / 1e6
    assert f"for a whole month, {millions:,.1f} million" in printed
    assert PRICES["as_of"] in printed


def test_the_throttle_prompt_states_the_bill_per_request_per_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The prompt comes before memory and architecture: the defaults' figure.
    project = bake(tmp_path, monkeypatch)
    per_rps = float(
        in_project(
            project,
            "from infra.cost import load_prices, load_settings, per_request_per_second\n"
            "print(per_request_per_second(load_settings(), load_prices()))",
        )
    )
    prompt = CONFIG["__prompts__"]["throttle_rate_limit"]
    assert f"${per_rps:,.2f} a month per request/second" in prompt
    assert re.search(rf"AWS list prices of {PRICES['as_of']}\b", prompt)


def test_the_bench_prices_lambda_as_the_project_does() -> None:
    from bench import cpu_model

    items = PRICES["items"]
    architecture = cpu_model.PRICES["architecture"]
    assert cpu_model.PRICES["region"] == PRICES["region"]
    assert cpu_model.PRICES["per_gb_second_usd"] == items[f"lambda_duration_{architecture}"]["usd"]
    assert cpu_model.PRICES["per_million_requests_usd"] == items["lambda_requests"]["usd"]
