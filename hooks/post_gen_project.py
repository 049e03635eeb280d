"""Finish the generated project: record the answers, install its dependencies,
optionally make a first git commit, and print the next steps.

Every option's code stays in the project, chosen or not (an unused module
costs nothing), so any answer can be changed later in settings.json.

Runs inside the new project directory. A failed install (no network, no
`make`, ...) is reported with the command to run later, and the project is
kept: this hook exits 0 unless the project itself could not be written.

Set SERVERLESS_FLASK_SKIP_INSTALL=1 to skip the install whatever the answer
to `install_dependencies` (the template's own tests do).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ANSWERS: dict = json.loads(r"""{{ cookiecutter | tojson }}""")
SKIP_INSTALL_VARIABLE = "SERVERLESS_FLASK_SKIP_INSTALL"
INSTALL_COMMAND = ["make", "install"]
REPLAY_FILE = Path(".cookiecutter.json")


def say(message: str) -> None:
    print(message, flush=True)


def warn(message: str) -> None:
    print(f"WARNING: {message}", file=sys.stderr, flush=True)


def write_replay_file() -> None:
    """The answers, in cookiecutter's replay format, for `--replay-file`.

    Private keys (`_template`, `_output_dir`, ...) describe this machine's run,
    not the project, and are left out.
    """
    answers = {key: value for key, value in ANSWERS.items() if not key.startswith("_")}
    text = json.dumps({"cookiecutter": answers}, indent=2, ensure_ascii=False)
    REPLAY_FILE.write_text(text + "\n", encoding="utf-8")


def install_dependencies() -> bool:
    """Run the project's own install command; False if it could not."""
    if os.environ.get(SKIP_INSTALL_VARIABLE, "").strip() not in ("", "0"):
        say(f"Skipping the install ({SKIP_INSTALL_VARIABLE} is set).")
        return False
    if shutil.which(INSTALL_COMMAND[0]) is None:
        warn(f"'{INSTALL_COMMAND[0]}' is not installed, so dependencies were not installed.")
        return False
    say(f"Installing dependencies ({' '.join(INSTALL_COMMAND)}); this takes a minute...")
    try:
        subprocess.run(INSTALL_COMMAND, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        warn(f"installing dependencies failed ({error}). The project was kept;")
        warn(f"install later with: cd {ANSWERS['project_slug']} && {' '.join(INSTALL_COMMAND)}")
        return False
    return True


def init_git() -> None:
    if shutil.which("git") is None:
        warn("git is not installed; no repository was created.")
        return
    identity = [
        "-c", f"user.name={ANSWERS['author_name']}",
        "-c", f"user.email={ANSWERS['author_email']}",
    ]  # fmt: skip
    try:
        subprocess.run(["git", "init", "--quiet", "--initial-branch=main"], check=True)
        subprocess.run(["git", "add", "--all"], check=True)
        # The user's own git identity wins; the answers fill in when there is none.
        has_identity = (
            subprocess.run(
                ["git", "config", "user.email"], capture_output=True, check=False
            ).returncode
            == 0
        )
        subprocess.run(
            ["git", *([] if has_identity else identity), "commit", "--quiet",
             "-m", "Initial commit from serverless-flask-template"],
            check=True,
        )  # fmt: skip
    except (OSError, subprocess.CalledProcessError) as error:
        warn(f"git setup failed ({error}); the project files are all there.")


def main() -> int:
    write_replay_file()
    installed = ANSWERS["install_dependencies"] and install_dependencies()
    if ANSWERS["init_git"]:
        init_git()
    slug = ANSWERS["project_slug"]
    say(f"\nCreated {slug}/. Next steps:")
    say(f"  cd {slug}")
    if not installed:
        say("  make install   # create .venv and install the dependencies")
    say("  make dev       # run the site on http://127.0.0.1:5000")
    say("  make test      # run the tests")
    say("  make deploy    # put it on AWS (first time: make bootstrap; see README.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
