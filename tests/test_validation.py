"""Every validation rule refuses a bad answer with a message that names the
key, and leaves nothing behind in the output directory."""

from __future__ import annotations

import json
import tomllib
from importlib.metadata import distributions, packages_distributions
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from botocore.loaders import Loader
from cookiecutter.environment import StrictEnvironment
from cookiecutter.exceptions import CookiecutterException, FailedHookException
from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import prompt_for_config

from local_extensions import (
    LOCK,
    answer_rules,
    canonical,
    locked_distributions,
    locked_module_names,
    project_settings,
)

from .baking import TEMPLATE_DIR, settings_of

# (answers, the key the message must name, a fragment of what is allowed)
BAD_ANSWERS: list[tuple[dict[str, Any], str, str]] = [
    # A custom domain is a question too, checked with what it needs.
    ({"domain_name": "www.example.com"}, "certificate_arn", "needs hosted_zone_id"),
    ({"domain_name": "https://shop.example.com"}, "domain_name", "no scheme"),
    ({"hosted_zone_id": "Z0123456789ABC"}, "hosted_zone_id", "needs domain_name"),
    ({"project_name": ""}, "project_name", "must not be empty"),
    ({"project_name": "   "}, "project_name", "must not be empty"),
    ({"project_name": "Tab\there"}, "project_name", "control characters"),
    ({"project_name": "x" * 201}, "project_name", "at most 200"),
    # AWS counts UTF-16 code units: an emoji outside the BMP counts twice.
    ({"project_name": "\U0001f680" * 200}, "project_name", "at most 200"),
    ({"project_name": "\U0001f680" * 101}, "project_name", "at most 200"),
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
    ({"package_name": "build_tools"}, "package_name", "clashes"),
    ({"package_name": "local_server"}, "package_name", "clashes"),
    # Folders the project's tools create beside the package (its .gitignore).
    ({"package_name": "build"}, "package_name", "clashes"),
    ({"package_name": "instance"}, "package_name", "clashes"),
    # Modules of locked dependencies (runtime, infrastructure, dev tools).
    ({"package_name": "click"}, "package_name", "clashes"),
    ({"package_name": "itsdangerous"}, "package_name", "clashes"),
    ({"package_name": "blinker"}, "package_name", "clashes"),
    ({"package_name": "markupsafe"}, "package_name", "clashes"),
    ({"package_name": "cdk_nag"}, "package_name", "clashes"),
    ({"package_name": "yaml"}, "package_name", "clashes"),
    ({"package_name": "uv"}, "package_name", "clashes"),
    ({"package_name": "cfnlint"}, "package_name", "clashes"),
    ({"package_name": "dateutil"}, "package_name", "clashes"),
    ({"description": "two\nlines"}, "description", "control characters"),
    ({"author_name": ""}, "author_name", "must not be empty"),
    ({"author_email": "nobody"}, "author_email", "email address"),
    ({"aws_region": "us-east"}, "aws_region", "AWS region name"),
    ({"aws_region": "US-EAST-1"}, "aws_region", "AWS region name"),
    ({"aws_region": "mars-north-1"}, "aws_region", "AWS region name"),
    ({"aws_region": "eu-east-1"}, "aws_region", "not a known AWS region"),
    ({"aws_region": "us-west-3"}, "aws_region", "not a known AWS region"),
    ({"stage": ""}, "stage", "lower-case letter"),
    ({"stage": "Prod"}, "stage", "lower-case letter"),
    ({"stage": "a" * 17}, "stage", "at most 15"),
    ({"stage": "dev-"}, "stage", "not ending in '-'"),
    ({"stage": "api-logging"}, "stage", "shared logging stack"),
    ({"stage": "budget"}, "stage", "the budget's stack"),
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
    ({"throttle_burst_limit": "0"}, "throttle_burst_limit", "1..5000"),
    ({"throttle_burst_limit": "1.5"}, "throttle_burst_limit", "whole number"),
    ({"throttle_rate_limit": "1" * 400}, "throttle_rate_limit", "at most 10000"),
    ({"throttle_rate_limit": "10000.5"}, "throttle_rate_limit", "at most 10000"),
    ({"throttle_burst_limit": "1" * 30}, "throttle_burst_limit", "1..5000"),
    ({"throttle_burst_limit": "5001"}, "throttle_burst_limit", "1..5000"),
    ({"monthly_budget_usd": "-5"}, "monthly_budget_usd", "from 0 to 1000000"),
    ({"monthly_budget_usd": "five"}, "monthly_budget_usd", "amount in USD"),
    ({"monthly_budget_usd": "2000000"}, "monthly_budget_usd", "from 0 to 1000000"),
    # Injection attempts in free text: line breaks would split TOML/YAML lines.
    ({"project_name": 'x"\nname = "evil'}, "project_name", "control characters"),
    ({"description": "ok\n[tool.evil]"}, "description", "control characters"),
    ({"author_name": "x\u0000y"}, "author_name", "control characters"),
    ({"author_email": "a@b.co\n-x"}, "author_email", "control characters"),
    ({"description": "d" * 201}, "description", "at most 200"),
    ({"author_name": "n" * 201}, "author_name", "at most 200"),
]


# Settings no question asks about (set later in settings.json): the same rules,
# through the settings module the project checks settings.json with.
BAD_SETTINGS: list[tuple[dict[str, Any], str, str]] = [
    ({"domain_name": "https://www.example.com"}, "domain_name", "no scheme"),
    ({"domain_name": "localhost"}, "domain_name", "domain name"),
    ({"domain_name": "www.example.com."}, "domain_name", "trailing dot"),
    ({"domain_name": "WWW.EXAMPLE.COM"}, "domain_name", "lower-case"),
    ({"domain_name": "-bad.example.com"}, "domain_name", "domain name"),
    ({"domain_name": "www.example.123"}, "domain_name", "domain name"),
    ({"domain_name": "www.example.com"}, "certificate_arn", "needs hosted_zone_id"),
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
    ({"alert_email": "ops at example"}, "alert_email", "email address"),
    ({"alert_email": "ops@example.com\nBcc: x@evil.test"}, "alert_email", "control characters"),
    ({"alert_email": "ops@example.com\rx"}, "alert_email", "control characters"),
    ({"enable_alarms": True}, "enable_alarms", "need alert_email"),
]


def default_settings() -> dict[str, Any]:
    """settings.json as a default bake writes it."""
    context = generate_context(str(TEMPLATE_DIR / "cookiecutter.json"))
    answers = prompt_for_config(context, no_input=True)
    template = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "{{cookiecutter.package_name}}"
    source = (template / "settings.json").read_text(encoding="utf-8")
    environment = StrictEnvironment(context={"cookiecutter": answers})
    return json.loads(environment.from_string(source).render(cookiecutter=answers))


def settings_problems(edits: dict[str, Any]) -> list[str]:
    module = project_settings()
    with pytest.raises(module.SettingsError) as refused:
        module.Settings.from_mapping({**default_settings(), **edits})
    return refused.value.problems


@pytest.mark.parametrize(
    ("edits", "key", "allowed"),
    BAD_SETTINGS,
    ids=[f"{key}-{number}" for number, (_, key, _) in enumerate(BAD_SETTINGS)],
)
def test_bad_setting_is_refused_naming_the_key(
    edits: dict[str, Any], key: str, allowed: str
) -> None:
    problems = settings_problems(edits)
    assert any(line.startswith(f"{key}: ") and allowed in line for line in problems), problems


def test_a_bad_email_is_reported_beside_a_bad_budget() -> None:
    problems = settings_problems({"monthly_budget_usd": "lots", "alert_email": "ops at example"})
    assert [line.split(":")[0] for line in problems] == ["monthly_budget_usd", "alert_email"]


# Settings that look odd but are valid, and what settings.json's typed object holds.
GOOD_SETTINGS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        {"domain_name": "shop.xn--p1ai", "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
         "hosted_zone_name": "shop.xn--p1ai"},
        {"domain_name": "shop.xn--p1ai", "hosted_zone_name": "shop.xn--p1ai"},
    ),
    (
        {"domain_name": "www.example.com", "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
         "hosted_zone_name": "example.com."},
        {"hosted_zone_name": "example.com"},  # Route 53 shows zone names with the dot
    ),
]  # fmt: skip


@pytest.mark.parametrize(("edits", "expected"), GOOD_SETTINGS)
def test_odd_but_valid_settings_are_accepted(
    edits: dict[str, Any], expected: dict[str, Any]
) -> None:
    settings = project_settings().Settings.from_mapping({**default_settings(), **edits})
    assert {key: getattr(settings, key) for key in expected} == expected


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


def test_a_refusal_says_where_the_answers_are_and_how_to_resume(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], cookiecutter_home: Path
) -> None:
    err = bake_and_capture({"stage": "Prod!"}, tmp_path, capfd)
    replay = cookiecutter_home / "replay" / f"{TEMPLATE_DIR.name}.json"
    assert f"Your answers are in {replay}" in err
    assert f"cookiecutter {TEMPLATE_DIR} --replay-file {replay}" in err
    assert json.loads(replay.read_text(encoding="utf-8"))["cookiecutter"]["stage"] == "Prod!"


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


def replayed_defaults() -> dict[str, Any]:
    """A default run's answers with the template's private keys, as cookiecutter replays them."""
    context = generate_context(str(TEMPLATE_DIR / "cookiecutter.json"))
    return dict(prompt_for_config(context, no_input=True))


# A replay file's private keys reach cookiecutter before any hook runs (it imports
# `_extensions` while rendering the hook): the hook refuses to go on with them.
CHANGED_PRIVATE_KEYS: list[tuple[str, Any]] = [
    ("_extensions", [*replayed_defaults()["_extensions"], "jinja2.ext.do"]),
    ("_copy_without_render", ["*"]),
    ("_jinja2_env_vars", {"lstrip_blocks": True}),
]


@pytest.mark.parametrize(("key", "value"), CHANGED_PRIVATE_KEYS)
def test_a_replay_file_changing_a_private_key_is_refused_naming_it(
    key: str, value: Any, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    replay = tmp_path / "answers.json"
    replay.write_text(json.dumps({"cookiecutter": {**replayed_defaults(), key: value}}))
    output = tmp_path / "out"
    with pytest.raises(FailedHookException):
        cookiecutter(str(TEMPLATE_DIR), replay=str(replay), output_dir=str(output))
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("ERROR")]
    assert any(line.startswith(f"ERROR: {key}: ") for line in errors), errors
    assert not output.exists() or list(output.iterdir()) == []


def test_a_replayed_extension_is_imported_before_the_hook_can_refuse_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """What the README says a replay file is not safe from: the hook stops the run,
    but cookiecutter has imported the module by then."""
    marker = tmp_path / "imported"
    module = tmp_path / "replayed_extension.py"
    module.write_text(
        "from pathlib import Path\nfrom jinja2.ext import Extension\n\n"
        f"Path({str(marker)!r}).touch()\n\n\nclass Replayed(Extension):\n    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    extensions = [*replayed_defaults()["_extensions"], "replayed_extension.Replayed"]
    replay = tmp_path / "answers.json"
    replay.write_text(
        json.dumps({"cookiecutter": {**replayed_defaults(), "_extensions": extensions}})
    )
    output = tmp_path / "out"
    with pytest.raises(FailedHookException):
        cookiecutter(str(TEMPLATE_DIR), replay=str(replay), output_dir=str(output))
    assert "ERROR: _extensions: " in capfd.readouterr().err
    assert marker.exists()
    assert not output.exists() or list(output.iterdir()) == []


def test_a_replay_file_with_the_templates_own_private_keys_bakes(tmp_path: Path) -> None:
    """What cookiecutter itself saves in ~/.cookiecutter_replay: the template's private
    keys as cookiecutter.json has them, and the run's own (`_template`, `_output_dir`...)."""
    replay = tmp_path / "answers.json"
    run_keys = {"_template": "elsewhere", "_output_dir": "/x", "_repo_dir": "/x", "_checkout": None}
    replay.write_text(json.dumps({"cookiecutter": {**replayed_defaults(), **run_keys}}))
    project = cookiecutter(str(TEMPLATE_DIR), replay=str(replay), output_dir=str(tmp_path / "out"))
    assert (Path(project) / "pyproject.toml").is_file()


# Answers that look odd but are valid: each bakes, and lands in settings.json as shown.
GOOD_ANSWERS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    (
        {"throttle_rate_limit": "10000", "throttle_burst_limit": "5000"},
        {"throttle_rate_limit": 10000.0, "throttle_burst_limit": 5000},
    ),
    ({"aws_region": "mx-central-1"}, {"aws_region": "mx-central-1"}),
    ({"project_name": "\U0001f680" * 100}, {"project_name": "\U0001f680" * 100}),
    (
        {"domain_name": "www.example.com", "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
         "hosted_zone_name": "example.com."},
        {"domain_name": "www.example.com", "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
         "hosted_zone_name": "example.com."},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("answers", "expected"), GOOD_ANSWERS)
def test_odd_but_valid_answers_are_accepted(
    answers: dict[str, Any], expected: dict[str, Any], tmp_path: Path
) -> None:
    project = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            no_input=True,
            extra_context={"project_slug": "odd-site", "package_name": "odd_site", **answers},
            output_dir=str(tmp_path),
        )
    )
    settings = settings_of(project, "odd_site")
    assert {key: settings[key] for key in expected} == expected


PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"
# Every top-level entry of the project template that could be a package's name.
TOP_LEVEL_NAMES = sorted(
    entry.name
    for entry in PROJECT_TEMPLATE.iterdir()
    if entry.name.isidentifier() and entry.name.islower()
)


@pytest.mark.parametrize("name", TOP_LEVEL_NAMES)
def test_no_top_level_entry_of_the_project_is_a_package_name(name: str) -> None:
    """The package's folder sits beside these: a new one needs no list updated."""
    problems = project_settings().problems_in({"package_name": name}, rules=answer_rules())
    assert any(line.startswith("package_name: ") and "clashes" in line for line in problems)


def test_every_module_of_a_locked_dependency_is_a_forbidden_package_name() -> None:
    """Compares the hook's forbidden names with what the locked distributions
    really install here (this environment installs everything the project's
    uv.lock pins for this platform)."""
    locked = locked_distributions()
    installed = editable_modules()
    for module, names in packages_distributions().items():
        for distribution in names:
            installed.setdefault(canonical(distribution), set()).add(module)
    missing = locked - set(installed)
    assert missing <= only_on_other_platforms(), "locked but not installed: cannot check"
    modules = {
        module
        for distribution in locked - missing
        for module in installed[distribution]
        # mypyc's helper modules are named by a hash of the build: no one's package.
        if module.isidentifier() and not module.endswith("__mypyc")
    }
    assert modules - locked_module_names() == set(), "add them to OTHER_MODULES"


def editable_modules() -> dict[str, set[str]]:
    """The top-level modules of distributions installed editable (the kit, from its
    folder), which packages_distributions() cannot see: its source folder's packages."""
    found: dict[str, set[str]] = {}
    for distribution in distributions():
        direct_url = json.loads(distribution.read_text("direct_url.json") or "{}")
        if not direct_url.get("dir_info", {}).get("editable"):
            continue
        source = Path(unquote(urlparse(direct_url["url"]).path)) / "src"
        found[canonical(distribution.metadata["Name"])] = {
            entry.name for entry in source.iterdir() if (entry / "__init__.py").is_file()
        }
    return found


def only_on_other_platforms() -> set[str]:
    """Locked distributions that every dependent requires for another OS only."""
    markers: dict[str, list[str]] = {}
    for package in tomllib.loads(LOCK.read_text(encoding="utf-8"))["package"]:
        groups = [package.get("dependencies", [])]
        for table in ("optional-dependencies", "dev-dependencies"):
            groups.extend(package.get(table, {}).values())
        for dependency in (dependency for group in groups for dependency in group):
            markers.setdefault(canonical(dependency["name"]), []).append(
                dependency.get("marker", "")
            )
    return {
        name
        for name, conditions in markers.items()
        if all("sys_platform" in condition for condition in conditions)
    }


def test_the_region_list_is_botocores_commercial_partition() -> None:
    """When botocore (in uv.lock) learns a region, this asks for it in the list."""
    endpoints = Loader().load_data("endpoints")
    [partition] = [p for p in endpoints["partitions"] if p["partition"] == "aws"]
    assert list(project_settings().AWS_REGIONS) == sorted(partition["regions"])
