"""Every validation rule refuses a bad answer with a message that names the
key, and leaves nothing behind in the output directory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.exceptions import CookiecutterException, FailedHookException
from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import prompt_for_config

from .baking import TEMPLATE_DIR

# (answers, the key the message must name, a fragment of what is allowed)
BAD_ANSWERS: list[tuple[dict[str, Any], str, str]] = [
    ({"project_name": ""}, "project_name", "must not be empty"),
    ({"project_name": "   "}, "project_name", "must not be empty"),
    ({"project_name": "Tab\there"}, "project_name", "control characters"),
    ({"project_name": "x" * 201}, "project_name", "at most 200"),
    ({"project_name": "!!!"}, "project_name", "no letters or digits"),
    ({"project_slug": "My-Site"}, "project_slug", "lower-case letter"),
    ({"project_slug": "9lives"}, "project_slug", "lower-case letter"),
    ({"project_slug": "site-"}, "project_slug", "not ending in '-'"),
    ({"project_slug": "my--site"}, "project_slug", "single '-'"),
    ({"project_slug": "my_site"}, "project_slug", "a-z, 0-9"),
    ({"project_slug": "a" * 29}, "project_slug", "at most 28"),
    ({"package_name": "my-site"}, "package_name", "identifier"),
    ({"package_name": "class"}, "package_name", "keyword"),
    ({"package_name": "json"}, "package_name", "clashes"),
    ({"package_name": "flask"}, "package_name", "clashes"),
    ({"package_name": "tests"}, "package_name", "clashes"),
    ({"description": "two\nlines"}, "description", "control characters"),
    ({"author_name": ""}, "author_name", "must not be empty"),
    ({"author_email": "nobody"}, "author_email", "email address"),
    ({"aws_region": "us-east"}, "aws_region", "AWS region name"),
    ({"aws_region": "US-EAST-1"}, "aws_region", "AWS region name"),
    ({"aws_region": "mars-north-1"}, "aws_region", "AWS region name"),
    ({"stage": ""}, "stage", "lower-case letter"),
    ({"stage": "Prod"}, "stage", "lower-case letter"),
    ({"stage": "a" * 17}, "stage", "at most 15"),
    ({"stage": "dev-"}, "stage", "not ending in '-'"),
    ({"lambda_memory_mb": "64"}, "lambda_memory_mb", "128..10240"),
    ({"lambda_memory_mb": "10241"}, "lambda_memory_mb", "128..10240"),
    ({"lambda_memory_mb": "lots"}, "lambda_memory_mb", "whole number"),
    ({"lambda_memory_mb": "256.5"}, "lambda_memory_mb", "whole number"),
    ({"lambda_timeout_seconds": "0"}, "lambda_timeout_seconds", "1..29"),
    ({"lambda_timeout_seconds": "30"}, "lambda_timeout_seconds", "API Gateway"),
    ({"cache_default_ttl_seconds": "-1"}, "cache_default_ttl_seconds", "whole number"),
    ({"cache_max_ttl_seconds": "31536001"}, "cache_max_ttl_seconds", "0..31536000"),
    (
        {"cache_default_ttl_seconds": "600", "cache_max_ttl_seconds": "60"},
        "cache_default_ttl_seconds",
        "<= the maximum",
    ),
    ({"throttle_rate_limit": "0"}, "throttle_rate_limit", "> 0"),
    ({"throttle_rate_limit": "fast"}, "throttle_rate_limit", "> 0"),
    ({"throttle_burst_limit": "0"}, "throttle_burst_limit", ">= 1"),
    ({"throttle_burst_limit": "1.5"}, "throttle_burst_limit", "whole number"),
    ({"domain_name": "https://www.example.com"}, "domain_name", "no scheme"),
    ({"domain_name": "localhost"}, "domain_name", "domain name"),
    ({"domain_name": "www.example.com."}, "domain_name", "trailing dot"),
    ({"domain_name": "WWW.EXAMPLE.COM"}, "domain_name", "lower-case"),
    ({"domain_name": "-bad.example.com"}, "domain_name", "domain name"),
    ({"domain_name": "www.example.123"}, "domain_name", "domain name"),
    ({"domain_name": "www.example.com"}, "domain_name", "needs hosted_zone_id"),
    ({"domain_name": "a.example.com", "hosted_zone_id": "z123"}, "hosted_zone_id", "Route 53"),
    ({"domain_name": "a.example.com", "hosted_zone_id": "Z" + "1" * 32}, "hosted_zone_id", "31"),
    ({"hosted_zone_id": "Z0123456789ABC"}, "hosted_zone_id", "needs domain_name"),
    (
        {"domain_name": "a.example.com", "hosted_zone_id": "Z1", "hosted_zone_name": "other.org"},
        "hosted_zone_name",
        "does not hold domain_name",
    ),
    (
        {"domain_name": "a.example.com", "hosted_zone_id": "Z1", "hosted_zone_name": "x"},
        "hosted_zone_name",
        "not a domain name",
    ),
    (
        {
            "domain_name": "badexample.com",
            "hosted_zone_id": "Z1",
            "hosted_zone_name": "example.com",
        },
        "hosted_zone_name",
        "does not hold domain_name",
    ),
    (
        {
            "domain_name": "a.example.com",
            "certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/"
            "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
        },
        "certificate_arn",
        "us-east-1",
    ),
    ({"domain_name": "a.example.com", "certificate_arn": "my-cert"}, "certificate_arn", "ARN"),
    (
        {
            "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/"
            "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        },
        "certificate_arn",
        "needs domain_name",
    ),
    ({"monthly_budget_usd": "-5"}, "monthly_budget_usd", "from 0 to 1000000"),
    ({"monthly_budget_usd": "five"}, "monthly_budget_usd", "amount in USD"),
    ({"monthly_budget_usd": "2000000"}, "monthly_budget_usd", "from 0 to 1000000"),
    ({"alert_email": "ops at example"}, "alert_email", "email address"),
    ({"alert_email": "ops@example.com\nBcc: x@evil.test"}, "alert_email", "control characters"),
    ({"alert_email": "ops@example.com\rx"}, "alert_email", "control characters"),
    ({"enable_alarms": "yes"}, "enable_alarms", "need alert_email"),
    # Injection attempts in free text: line breaks would split TOML/YAML lines.
    ({"project_name": 'x"\nname = "evil'}, "project_name", "control characters"),
    ({"description": "ok\n[tool.evil]"}, "description", "control characters"),
    ({"author_name": "x\u0000y"}, "author_name", "control characters"),
    ({"author_email": "a@b.co\n-x"}, "author_email", "control characters"),
    ({"description": "d" * 201}, "description", "at most 200"),
    ({"author_name": "n" * 201}, "author_name", "at most 200"),
]


def bake_and_capture(
    answers: dict[str, Any], output: Path, capfd: pytest.CaptureFixture[str]
) -> str:
    """Bake `answers`, expecting the pre-generation hook to refuse them."""
    with pytest.raises(FailedHookException):
        cookiecutter(
            str(TEMPLATE_DIR), no_input=True, extra_context=answers, output_dir=str(output)
        )
    return capfd.readouterr().err


@pytest.mark.parametrize(
    ("answers", "key", "allowed"),
    BAD_ANSWERS,
    ids=[f"{key}-{number}" for number, (_, key, _) in enumerate(BAD_ANSWERS)],
)
def test_bad_answer_is_refused_naming_the_key(
    answers: dict[str, Any],
    key: str,
    allowed: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    errors = bake_and_capture(answers, tmp_path, capfd)
    problems = [line for line in errors.splitlines() if line.startswith("ERROR: ")]
    assert problems, errors
    assert any(line.startswith(f"ERROR: {key}: ") and allowed in line for line in problems), errors
    assert list(tmp_path.iterdir()) == []  # no half-written project


def test_every_problem_gets_its_own_line(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    answers = {"stage": "Prod", "lambda_memory_mb": "1", "aws_region": "moon-1"}
    errors = bake_and_capture(answers, tmp_path, capfd)
    named = {line.split(":")[1].strip() for line in errors.splitlines() if line.startswith("ERROR")}
    assert named == {"stage", "lambda_memory_mb", "aws_region"}


def test_the_value_given_is_quoted_in_the_message(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    errors = bake_and_capture({"aws_region": "atlantis-1"}, tmp_path, capfd)
    assert "'atlantis-1'" in errors


def test_an_empty_name_is_blamed_on_the_field_typed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    errors = bake_and_capture({"project_name": ""}, tmp_path, capfd)
    lines = [line for line in errors.splitlines() if line.startswith("ERROR")]
    assert lines and all(line.startswith("ERROR: project_name: ") for line in lines)


# Choice and boolean answers are checked by cookiecutter itself, before any
# file is written; the pre-generation hook checks them again for replay files.
@pytest.mark.parametrize(
    ("answers", "key"),
    [
        ({"python_version": "3.9"}, "python_version"),
        ({"architecture": "arm"}, "architecture"),
        ({"price_class": "PriceClass_50"}, "price_class"),
        ({"install_dependencies": "perhaps"}, "install_dependencies"),
        ({"init_git": "perhaps"}, "init_git"),
    ],
)
def test_choices_and_booleans_outside_their_options_are_refused(
    answers: dict[str, Any], key: str, tmp_path: Path
) -> None:
    with pytest.raises((ValueError, CookiecutterException), match=key):
        cookiecutter(
            str(TEMPLATE_DIR), no_input=True, extra_context=answers, output_dir=str(tmp_path)
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"python_version": "3.9"}, "ERROR: python_version: '3.9' is not one of 3.13, 3.12, 3.14"),
        ({"architecture": "arm"}, "ERROR: architecture: 'arm' is not one of arm64, x86_64"),
        ({"init_git": "perhaps"}, "ERROR: init_git: 'perhaps' must be yes or no"),
    ],
)
def test_replayed_answers_are_validated_too(
    answers: dict[str, Any], message: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A hand-edited replay file skips cookiecutter's own checks: the hook catches it."""
    replay = tmp_path / "answers.json"
    context = generate_context(str(TEMPLATE_DIR / "cookiecutter.json"))["cookiecutter"]
    answers = {**prompt_for_config({"cookiecutter": context}, no_input=True), **answers}
    replay.write_text(json.dumps({"cookiecutter": answers}))
    output = tmp_path / "out"
    with pytest.raises(FailedHookException):
        cookiecutter(str(TEMPLATE_DIR), replay=str(replay), output_dir=str(output))
    assert message in capfd.readouterr().err
    assert not output.exists() or list(output.iterdir()) == []
