"""Validate every answer before cookiecutter writes a single project file.

The rules are the generated project's own (`<package>/settings.py` in the
project template, which also checks settings.json before each synth and
deploy), applied through the template's local_extensions.answer_problems; and
private keys (`_extensions`, ...) must be the template's own
(local_extensions.private_key_problems), though cookiecutter has acted on a
replay file's by now: this stops the run, it cannot undo an import.
Cookiecutter renders this file with Jinja first: the answers arrive through
`tojson` inside a raw string (tojson escapes quotes, so nothing a user types can
end that string or inject code) and are parsed back with `json.loads`.

Each problem is reported on its own line, naming the key, the value given and
what is allowed; any problem exits 1, and cookiecutter then removes the
project directory it created.
"""

from __future__ import annotations

import json
import os
import shlex
import sys

ANSWERS: dict = json.loads(r"""{{ cookiecutter | tojson }}""")
TEMPLATE_ROOT: str = json.loads(r""" {{ template_root | tojson }} """)


def main() -> int:
    sys.path.insert(0, TEMPLATE_ROOT)
    from local_extensions import answer_problems, private_key_problems

    problems = private_key_problems(ANSWERS) + answer_problems(ANSWERS)
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if problems:
        print("Nothing was generated: run again with valid answers.", file=sys.stderr)
        if "_repo_dir" in ANSWERS:  # cookiecutter's own run, not cruft's (no replay file)
            print(resume_hint(), file=sys.stderr)
        return 1
    return 0


def resume_hint() -> str:
    """Where cookiecutter kept these answers (its replay file, written before this
    hook ran), and the command that starts again from them once they are fixed."""
    from cookiecutter.config import get_user_config
    from cookiecutter.replay import get_file_name

    try:
        replay_dir = get_user_config()["replay_dir"]
    except Exception:  # an unreadable config: cookiecutter would have failed first
        return "Your answers are in cookiecutter's replay folder (see its replay_dir setting)."
    template_name = os.path.basename(os.path.abspath(ANSWERS["_repo_dir"]))
    replay = get_file_name(replay_dir, template_name)
    command = shlex.join(["cookiecutter", ANSWERS["_template"], "--replay-file", replay])
    return f"Your answers are in {replay}: fix them there, then run\n  {command}"


if __name__ == "__main__":
    sys.exit(main())
