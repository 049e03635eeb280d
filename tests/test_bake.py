"""Bake the defaults and a curated set of answer combinations; each baked
project must be complete, fully rendered, ruff-clean, and pass its own tests."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from .baking import (
    EXPECTED_FILES,
    KIT_DIR,
    MIXES,
    TEMPLATE_DIR,
    bake_literally,
    run,
    run_project_tests,
    run_ruff,
    settings_of,
    unrendered_markers,
)

# Every choice value appears at least once; the free text of the two others
# holds every kind of odd text between them (baking.MIXES), so their whole suites
# run with it. Answers are taken as typed at the prompts.
COMBINATIONS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "eu-prod-x86": {
        "project_name": MIXES["mix-2"],
        "project_slug": "acme-shop",
        "package_name": "acme_shop",
        "description": MIXES["mix-2"],
        "author_name": MIXES["mix-2"],
        "aws_region": "eu-west-1",
        "stage": "prod",
        "python_version": "3.12",
        "architecture": "x86_64",
        "lambda_memory_mb": "1024",
        "lambda_timeout_seconds": "10",
        "price_class": "PriceClass_200",
        "cache_default_ttl_seconds": "0",
        "cache_max_ttl_seconds": "0",
        "throttle_rate_limit": "5.5",
        "throttle_burst_limit": "10",
        "monthly_budget_usd": "12.50",
    },
    "ap-qa-newest": {
        "project_name": MIXES["mix-1"],
        "project_slug": "wiki",
        "package_name": "wiki_site",
        "description": MIXES["mix-1"],
        "author_name": MIXES["mix-1"],
        "aws_region": "ap-southeast-2",
        "stage": "qa-2",
        "python_version": "3.14",
        "architecture": "arm64",
        "lambda_memory_mb": "128",
        "lambda_timeout_seconds": "1",
        "price_class": "PriceClass_All",
        "cache_default_ttl_seconds": "86400",
        "cache_max_ttl_seconds": "31536000",
        "throttle_rate_limit": "1",
        "throttle_burst_limit": "1",
        "monthly_budget_usd": "0",
        "init_git": True,
    },
}
OFF_UNTIL_EDITED = {
    "domain_name", "hosted_zone_id", "hosted_zone_name", "certificate_arn", "alert_email",
    "enable_alarms",
}  # fmt: skip
# Options no question asks about, set in settings.json after baking (the way a
# user turns them on), so the project's own tests run with them too.
SETTINGS_EDITS: dict[str, dict[str, Any]] = {
    "eu-prod-x86": {
        "domain_name": "www.example.com",
        "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
        "hosted_zone_name": "example.com",
        "alert_email": "ops@example.com",
        "enable_alarms": True,
    },
}

# settings.json keys and how each answer is typed there.
TYPED_SETTINGS = {
    "lambda_memory_mb": int,
    "lambda_timeout_seconds": int,
    "cache_default_ttl_seconds": int,
    "cache_max_ttl_seconds": int,
    "throttle_rate_limit": float,
    "throttle_burst_limit": int,
    "monthly_budget_usd": float,
    "enable_alarms": bool,
}


# One worker bakes each combination and runs its checks (the suites, below, spread).
@pytest.fixture(
    params=[
        pytest.param(name, marks=pytest.mark.xdist_group(f"bake-{name}")) for name in COMBINATIONS
    ],
    scope="module",
)
def baked(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Any]]:
    """A baked project and the answers it was baked with (one bake per combination)."""
    output = tmp_path_factory.mktemp(request.param)
    project, context = bake_literally(COMBINATIONS[request.param], output)
    edits = SETTINGS_EDITS.get(request.param, {})
    edit_settings(project, context["package_name"], edits)
    return project, {**context, **edits, "_settings_edits": edits}


def edit_settings(project: Path, package: str, edits: dict[str, Any]) -> None:
    """As the README tells a user: edit settings.json, then refresh the README's cost table."""
    if not edits:
        return
    path = project / package / "settings.json"
    settings = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**settings, **edits}, indent=2), encoding="utf-8")
    refresh = [sys.executable, "-B", "-m", "infra.cost", "--update-readme"]  # -B: no __pycache__
    refreshed = run(refresh, cwd=project)
    assert refreshed.returncode == 0, refreshed.stderr


def test_project_folder_is_named_after_the_slug(baked: tuple[Path, dict]) -> None:
    project, context = baked
    assert project.name == context["project_slug"]
    assert project.is_dir()


def test_expected_files_are_present(baked: tuple[Path, dict]) -> None:
    project, context = baked
    missing = [
        name
        for name in (f.format(package=context["package_name"]) for f in EXPECTED_FILES)
        if not (project / name).is_file()
    ]
    assert missing == []


def test_no_bytecode_or_caches_are_baked_in(baked: tuple[Path, dict]) -> None:
    project, _ = baked
    caches = [path for path in project.rglob("*") if path.name in ("__pycache__", ".pytest_cache")]
    assert caches == [] and list(project.rglob("*.pyc")) == []


def test_the_kit_is_the_templates_byte_for_byte(baked: tuple[Path, dict]) -> None:
    """Copied unrendered: whatever the answers, every project runs the same kit."""
    project, _ = baked
    template_kit, kit = KIT_DIR, project / "kit"
    assert tree(kit) == tree(template_kit)
    for name in tree(template_kit):
        assert (kit / name).read_bytes() == (template_kit / name).read_bytes(), name


def tree(root: Path) -> list[str]:
    """Every file below `root`, but caches a test run may have written."""
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )


def test_nothing_is_left_unrendered(baked: tuple[Path, dict]) -> None:
    project, context = baked
    assert unrendered_markers(project, context) == []


def test_answers_reach_the_settings_exactly(baked: tuple[Path, dict]) -> None:
    project, context = baked
    settings = settings_of(project, context["package_name"])
    # Options no question asks about are off until edited in.
    for key in OFF_UNTIL_EDITED - context.keys():
        assert settings[key] in ("", False), key
    # Other settings no question asks (e.g. log levels) start at the project's defaults.
    for key in settings.keys() & context.keys():
        value = settings[key]
        if key == "hosted_zone_name" and not context.get("hosted_zone_id"):
            assert value == ""  # a zone name means nothing without the zone
            continue
        expected = TYPED_SETTINGS.get(key, str)(context[key])
        assert value == expected, key
        assert type(value) is type(expected), key


def test_generated_files_parse(baked: tuple[Path, dict]) -> None:
    project, context = baked
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["name"] == context["project_slug"]
    assert pyproject["project"]["description"] == context["description"]
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    assert workflow["jobs"]["test"]["env"]["SETTINGS_FILE"] == (
        f"{context['package_name']}/settings.json"  # where CI reads python_version
    )
    assert "${{ github.ref }}" in workflow["concurrency"]["group"]


def test_replay_file_holds_the_public_answers(baked: tuple[Path, dict]) -> None:
    project, context = baked
    replay = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    answers = replay["cookiecutter"]
    assert answers["project_slug"] == context["project_slug"]
    assert answers["aws_region"] == context["aws_region"]
    assert not [key for key in answers if key.startswith("_")]


def test_baked_project_is_ruff_clean(baked: tuple[Path, dict]) -> None:
    project, _ = baked
    for result in run_ruff(project):
        assert result.returncode == 0, result.stdout + result.stderr


# The defaults' suite runs in test_install.py, with `make test` in a real install.
@pytest.mark.parametrize(
    "baked", [name for name in COMBINATIONS if name != "defaults"], indirect=True
)
def test_baked_project_tests_pass(baked: tuple[Path, dict]) -> None:
    project, _ = baked
    result = run_project_tests(project)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and " failed" not in result.stdout


def test_init_git_makes_a_first_commit(baked: tuple[Path, dict]) -> None:
    project, context = baked
    has_repo = (project / ".git").is_dir()
    assert has_repo == context["init_git"]
    if has_repo:
        log = run(["git", "log", "--oneline"], cwd=project)
        assert log.returncode == 0 and len(log.stdout.splitlines()) == 1
        status = run(["git", "status", "--porcelain"], cwd=project)
        assert status.stdout == ""  # everything committed, nothing ignored by mistake


def test_cookiecutter_regenerates_from_the_replay_file(
    baked: tuple[Path, dict], tmp_path: Path
) -> None:
    from cookiecutter.main import cookiecutter

    project, context = baked
    again = Path(
        cookiecutter(
            str(TEMPLATE_DIR),
            replay=str(project / ".cookiecutter.json"),
            output_dir=str(tmp_path),
        )
    )
    assert again.name == context["project_slug"]
    # With the same edits after baking, the replayed bake is identical, file for file.
    edit_settings(again, context["package_name"], context["_settings_edits"])
    differences = subprocess.run(
        ["diff", "-r", "-x", ".git", str(project), str(again)],
        capture_output=True,
        text=True,
    )
    assert differences.returncode == 0, differences.stdout
