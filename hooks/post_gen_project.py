"""Finish the generated project: record the answers and the link to the
template (`.cruft.json`), install its dependencies, optionally make a first git
commit, and print the next steps.

Every option's code stays in the project, chosen or not (an unused module
costs nothing), so any answer can be changed later in settings.json.

Runs inside the new project directory. A failed install (no network, no
`make`, ...) is reported with the command to run later, and the project is
kept: this hook exits 0 unless the project itself could not be written.

Set SERVERLESS_FLASK_SKIP_INSTALL=1 to skip the install whatever the answer
to `install_dependencies` (the template's own tests do).
SERVERLESS_FLASK_TEMPLATE_UPDATE=1 (set by `make template-update`) stops after
writing the files: cruft regenerates the project in a temporary folder to
compute the template's changes, where an install or a git repository would only
cost time (`[tool.cruft] skip` in the project keeps them out of the diff).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ANSWERS: dict = json.loads(r"""{{ cookiecutter | ordered_json }}""")
SKIP_INSTALL_VARIABLE = "SERVERLESS_FLASK_SKIP_INSTALL"
TEMPLATE_UPDATE_VARIABLE = "SERVERLESS_FLASK_TEMPLATE_UPDATE"
INSTALL_COMMAND = ["make", "install"]
REPLAY_FILE = Path(".cookiecutter.json")
TEMPLATE_LINK_FILE = Path(".cruft.json")
# The template folder being rendered (a clone cookiecutter made, or the local folder).
TEMPLATE_ROOT = Path(r"""{{ template_root }}""")
# Answers cookiecutter adds about this machine's run (local paths), not the project.
RUN_KEYS = ("_output_dir", "_repo_dir", "_checkout")


def write_cost_table() -> None:
    """The README's cost table: what the project's `make cost` prints."""
    sys.dont_write_bytecode = True  # a fresh project holds no caches
    sys.path.insert(0, str(Path.cwd()))
    from infra.cost import main as cost

    cost(["--update-readme"])


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


def is_set(variable: str) -> bool:
    return os.environ.get(variable, "").strip() not in ("", "0")


def git_output(folder: Path, *arguments: str) -> str | None:
    """A git command's output in `folder`; None without git or a repository there."""
    try:
        result = subprocess.run(
            ["git", "-C", str(folder), *arguments], capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def template_link() -> dict:
    """What `.cruft.json` holds: the template's git location, commit and the answers.

    Under cruft (create, update) the answers name both, and cruft writes this
    same file again after the hook; writing it here puts it in the first commit.
    Under cookiecutter, a template it cloned is recorded by its remote URL, a
    local folder by its absolute path, with the commit checked out there; the
    commit is null when the template is no git repository (a zip archive, a
    copied folder): `make template-update` then says what to fill in.
    """
    if "_commit" in ANSWERS:
        template, commit, checkout = ANSWERS["_template"], ANSWERS["_commit"], None
    else:
        root = TEMPLATE_ROOT
        toplevel = git_output(root, "rev-parse", "--show-toplevel")
        in_git = toplevel is not None and Path(toplevel).resolve() == root
        commit = git_output(root, "rev-parse", "HEAD") if in_git else None
        checkout = ANSWERS.get("_checkout")
        if ANSWERS["_repo_dir"] == ANSWERS["_template"]:  # a local folder, used in place
            template = str(root)
            if in_git and git_output(root, "status", "--porcelain"):
                warn(f"the template in {root} has uncommitted changes; {TEMPLATE_LINK_FILE}")
                warn("records its last commit, so updates will count them as the project's own.")
        else:
            origin = git_output(root, "remote", "get-url", "origin") if in_git else None
            template = origin or ANSWERS["_template"]
    answers = {key: value for key, value in ANSWERS.items() if key not in RUN_KEYS}
    answers.update(_template=template, _commit=commit)
    return {
        "template": template,
        "commit": commit,
        "checkout": checkout,
        "context": {"cookiecutter": answers},
        "directory": None,
    }


def write_template_link() -> None:
    """`.cruft.json`, byte for byte as cruft writes it."""
    text = json.dumps(template_link(), ensure_ascii=False, indent=2, separators=(",", ": "))
    TEMPLATE_LINK_FILE.write_text(text + "\n", encoding="utf-8")


def install_dependencies() -> bool:
    """Run the project's own install command; False if it could not."""
    if is_set(SKIP_INSTALL_VARIABLE):
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


def remove_bytecode_caches() -> None:
    """Leave out the bytecode caches cookiecutter copied with the template's files: a
    template checkout whose kit ran (its tests import it from there) has them."""
    for cache in sorted(Path().rglob("__pycache__")):
        shutil.rmtree(cache)


def main() -> int:
    remove_bytecode_caches()
    write_replay_file()
    write_cost_table()
    write_template_link()
    if is_set(TEMPLATE_UPDATE_VARIABLE):
        return 0
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
