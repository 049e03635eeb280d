"""Odd but valid free text (quotes, backslashes, Jinja syntax, unicode) must
bake into files that still parse. (Projects whose whole suites run with such
text: test_bake.py bakes two combinations with the mixes.)"""

from __future__ import annotations

import ast
import json
import tomllib
from pathlib import Path

import pytest
import yaml
from cookiecutter.main import cookiecutter

from .baking import HOSTILE_TEXT, TEMPLATE_DIR, bake_literally, run, settings_of


@pytest.mark.parametrize("case", HOSTILE_TEXT)
def test_hostile_free_text_bakes_into_valid_files(case: str, tmp_path: Path) -> None:
    text = HOSTILE_TEXT[case]
    answers = {
        "project_name": text,
        "project_slug": "odd-site",
        "package_name": "odd_site",
        "description": text,
        "author_name": text,
    }
    project, _ = bake_literally(answers, tmp_path)

    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == text
    assert pyproject["project"]["authors"][0]["name"] == text
    assert settings_of(project, "odd_site")["project_name"] == text
    replay = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    assert replay["cookiecutter"]["project_name"] == text
    for workflow in (project / ".github" / "workflows").glob("*.yml"):
        assert isinstance(yaml.safe_load(workflow.read_text(encoding="utf-8")), dict)
    for source in project.rglob("*.py"):
        ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    assert text in (project / "README.md").read_text(encoding="utf-8")


def test_hostile_name_typed_at_the_interactive_prompt(tmp_path: Path) -> None:
    """The real prompt path: answers piped to the cookiecutter command."""
    name = 'It\'s "{{ x }}" \\o/ caf\u00e9 \U0001f680'
    answers = [name, "typed-site", "typed_site"]  # then every other default
    stdin = "\n".join(answers) + "\n" * 30
    result = run(
        ["cookiecutter", str(TEMPLATE_DIR), "--output-dir", str(tmp_path)],
        cwd=tmp_path,
        input_text=stdin,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert settings_of(tmp_path / "typed-site", "typed_site")["project_name"] == name


def code_answer(marker: Path) -> str:
    """A project name that creates `marker` if cookiecutter renders it as Jinja."""
    command = f"touch {marker}"
    return "Site {{ cycler.__init__.__globals__.os.system('" + command + "') }}"


def test_answers_from_a_replay_file_are_not_run(tmp_path: Path) -> None:
    """The README's way to answer from a file: a project's .cookiecutter.json,
    edited, passed to --replay-file. Its answers are taken literally."""
    first = Path(cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(tmp_path / "a")))
    answers = json.loads((first / ".cookiecutter.json").read_text(encoding="utf-8"))
    marker = tmp_path / "ran"
    answers["cookiecutter"]["project_name"] = code_answer(marker)
    answers_file = tmp_path / "answers.json"
    answers_file.write_text(json.dumps(answers), encoding="utf-8")

    command = ["cookiecutter", "--replay-file", str(answers_file), str(TEMPLATE_DIR)]
    result = run([*command, "--output-dir", str(tmp_path / "b")], cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert not marker.exists()
    project = tmp_path / "b" / answers["cookiecutter"]["project_slug"]
    package = answers["cookiecutter"]["package_name"]
    assert settings_of(project, package)["project_name"] == code_answer(marker)


def test_no_input_answers_are_run_as_jinja(tmp_path: Path) -> None:
    """Why the README warns about `--no-input key=value`: cookiecutter renders it."""
    marker = tmp_path / "ran"
    command = ["cookiecutter", "--no-input", str(TEMPLATE_DIR), "--output-dir", str(tmp_path)]
    result = run([*command, f"project_name={code_answer(marker)}"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert marker.exists()


def test_readme_warns_where_it_shows_no_input_answers() -> None:
    readme = (TEMPLATE_DIR / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The questions", 1)[1].split("\n## ", 1)[0]
    assert "--no-input" in section
    assert "Jinja" in section
    assert "--replay-file" in section
