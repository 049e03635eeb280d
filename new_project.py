"""Ask the template's questions and generate a project: what `make project` runs.

Plain `cookiecutter` checks the answers only after the last question and
throws them all away on one mistake. Here each answer is checked as it is given
(with the generated project's own rules, local_extensions.answer_problems) and
asked again until it is right; the project folder is checked as soon as its
name is known. The answers are then saved to a file outside the output folder
before cookiecutter runs, so if generation still fails the user fixes that file
and runs the one command printed, instead of answering everything again:

    python new_project.py [--output-dir DIR] [--answers FILE]

`--answers FILE` keeps the answers in FILE (default: build/answers.json, never
read unless named), and the questions an existing FILE answers are not asked
again. FILE holds answers only: a key starting with '_' (the template's own
settings, which cookiecutter acts on before any hook: `_extensions` names
modules it imports) is refused before anything runs. Every failure ends in
one line per problem and the command to resume, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cookiecutter.environment import StrictEnvironment
from cookiecutter.exceptions import CookiecutterException, FailedHookException
from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import (
    prompt_choice_for_config,
    read_user_variable,
    read_user_yes_no,
    render_variable,
)

from local_extensions import TEMPLATE_ROOT, answer_problems

DEFAULT_ANSWERS = TEMPLATE_ROOT / "build" / "answers.json"
SLUG = "project_slug"

Check = Callable[[str, dict[str, Any]], list[str]]


def error(message: str) -> None:
    print(f"ERROR: {message}", file=sys.stderr, flush=True)


def output_dir_problem(output: Path) -> str | None:
    if not output.is_dir():
        return f"the output folder {output} does not exist; create it or pass another OUTPUT"
    if not os.access(output, os.W_OK | os.X_OK):
        return f"the output folder {output} is not writable; pass another OUTPUT"
    return None


def project_folder_problem(output: Path, slug: str) -> str | None:
    if (output / slug).exists():
        return (
            f"{SLUG}: {output / slug} already exists; choose another {SLUG} "
            "(or another OUTPUT, or move that folder away)"
        )
    return None


def private_keys_given(given: dict[str, Any]) -> list[str]:
    return [
        f"{key}: not an answer; keys starting with '_' are the template's own settings "
        "(cookiecutter would act on them, e.g. import the modules `_extensions` names): "
        "remove it"
        for key in given
        if key.startswith("_")
    ]


# Questions that only some earlier answers call for (a custom domain's details):
# otherwise they take their default unasked. Plain cookiecutter asks them all.
ASKED_ONLY_IF: dict[str, Callable[[dict[str, Any]], bool]] = {
    "hosted_zone_id": lambda answers: bool(answers["domain_name"]),
    "hosted_zone_name": lambda answers: bool(answers["hosted_zone_id"]),
    "certificate_arn": lambda answers: bool(answers["domain_name"]),
}


def ask(template: dict[str, Any], given: dict[str, Any], check: Check) -> dict[str, Any]:
    """Every public answer: from `given`, else asked until `check` finds nothing.

    Cookiecutter's own prompt functions ask the questions (same look, same
    defaults rendered from earlier answers), one at a time, so that each answer
    can be checked before the next question."""
    environment = StrictEnvironment(context={"cookiecutter": template})
    prompts = template.get("__prompts__", {})
    questions = [key for key in template if not key.startswith("_")]
    answers: dict[str, Any] = {}
    for number, key in enumerate(questions, start=1):
        raw = template[key]
        if key in given:
            answers[key] = given[key]
            continue
        if key in ASKED_ONLY_IF and not ASKED_ONLY_IF[key](answers):
            answers[key] = render_variable(environment, raw, answers)
            continue
        prefix = f"  [dim][{number}/{len(questions)}][/] "
        while True:
            if isinstance(raw, list):
                value = prompt_choice_for_config(
                    answers, environment, key, raw, False, prompts, prefix
                )
            elif isinstance(raw, bool):
                value = read_user_yes_no(key, raw, prompts, prefix)
            else:
                default = render_variable(environment, raw, answers)
                value = read_user_variable(key, default, prompts, prefix)
            problems = check(key, {**answers, key: value})
            if not problems:
                answers[key] = value
                break
            for problem in problems:
                error(problem)
    return answers


def resume_command(answers_file: Path, output: Path) -> str:
    return f'make project ANSWERS="{answers_file}" OUTPUT="{output}"'


def fail(problems: list[str], answers_file: Path, output: Path) -> int:
    for problem in problems:
        error(problem)
    print(
        f"Nothing was generated. Your answers are in {answers_file}: fix them there, then run\n"
        f"  {resume_command(answers_file, output)}",
        file=sys.stderr,
    )
    return 1


def generate(output: Path, answers: dict[str, Any], answers_file: Path) -> int:
    """Save `answers`, then let cookiecutter take them literally from that file."""
    answers_file.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"cookiecutter": answers}, indent=2, ensure_ascii=False)
    answers_file.write_text(text + "\n", encoding="utf-8")
    problems = answer_problems(answers)
    folder = project_folder_problem(output, str(answers.get(SLUG)))
    if problems or folder:
        return fail(problems + ([folder] if folder else []), answers_file, output)
    try:
        cookiecutter(str(TEMPLATE_ROOT), replay=str(answers_file), output_dir=str(output))
    except FailedHookException:  # the hook has said why, one line each
        return fail([], answers_file, output)
    except (CookiecutterException, ValueError, OSError) as failure:
        return fail([str(failure)], answers_file, output)
    answers_file.unlink()  # the project keeps its own copy, .cookiecutter.json
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output-dir", type=Path, default=Path(".."))
    parser.add_argument("--answers", type=Path, help="where answers are kept (and read from)")
    arguments = parser.parse_args(argv)
    output = arguments.output_dir.resolve()
    problem = output_dir_problem(output)
    if problem:  # before any question
        error(problem)
        return 1
    answers_file = (arguments.answers or DEFAULT_ANSWERS).resolve()
    given: dict[str, Any] = {}
    if arguments.answers and answers_file.exists():
        try:
            given = json.loads(answers_file.read_text(encoding="utf-8"))["cookiecutter"]
        except (OSError, ValueError, KeyError, TypeError) as failure:
            error(f"{answers_file}: not a saved answers file ({failure})")
            return 1
    private = private_keys_given(given)
    if private:
        return fail(private, answers_file, output)
    template = generate_context(str(TEMPLATE_ROOT / "cookiecutter.json"))["cookiecutter"]

    def check(key: str, answers: dict[str, Any]) -> list[str]:
        problems = answer_problems(answers, [key])
        folder = project_folder_problem(output, answers[key]) if key == SLUG else None
        return problems + ([folder] if folder else [])

    try:
        answers = ask(template, given, check)
    except (KeyboardInterrupt, EOFError):
        print("\nStopped; nothing was generated.", file=sys.stderr)
        return 130
    return generate(output, answers, answers_file)


if __name__ == "__main__":
    sys.exit(main())
