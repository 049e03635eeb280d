"""What a generated repository brings for its upkeep: Dependabot updates for
uv.lock, the CDK CLI and the actions (valid against Dependabot's
schema), and pre-commit hooks that run `make lint`'s linters offline."""

from __future__ import annotations

import re
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from .baking import TEMPLATE_DIR, bake, run

SCRIPTS = Path(sysconfig.get_path("scripts"))


@pytest.fixture(scope="module")
def baked(cookies_session: Any) -> Path:
    project, _ = bake(cookies_session)
    return project


# --- Dependabot ----------------------------------------------------------------


def test_dependabot_config_matches_its_schema(baked: Path) -> None:
    config = baked / ".github" / "dependabot.yml"
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.dependabot"]
    result = run([*command, str(config)], cwd=baked)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_schema_check_rejects_a_bad_config(tmp_path: Path) -> None:
    bad = tmp_path / "dependabot.yml"
    bad.write_text("version: 2\nupdates:\n  - package-ecosystem: pip\n    schedule: weekly\n")
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.dependabot"]
    assert run([*command, str(bad)], cwd=tmp_path).returncode == 1


def test_dependabot_updates_locks_cli_and_actions_in_groups(baked: Path) -> None:
    config = yaml.safe_load((baked / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"uv", "npm", "github-actions"}
    for update in updates.values():
        assert update["directory"] == "/"
        [group] = update["groups"].values()  # one pull request per ecosystem
        assert group["patterns"] == ["*"]
    # The files each ecosystem reads are where the project keeps them.
    assert (baked / "uv.lock").is_file()
    assert (baked / "package-lock.json").is_file()


def test_zizmor_finds_nothing_in_the_dependabot_config(baked: Path) -> None:
    zizmor = [str(SCRIPTS / "zizmor"), "--offline", "--no-progress", "--no-config"]
    result = run([*zizmor, str(baked / ".github" / "dependabot.yml")], cwd=baked)
    assert result.returncode == 0, result.stdout + result.stderr


# --- pre-commit ----------------------------------------------------------------


def pre_commit(project: Path, *arguments: str, home: Path) -> Any:
    return run(
        [str(SCRIPTS / "pre-commit"), *arguments],
        cwd=project,
        env={"PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"},
    )


def test_pre_commit_config_is_valid(baked: Path, tmp_path: Path) -> None:
    result = pre_commit(baked, "validate-config", ".pre-commit-config.yaml", home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()


def lint_commands(project: Path) -> list[str]:
    """The tool commands in the Makefile's `lint` recipe, without paths."""
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "no lint target"
    return [
        line.strip().removeprefix("$(BIN)/").removesuffix(" .") for line in recipe[1].splitlines()
    ]


def test_pre_commit_hooks_run_the_linters_of_make_lint(baked: Path) -> None:
    config = yaml.safe_load((baked / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [repo] = config["repos"]
    assert repo["repo"] == "local"  # the project's own tools: no download
    entries = [hook["entry"] for hook in repo["hooks"]]
    normalised = [
        entry.removeprefix(".venv/bin/").replace(" --force-exclude", "") for entry in entries
    ]
    assert normalised == lint_commands(baked)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A fresh bake in a git repository, its .venv the test environment's."""
    from cookiecutter.main import cookiecutter

    project = Path(cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(tmp_path)))
    for command in (["git", "init", "-q"], ["git", "add", "-A"]):
        assert run(command, cwd=project).returncode == 0
    (project / ".venv").symlink_to(sys.prefix, target_is_directory=True)
    return project


def test_pre_commit_hooks_pass_offline_on_a_fresh_project(repository: Path, tmp_path: Path) -> None:
    offline = {"PIP_NO_INDEX": "1", "no_proxy": "", "https_proxy": "http://127.0.0.1:9"}
    result = run(
        [str(SCRIPTS / "pre-commit"), "run", "--all-files"],
        cwd=repository,
        env={**offline, "PRE_COMMIT_HOME": str(tmp_path / "home"), "PRE_COMMIT_COLOR": "never"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"ruff check \(make lint\)\.+Passed", result.stdout), result.stdout
    assert re.search(r"ruff format --check \(make lint\)\.+Passed", result.stdout), result.stdout


def test_pre_commit_hooks_stop_a_badly_formatted_file(repository: Path, tmp_path: Path) -> None:
    (repository / "sloppy.py").write_text("import os\nx=1\n", encoding="utf-8")
    assert run(["git", "add", "sloppy.py"], cwd=repository).returncode == 0
    result = pre_commit(repository, "run", "--all-files", home=tmp_path / "home")
    assert result.returncode == 1
    assert re.search(r"ruff check \(make lint\)\.+Failed", result.stdout), result.stdout
    assert re.search(r"ruff format --check \(make lint\)\.+Failed", result.stdout), result.stdout
