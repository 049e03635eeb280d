"""The template repository itself: its Makefile's help, and tests that keep
out of the user's home directory."""

from __future__ import annotations

import re
from pathlib import Path

from .baking import TEMPLATE_DIR, run

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
