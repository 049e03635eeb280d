"""`make project` (new_project.py): each answer is checked as it is given, the
output folder before any question, and a failure keeps the answers in a file
and ends with the one command that resumes from it, never a traceback."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .baking import TEMPLATE_DIR, run, settings_of

DEFAULTS = "\n" * 40  # Enter at every remaining question


def new_project(output: Path, answers: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "new_project.py", "--output-dir", str(output)]
    return run([*command, "--answers", str(answers)], cwd=TEMPLATE_DIR, input_text=stdin)


def test_a_missing_output_folder_is_refused_before_any_question(tmp_path: Path) -> None:
    result = new_project(tmp_path / "missing", tmp_path / "answers.json", DEFAULTS)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"ERROR: the output folder {tmp_path / 'missing'} does not exist; "
        "create it or pass another OUTPUT"
    ]
    assert "[1/" not in result.stdout  # no question was asked


def test_an_existing_project_folder_is_refused_as_soon_as_its_name_is_given(
    tmp_path: Path,
) -> None:
    (tmp_path / "serverless-flask-site").mkdir()
    stdin = "\n" + "\n" + "other-site\n" + DEFAULTS  # name, slug (taken), another slug
    result = new_project(tmp_path, tmp_path / "answers.json", stdin)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    [refusal] = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert refusal.startswith("ERROR: project_slug: ") and "already exists" in refusal
    assert settings_of(tmp_path / "other-site", "other_site")["project_slug"] == "other-site"
    assert list((tmp_path / "serverless-flask-site").iterdir()) == []  # untouched
    assert not (tmp_path / "answers.json").exists()  # the project has .cookiecutter.json


def test_a_bad_answer_is_asked_again_with_the_rule(tmp_path: Path) -> None:
    questions = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    before_stage = [key for key in questions if not key.startswith("_")].index("stage")
    stdin = "\n" * before_stage + "Prod\n" + "qa\n" + DEFAULTS
    result = new_project(tmp_path, tmp_path / "answers.json", stdin)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert errors == [
        "ERROR: stage: 'Prod' is not allowed; use a lower-case letter followed by at most 15 "
        "of a-z, 0-9 or '-', not ending in '-'"
    ]
    assert settings_of(tmp_path / "serverless-flask-site", "serverless_flask_site")["stage"] == "qa"


def questions_before(key: str) -> int:
    questions = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    return [name for name in questions if not name.startswith("_")].index(key)


def test_a_domains_details_are_asked_only_with_a_domain(tmp_path: Path) -> None:
    without = new_project(tmp_path, tmp_path / "answers.json", DEFAULTS)
    assert without.returncode == 0, without.stdout[-2000:] + without.stderr[-2000:]
    prompts = json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text(encoding="utf-8"))
    prompts = prompts["__prompts__"]
    shown = " ".join(without.stdout.split())  # as printed, wrapped to the terminal
    assert prompts["domain_name"] in shown
    for detail in ("hosted_zone_id", "hosted_zone_name", "certificate_arn"):
        assert prompts[detail] not in shown
    zone = "Z0123456789ABCDEFGHIJ"
    stdin = (
        "\n" * questions_before("project_slug")
        + "shop\n"
        + "\n" * (questions_before("domain_name") - questions_before("project_slug") - 1)
    )
    # A domain, its zone but the wrong zone name (asked again), then no certificate of its own.
    stdin += f"shop.example.com\n{zone}\nexample.org\nexample.com\n\n" + DEFAULTS
    result = new_project(tmp_path, tmp_path / "shop-answers.json", stdin)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    [refusal] = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert refusal.startswith("ERROR: hosted_zone_name: 'example.org' does not hold domain_name")
    settings = settings_of(tmp_path / "shop", "shop")
    assert (settings["domain_name"], settings["hosted_zone_id"]) == ("shop.example.com", zone)
    assert (settings["hosted_zone_name"], settings["certificate_arn"]) == ("example.com", "")


def default_answers() -> dict[str, Any]:
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    context = generate_context(str(TEMPLATE_DIR / "cookiecutter.json"))
    answers = prompt_for_config(context, no_input=True)
    return {key: value for key, value in answers.items() if not key.startswith("_")}


# Answers a file may hold that no prompt would take: (answers, the one ERROR line)
BAD_SAVED_ANSWERS: list[tuple[dict[str, Any], str]] = [
    (
        {"cache_default_ttl_seconds": "600", "cache_max_ttl_seconds": "60"},
        "ERROR: cache_default_ttl_seconds: '600' is above cache_max_ttl_seconds (60)",
    ),
    ({"python_version": "3.9"}, "ERROR: python_version: '3.9' is not one of 3.13, 3.12, 3.14"),
]


@pytest.mark.parametrize(("bad", "message"), BAD_SAVED_ANSWERS)
def test_a_failure_keeps_the_answers_and_ends_with_the_command_that_resumes(
    bad: dict[str, Any], message: str, tmp_path: Path
) -> None:
    answers_file = tmp_path / "kept" / "answers.json"
    answers_file.parent.mkdir()
    answers = {**default_answers(), **bad}
    answers_file.write_text(json.dumps({"cookiecutter": answers}), encoding="utf-8")
    output = tmp_path / "out"
    output.mkdir()

    failed = new_project(output, answers_file)
    assert failed.returncode == 1
    lines = failed.stderr.strip().splitlines()
    assert "Traceback" not in failed.stderr
    assert [line for line in lines if line.startswith("ERROR")] == [lines[0]]
    assert lines[0].startswith(message)
    command = shlex.split(lines[-1])
    assert command == ["make", "project", f"ANSWERS={answers_file}", f"OUTPUT={output}"]
    assert list(output.iterdir()) == []

    kept = json.loads(answers_file.read_text(encoding="utf-8"))["cookiecutter"]
    assert kept == answers
    fixed = {**answers, **{key: default_answers()[key] for key in bad}}
    answers_file.write_text(json.dumps({"cookiecutter": fixed}), encoding="utf-8")
    resumed = new_project(output, answers_file)  # what `make project ANSWERS=... OUTPUT=...` runs
    assert resumed.returncode == 0, resumed.stdout[-2000:] + resumed.stderr[-2000:]
    assert "[1/" not in resumed.stdout  # every answer came from the file
    assert (output / answers["project_slug"] / "pyproject.toml").is_file()


def test_make_project_runs_the_wrapper() -> None:
    makefile = (TEMPLATE_DIR / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\nproject:", 1)[1].split("\n\n", 1)[0]
    assert "new_project.py" in recipe and "cookiecutter ." not in recipe
    assert "$(ANSWERS)" in recipe


@pytest.mark.parametrize("key", ["_extensions", "_copy_without_render", "_new_lines"])
def test_a_private_key_in_the_answers_file_is_refused_before_any_question(
    key: str, tmp_path: Path
) -> None:
    """Keys starting with '_' are the template's own settings, which cookiecutter
    acts on before any hook (`_extensions` names modules it imports)."""
    answers_file = tmp_path / "answers.json"
    answers = {"project_name": "Private", key: ["jinja2.ext.do"]}
    answers_file.write_text(json.dumps({"cookiecutter": answers}), encoding="utf-8")
    output = tmp_path / "out"
    output.mkdir()
    result = new_project(output, answers_file, DEFAULTS)
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and errors[0].startswith(f"ERROR: {key}: "), result.stderr
    assert "[1/" not in result.stdout  # no question was asked
    assert list(output.iterdir()) == []
    assert json.loads(answers_file.read_text(encoding="utf-8"))["cookiecutter"] == answers
