"""`make template-check` and `make template-update`: this project's link to the
template it was generated from, kept by cruft in `.cruft.json` (the template's
git location, the commit, the answers).

check: exit 0 when the project has the template's latest commit, 1 when the
template has moved on, 2 when it could not be checked.
update: merges the template's changes since the recorded commit into this
working tree with git's three-way merge (your changes stay; where both sides
changed the same lines, conflict markers are left to resolve), then records the
new commit. Exit 1 when conflicts are left, 2 when nothing could be done.
update --answers '{"enable_alarms": true}': the same, with those answers
changed (merged even when the template has not moved on), which brings in what
the template generates for them.

cruft computes the changes by generating the project from your answers at both
commits in a temporary folder; the template's hooks only write files there (no
install, no git repository), and nothing is written inside the project but the
merged files.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cruft
from click import ClickException
from cookiecutter import exceptions as cookiecutter_errors

PROJECT = Path(__file__).resolve().parents[1]
LINK_FILE = PROJECT / ".cruft.json"
# Read by the template's post-generation hook.
TEMPLATE_UPDATE_VARIABLE = "SERVERLESS_FLASK_TEMPLATE_UPDATE"
UP_TO_DATE, BEHIND, FAILED = 0, 1, 2
# Folders that hold no file of the template's (installed or built here).
NOT_THE_PROJECTS_OWN = frozenset({".git", ".venv", ".uv", "node_modules", "build", "cdk.out"})


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def link_problem(answers: dict) -> str | None:
    """Why `.cruft.json` cannot be followed with these new answers, or None."""
    if not LINK_FILE.is_file():
        return (
            f"{LINK_FILE.name} is missing, so this project is not linked to its template: "
            "run `.venv/bin/cruft link <the template's git URL>` once."
        )
    link = json.loads(LINK_FILE.read_text(encoding="utf-8"))
    known = {key for key in link["context"]["cookiecutter"] if not key.startswith("_")}
    unknown = sorted(set(answers) - known)
    if unknown:
        return f"no such answer: {', '.join(unknown)} (the answers: {', '.join(sorted(known))})"
    if not link.get("commit"):
        return (
            f"{LINK_FILE.name} records no template commit: this project was generated from "
            f'{link.get("template")}, which was not a git repository. Set "template" there '
            "to the template's git URL (or a clone's path) and \"commit\" to the commit this "
            "project was generated from, then run this again."
        )
    return None


def git_lines(*arguments: str) -> list[str]:
    git = shutil.which("git")  # cruft itself needs it: there by now
    listed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [str(git), *arguments], cwd=PROJECT, capture_output=True, text=True, check=False
    )
    return listed.stdout.splitlines() if listed.returncode == 0 else []


def in_git() -> bool:
    return git_lines("rev-parse", "--is-inside-work-tree") == ["true"]


def rejected_files() -> list[str]:
    """The *.rej files of the project's own folders (what cruft could not apply)."""
    found = []
    for folder, subfolders, files in os.walk(PROJECT):
        subfolders[:] = [name for name in subfolders if name not in NOT_THE_PROJECTS_OWN]
        found += [Path(folder, name) for name in files if name.endswith(".rej")]
    return sorted(path.relative_to(PROJECT).as_posix() for path in found)


def conflicts(git: bool) -> list[str]:
    """Files the three-way merge left conflicted, and patches that were rejected
    (all cruft can do outside a git repository, `git` False)."""
    if not git:
        return rejected_files()
    unmerged = git_lines("diff", "--name-only", "--diff-filter=U")
    return unmerged + git_lines("ls-files", "--others", "--exclude-standard", "*.rej")


def check() -> int:
    with contextlib.redirect_stdout(io.StringIO()):  # cruft's advice names its own command
        current = cruft.check(PROJECT)
    if current:
        say("This project has the template's latest changes.")
        return UP_TO_DATE
    say("The template has changes this project does not have: run `make template-update`.")
    return BEHIND


def update(answers: dict) -> int:
    # cookiecutter logs a failing hook's traceback; the hook has said why, one line each.
    logging.getLogger("cookiecutter").addHandler(logging.NullHandler())
    try:
        if not cruft.update(PROJECT, skip_apply_ask=True, extra_context=answers):
            return FAILED
    except cookiecutter_errors.FailedHookException:
        say("Nothing was changed.")
        return FAILED
    git = in_git()
    left = conflicts(git)
    if left:
        say(
            "The template's changes did not all apply: resolve the conflicts (or apply the "
            "rejected hunks of the .rej files by hand and delete them), then commit:\n  "
            + ", ".join(left)
        )
        return BEHIND
    if git and not git_lines("status", "--porcelain"):
        return UP_TO_DATE  # cruft has said there was nothing to do
    say("Review the changes (`git diff HEAD`), run `make test`, and commit them.")
    return UP_TO_DATE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Follow the template this project came from.")
    parser.add_argument("command", choices=["check", "update"])
    parser.add_argument("--answers", default="{}", help="answers to change, as a JSON object")
    arguments = parser.parse_args(argv)
    try:
        answers = json.loads(arguments.answers)
    except json.JSONDecodeError:
        answers = None
    if not isinstance(answers, dict):
        say("""ERROR: ANSWERS must be a JSON object, e.g. ANSWERS='{"stage": "prod"}'""")
        return FAILED
    problem = link_problem(answers)
    if problem:
        say(f"ERROR: {problem}")
        return FAILED
    os.environ[TEMPLATE_UPDATE_VARIABLE] = "1"
    try:
        return check() if arguments.command == "check" else update(answers)
    except ClickException as error:  # cruft's own errors: a template it cannot reach, ...
        say(f"ERROR: {error.format_message()}")
        return FAILED


if __name__ == "__main__":
    sys.exit(main())
