"""Day two: a generated project stays linked to the template (`.cruft.json`), sees
when the template moved on (`make template-check`) and merges its changes into its
own working tree (`make template-update`), offline, with nothing installed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .baking import copy_template, run

BIN = Path(sys.executable).parent
GIT_IDENTITY = ["-c", "user.name=Template Author", "-c", "user.email=author@example.com"]
VIEW = "{{cookiecutter.project_slug}}/{{cookiecutter.package_name}}/views.py"
README = "{{cookiecutter.project_slug}}/README.md"
NEW_ROUTE = """

@site.get("/api/ping")
def ping() -> Response:
    return uncacheable(jsonify(ping="pong"))
"""
NEW_README_LINE = "A line the template gained after this project was generated.\n"


def git(repo: Path, *arguments: str) -> str:
    result = run(["git", *GIT_IDENTITY, *arguments], cwd=repo)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def template_repo(tmp_path: Path) -> Path:
    """A copy of the template as a git repository, at its first commit."""
    repo = copy_template(tmp_path / "template")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "A")
    return repo


def make(
    project: Path, target: str, tmp_path: Path, *more: str
) -> subprocess.CompletedProcess[str]:
    """A target of the project's Makefile, with this test environment standing in
    for the project's .venv (a stamp newer than the lock: nothing to install)."""
    venv = tmp_path / "venv"
    venv.mkdir(exist_ok=True)
    (venv / ".installed").touch()
    variables = [f"VENV={venv}", f"BIN={BIN}", f"UV={BIN / 'uv'}"]
    command = ["make", "--no-print-directory", target, *variables, *more]
    return run(command, cwd=project, timeout=900)


def cruft_create(template: Path, output: Path, answers: dict[str, object]) -> Path:
    created = run(
        [str(BIN / "cruft"), "create", str(template), "--no-input",
         "--output-dir", str(output), "--extra-context", json.dumps(answers)],
        cwd=output.parent,
    )  # fmt: skip
    assert created.returncode == 0, created.stdout[-3000:] + created.stderr[-3000:]
    (project,) = output.iterdir()
    return project


def untracked_or_changed(project: Path) -> list[str]:
    return git(project, "status", "--porcelain", "--untracked-files=all").splitlines()


def test_update_merges_the_templates_new_commit_into_the_project(
    template_repo: Path, tmp_path: Path
) -> None:
    commit_a = git(template_repo, "rev-parse", "HEAD")
    project = cruft_create(
        template_repo, tmp_path / "out", {"project_name": "Updated Site", "init_git": "yes"}
    )
    link = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert (link["template"], link["commit"]) == (str(template_repo), commit_a)
    # The first commit already holds .cruft.json exactly as cruft wrote it.
    assert untracked_or_changed(project) == []
    checked = make(project, "template-check", tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The user changes the project; the template gains a route and a README line.
    readme = project / "README.md"
    readme.write_text("Our own introduction.\n" + readme.read_text(encoding="utf-8"))
    refused = make(project, "template-update", tmp_path)  # uncommitted work: not touched
    assert refused.returncode == 2 and "unclean" in refused.stdout + refused.stderr
    git(project, "commit", "--quiet", "--all", "-m", "Our introduction")
    view = template_repo / VIEW
    view.write_text(view.read_text(encoding="utf-8") + NEW_ROUTE, encoding="utf-8")
    (template_repo / README).write_text(
        (template_repo / README).read_text(encoding="utf-8") + "\n" + NEW_README_LINE
    )
    git(template_repo, "commit", "--quiet", "--all", "-m", "B")
    commit_b = git(template_repo, "rev-parse", "HEAD")

    # make exits 2 whenever a command fails; the command itself says 1: behind.
    checked = make(project, "template-check", tmp_path)
    assert checked.returncode == 2, checked.stdout + checked.stderr
    assert "run `make template-update`" in checked.stderr
    direct = run([sys.executable, "-m", "build_tools.template_link", "check"], cwd=project)
    assert direct.returncode == 1, direct.stdout + direct.stderr

    updated = make(project, "template-update", tmp_path)
    assert updated.returncode == 0, updated.stdout[-3000:] + updated.stderr[-3000:]
    assert NEW_ROUTE in (project / "updated_site" / "views.py").read_text(encoding="utf-8")
    merged = readme.read_text(encoding="utf-8")
    assert merged.startswith("Our own introduction.\n") and merged.endswith(NEW_README_LINE)
    assert json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["commit"] == commit_b
    # Only the merged files changed: no nested copy, no install, nothing new.
    changed = sorted(line.split()[-1] for line in untracked_or_changed(project))
    assert changed == [".cruft.json", "README.md", "updated_site/views.py"]
    assert not (project / ".venv").exists()

    tests = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "tests/app/test_routes.py", "tests/app/test_error_pages.py"],
        cwd=project,
        env={"PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-3000:]
    linted = run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=project)
    assert linted.returncode == 0, linted.stdout
    checked = make(project, "template-check", tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def cookiecutter_bake(template: str, output: Path, *answers: str) -> Path:
    baked = run(
        ["cookiecutter", "--no-input", template, "--output-dir", str(output), *answers],
        cwd=output.parent,
    )
    assert baked.returncode == 0, baked.stdout[-3000:] + baked.stderr[-3000:]
    (project,) = output.iterdir()
    return project


@pytest.mark.parametrize("source", ["local folder", "git URL"])
def test_a_cookiecutter_bake_is_linked_to_the_template_it_came_from(
    source: str, template_repo: Path, tmp_path: Path
) -> None:
    """`make project` (a local clone) and `cookiecutter <URL>` record what cruft
    would, and the project updates from there."""
    template = str(template_repo) if source == "local folder" else template_repo.as_uri()
    # (cookiecutter guesses the kind of repository from a URL; git+ tells it.)
    given = template if source == "local folder" else f"git+{template}"
    project = cookiecutter_bake(given, tmp_path / "out", "init_git=yes")
    link = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    commit = git(template_repo, "rev-parse", "HEAD")
    assert (link["template"], link["commit"]) == (template, commit)
    answers = link["context"]["cookiecutter"]
    assert (answers["_template"], answers["_commit"]) == (template, commit)
    assert not {"_output_dir", "_repo_dir", "_checkout"} & set(answers)  # this machine's run
    checked = make(project, "template-check", tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    (template_repo / README).write_text(
        (template_repo / README).read_text(encoding="utf-8") + "\n" + NEW_README_LINE
    )
    git(template_repo, "commit", "--quiet", "--all", "-m", "B")
    updated = make(project, "template-update", tmp_path)
    assert updated.returncode == 0, updated.stdout[-3000:] + updated.stderr[-3000:]
    assert (project / "README.md").read_text(encoding="utf-8").endswith(NEW_README_LINE)
    assert sorted(line.split()[-1] for line in untracked_or_changed(project)) == [
        ".cruft.json",
        "README.md",
    ]


def test_a_template_folder_without_git_is_recorded_and_explained(tmp_path: Path) -> None:
    template = copy_template(tmp_path / "downloaded")
    project = cookiecutter_bake(str(template), tmp_path / "out")
    link = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert (link["template"], link["commit"]) == (str(template), None)
    for target in ("template-check", "template-update"):
        refused = make(project, target, tmp_path)
        assert refused.returncode == 2, refused.stdout + refused.stderr
        assert "records no template commit" in refused.stderr
        assert "which was not a git repository" in refused.stderr


def test_update_with_new_answers_brings_in_what_they_generate(
    template_repo: Path, tmp_path: Path
) -> None:
    """Changing answers after the fact: the settings and what they render follow."""
    project = cruft_create(
        template_repo, tmp_path / "out", {"project_name": "Updated Site", "init_git": "yes"}
    )
    refused = make(project, "template-update", tmp_path, 'ANSWERS={"enable_alarm": true}')
    assert refused.returncode == 2 and "no such answer: enable_alarm" in refused.stderr
    for bad, said in (
        ("[1]", "ERROR: ANSWERS must be a JSON object"),
        ('{"stage": "BAD STAGE!"}', "ERROR: stage: 'BAD STAGE!' is not allowed"),
    ):
        refused = make(project, "template-update", tmp_path, f"ANSWERS={bad}")
        assert refused.returncode == 2, bad
        assert said in refused.stderr and "Traceback" not in refused.stderr, refused.stderr
        assert untracked_or_changed(project) == [], bad  # nothing half-done

    answers = json.dumps({"monthly_budget_usd": "12", "description": "Bob's site"})
    updated = make(project, "template-update", tmp_path, f"ANSWERS={answers}")
    assert updated.returncode == 0, updated.stdout[-3000:] + updated.stderr[-3000:]
    settings = json.loads((project / "updated_site" / "settings.json").read_text(encoding="utf-8"))
    assert settings["monthly_budget_usd"] == 12.0
    assert "\nBob's site\n" in (project / "README.md").read_text(encoding="utf-8")
    recorded = json.loads((project / ".cruft.json").read_text(encoding="utf-8"))
    assert recorded["context"]["cookiecutter"]["monthly_budget_usd"] == "12"


@pytest.mark.parametrize("in_git", [True, False], ids=["git", "no git"])
def test_update_leaves_conflicts_marked_and_says_where(
    template_repo: Path, tmp_path: Path, in_git: bool
) -> None:
    """In git, conflict markers; outside it, the hunks that did not apply in
    *.rej files. Either way the update fails and names the files."""
    answers = {"project_name": "Updated Site", "init_git": "yes" if in_git else "no"}
    project = cruft_create(template_repo, tmp_path / "out", answers)
    title = "# Updated Site\n"
    readme = project / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace(title, "# Our site\n", 1))
    if in_git:
        git(project, "commit", "--quiet", "--all", "-m", "Our title")
    template_readme = template_repo / README
    text = template_readme.read_text(encoding="utf-8")
    template_readme.write_text(text.replace("\n", " (serverless)\n", 1))  # the same title line
    git(template_repo, "commit", "--quiet", "--all", "-m", "B")

    updated = make(project, "template-update", tmp_path)
    assert updated.returncode == 2, updated.stdout[-3000:] + updated.stderr[-3000:]
    assert "The template's changes did not all apply" in updated.stderr
    named = updated.stderr.splitlines()[-2]
    merged = readme.read_text(encoding="utf-8")
    assert "# Our site" in merged
    if in_git:
        assert "README.md" in named
        assert "<<<<<<<" in merged and "# Updated Site (serverless)" in merged
    else:
        assert "README.md.rej" in named
        assert "# Updated Site (serverless)" in (project / "README.md.rej").read_text()
