"""The template repository itself: its Makefile's help, tests that keep out of
the user's home directory, and bakes that leave no bytecode in it."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from .baking import TEMPLATE_DIR, copy_template, run

PROJECT_TEMPLATE = "{{cookiecutter.project_slug}}"
HOME_REPLAY = Path.home() / ".cookiecutter_replay" / f"{TEMPLATE_DIR.name}.json"


def test_make_help_lists_every_target_with_plain_text() -> None:
    result = run(["make", "help"], cwd=TEMPLATE_DIR)
    assert result.returncode == 0, result.stderr
    makefile = (TEMPLATE_DIR / "Makefile").read_text(encoding="utf-8")
    targets = re.findall(r"^([a-z-]+):.*## ", makefile, re.MULTILINE)
    listed = re.findall(r"^  make (\S+)", result.stdout, re.MULTILINE)
    assert listed == targets
    assert "$(" not in result.stdout and "$$" not in result.stdout


def modified(path: Path) -> int | None:
    return path.stat().st_mtime_ns if path.exists() else None


def test_bakes_write_replays_to_a_temporary_folder_not_home(
    tmp_path: Path, cookiecutter_home: Path
) -> None:
    from cookiecutter.main import cookiecutter

    before = modified(HOME_REPLAY)
    cookiecutter(str(TEMPLATE_DIR), no_input=True, output_dir=str(tmp_path / "api"))
    command = run(
        ["cookiecutter", "--no-input", str(TEMPLATE_DIR), "--output-dir", str(tmp_path / "cli")],
        cwd=tmp_path,
    )
    assert command.returncode == 0, command.stderr
    assert modified(HOME_REPLAY) == before
    assert (cookiecutter_home / "replay" / HOME_REPLAY.name).is_file()


def test_baking_writes_no_bytecode_into_the_template(tmp_path: Path) -> None:
    """The hooks load the project template's settings module; bytecode written
    beside it would be copied into every later bake. (Cookiecutter's own import
    of local_extensions may cache it beside the template: outside any bake.)"""
    template = copy_template(tmp_path / "template")
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for output in (tmp_path / "first", tmp_path / "second"):
        command = ["cookiecutter", "--no-input", str(template), "--output-dir", str(output)]
        baked = run(command, cwd=tmp_path, env=environment, replace_env=True)
        assert baked.returncode == 0, baked.stderr
    assert list((template / PROJECT_TEMPLATE).rglob("__pycache__")) == []
    assert list((tmp_path / "second").rglob("__pycache__")) == []


GROUPED_TESTS = """
import os
from pathlib import Path

import pytest

@pytest.mark.xdist_group("one")
@pytest.mark.parametrize("index", range(8))
def test_in_the_group(index):
    (Path(os.environ["RECORDS"]) / os.environ["PYTEST_XDIST_WORKER"]).touch()
"""


def test_an_xdist_group_runs_on_one_worker(tmp_path: Path) -> None:
    """The suite's groups share costly fixtures (builds, bakes, installs) among
    their tests: the installed pytest and pytest-xdist must keep them together."""
    (tmp_path / "test_grouped.py").write_text(GROUPED_TESTS, encoding="utf-8")
    records = tmp_path / "workers"
    records.mkdir()
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-c", os.devnull]
    command += ["-n", "3", "--dist", "loadgroup", "test_grouped.py"]
    result = run(command, cwd=tmp_path, env={"RECORDS": str(records)})
    assert result.returncode == 0, result.stdout[-2000:]
    assert len(list(records.iterdir())) == 1, sorted(path.name for path in records.iterdir())
