"""Every answer can be changed after generation by editing settings.json, and a
bad edit is refused in one line naming the field. (Options turned on by an edit
are synthesized and checked by the project's own suite: test_bake.py runs it on
a bake with a domain and alarms edited in.)"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .baking import bake, run
from .test_infra import synth_project


@pytest.fixture(scope="module")
def default_bake(cookies_session: Any) -> tuple[Path, dict[str, Any]]:
    return bake(cookies_session)


def edit_settings(project: Path, package: str, **changes: Any) -> dict[str, Any]:
    """Apply `changes` to settings.json; return the settings as they were."""
    path = project / package / "settings.json"
    before = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({**before, **changes}, indent=2), encoding="utf-8")
    return before


def restore_settings(project: Path, package: str, settings: dict[str, Any]) -> None:
    path = project / package / "settings.json"
    path.write_text(json.dumps(settings, indent=2), encoding="utf-8")


def assert_one_line(refused: subprocess.CompletedProcess[str], message: str) -> None:
    """Exit 1 with one line starting with `message`: no traceback."""
    assert refused.returncode == 1, refused.stdout[-2000:]
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), refused.stderr[-3000:]


# (an edit, the one line synth prints)
BAD_EDITS: list[tuple[dict[str, Any], str]] = [
    (
        {"lambda_timeout_seconds": 30},
        "ERROR: settings.json: lambda_timeout_seconds: 30 is out of range; allowed 1..29",
    ),
    (
        {"enable_alarms": True, "alert_email": ""},
        "ERROR: settings.json: enable_alarms: alarms need alert_email",
    ),
    (
        {"domain_name": "www.example.com"},
        "ERROR: settings.json: certificate_arn: domain_name 'www.example.com' needs hosted_zone_id",
    ),
    ({"stage": "api-logging"}, "ERROR: settings.json: stage: 'api-logging' would share"),
    ({"price_class": "PriceClass_50"}, "ERROR: settings.json: price_class: 'PriceClass_50' is not"),
    ({"lambda_memory_mb": "lots"}, "ERROR: settings.json: lambda_memory_mb: 'lots' is not a"),
    ({"log_level": "DEBUG"}, "ERROR: settings.json: log_level: not a setting this project"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_EDITS, ids=[str(c) for c, _ in BAD_EDITS])
def test_a_bad_edit_is_refused_in_one_line(
    changes: dict[str, Any],
    message: str,
    default_bake: tuple[Path, dict[str, Any]],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    project, answers = default_bake
    package = answers["package_name"]
    before = edit_settings(project, package, **changes)
    try:
        check = run([sys.executable, f"{package}/settings.py"], cwd=project)
        synth, _ = synth_project(project, tmp_path_factory)
    finally:
        restore_settings(project, package, before)
    assert_one_line(check, message)
    assert_one_line(synth, message)


def test_a_bad_stage_is_refused_in_one_line(
    default_bake: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`make synth STAGE=...` passes the stage as context; the Makefile and the
    deploy workflow check it with the same rule first."""
    project, answers = default_bake
    message = "ERROR: STAGE: stage: 'Prod' is not allowed; use a lower-case letter"
    synth, _ = synth_project(project, tmp_path_factory, stage="Prod")
    check = run(
        [sys.executable, f"{answers['package_name']}/settings.py", "--stage", "Prod"], cwd=project
    )
    assert_one_line(synth, message)
    assert_one_line(check, message)


def test_the_settings_script_names_the_stacks(default_bake: tuple[Path, dict[str, Any]]) -> None:
    """What the Makefile deploys, from the one place that names stacks."""
    project, answers = default_bake
    script = [sys.executable, f"{answers['package_name']}/settings.py"]
    stack = run([*script, "--stage", "prod", "--print", "stack_name"], cwd=project)
    assert stack.stdout == f"{answers['project_slug']}-prod\n"
    logging = run([*script, "--print", "logging_stack_name"], cwd=project)
    assert logging.stdout == f"{answers['project_slug']}-api-logging\n"


def test_make_checks_the_settings_and_takes_the_stack_names_from_them(
    default_bake: tuple[Path, dict[str, Any]],
) -> None:
    project, answers = default_bake
    python = f"PYTHON={sys.executable}"
    assert run(["make", "-s", "settings", python], cwd=project).returncode == 0
    refused = run(["make", "-s", "settings", "STAGE=Prod", python], cwd=project)
    assert refused.returncode != 0
    assert refused.stderr.startswith("ERROR: STAGE: stage: 'Prod' is not allowed")
    planned = run(["make", "-n", "synth", "STAGE=qa", python], cwd=project)
    assert planned.returncode == 0, planned.stderr
    slug = answers["project_slug"]
    assert re.search(rf"cdk synth .*-c stage=qa .*\b{slug}-qa$", planned.stdout, re.MULTILINE)
    # Every template the synth wrote, each for its stack's region (the project's tests
    # check infra/template_lint.py on a synth with all its stacks).
    assert re.search(r"^\S*python -m infra\.template_lint cdk\.out$", planned.stdout, re.MULTILINE)
