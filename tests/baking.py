"""Helpers shared by the template tests: bake a project, inspect it, run it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.generate import generate_context
from cookiecutter.main import cookiecutter
from cookiecutter.prompt import prompt_for_config

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
# The machinery every project depends on (a distribution of its own, copied unrendered).
KIT_DIR = TEMPLATE_DIR / "{{cookiecutter.project_slug}}" / "kit"
SKIP_INSTALL = {"SERVERLESS_FLASK_SKIP_INSTALL": "1"}

# Files every baked project must have (package paths use the package name).
EXPECTED_FILES = [
    "README.md",
    "pyproject.toml",
    "Makefile",
    ".gitignore",
    ".cookiecutter.json",
    ".cruft.json",
    ".github/workflows/ci.yml",
    "uv.lock",
    "{package}/__init__.py",
    "{package}/app.py",
    "{package}/config.py",
    "{package}/settings.py",
    "{package}/settings.json",
    "{package}/views.py",
    "{package}/errors.py",
    "{package}/lambda_handler.py",
    # The machinery, a distribution of its own that the project depends on by path.
    "kit/pyproject.toml",
    "kit/README.md",
    "kit/CHANGELOG.md",
    "kit/src/serverless_flask_kit/handler.py",
    "kit/src/serverless_flask_kit/caching.py",
    "kit/src/serverless_flask_kit/sessions.py",
    "kit/src/serverless_flask_kit/secret_key.py",
    "kit/src/serverless_flask_kit/static_files.py",
    "{package}/templates/index.html",
    "{package}/templates/404.html",
    "{package}/templates/500.html",
    "{package}/static/style.css",
    "{package}/static/favicon.ico",
    "tests/conftest.py",
    "infra/__init__.py",
    "infra/app.py",
    "infra/site_stack.py",
    "infra/function.py",
    "infra/api.py",
    "infra/key_bucket.py",
    "infra/secret_admin.py",
    "infra/cdn.py",
    "infra/static_files.py",
    # Every option's code, chosen or not: settings.json can turn it on later.
    "infra/custom_domain.py",
    "infra/alarms.py",
    "infra/budget.py",
    "tests/infra/test_custom_domain.py",
    "tests/infra/test_alarms.py",
    "tests/infra/test_opt_ins.py",
    "infra/viewer_request.js",
    "build_tools/bundle.py",
    "build_tools/static_assets.py",
    "build_tools/uv_requirement.py",
    "build_tools/template_link.py",
    "cdk.json",
    "package.json",
    "package-lock.json",
    ".cfnlintrc",
    ".github/workflows/deploy.yml",
    ".github/zizmor.yml",
    ".github/dependabot.yml",
    ".pre-commit-config.yaml",
    "docs/deploy-from-github.md",
]

# Flask's own Jinja templates legitimately contain {{ and {%; GitHub workflow
# expressions are ${{ ... }}. Nothing else in a baked project may.
JINJA_FILES = ("templates/",)
COOKIECUTTER_VARIABLE = re.compile(r"cookiecutter\.(?!json\b)\w")
DYNAMIC_REFERENCE = "{{resolve:"


def run(
    command: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: int = 600,
    input_text: str | None = None,
    replace_env: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run a command, returning the completed process (output captured as text).

    `env` adds to this process's environment, or replaces it with `replace_env`.
    """
    if command[0] == "cookiecutter":  # the one installed beside this interpreter
        command = [str(Path(sys.executable).with_name("cookiecutter")), *command[1:]]
    return subprocess.run(
        command,
        cwd=cwd,
        env=dict(env or {}) if replace_env else {**os.environ, **(env or {})},
        input=input_text,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextmanager
def installs_skipped() -> Iterator[None]:
    """No post-generation install, also for module-scoped fixtures, which bake
    before the per-test opt-out (conftest.py) applies."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in SKIP_INSTALL.items():
            patch.setenv(name, value)
        yield


def bake(
    cookies_session: Any, answers: dict[str, Any] | None = None
) -> tuple[Path, dict[str, Any]]:
    """Bake the template with `answers` (no install), failing the test if it does not bake.

    Returns the project folder and the full context it was baked with.
    """
    with installs_skipped():
        result = cookies_session.bake(extra_context=answers or {}, template=str(TEMPLATE_DIR))
    assert result.exit_code == 0, result.exception
    return result.project_path, result.context


# Odd but valid free text, as a user may type it at the prompts.
HOSTILE_TEXT = {
    "quotes": 'It\'s "quoted" \'\'\' """',
    "backslashes": "C:\\new\\table \\u0041 \\",
    "jinja": "{{ cookiecutter.stage }} {% raw %} {# x #}",
    "unicode": "Caf\u00e9 \u2603 \u65e5\u672c \U0001f680 \u200b",
    "markup": "<script>alert('x')</script> & [link](javascript:x) ${{ github.token }}",
    "toml-and-yaml": 'a = 1" # not a comment: {key: [1, 2]} --- &anchor *alias',
}
# Two mixes that hold every kind between them, each within the 200-character
# limit: test_bake.py runs whole project suites on bakes with them.
MIXES = {
    "mix-1": " ".join(HOSTILE_TEXT[kind] for kind in ("quotes", "backslashes", "jinja", "unicode")),
    "mix-2": " ".join(HOSTILE_TEXT[kind] for kind in ("markup", "toml-and-yaml")),
}
# What in free text looks like template syntax (kept, as typed, in a baked project).
TEMPLATE_SYNTAX_IN_TEXT = re.compile(r"\$?\{[{%#].*?[}%#]\}")


def default_answers() -> dict[str, Any]:
    context = generate_context(str(TEMPLATE_DIR / "cookiecutter.json"))
    return dict(prompt_for_config(context, no_input=True))


def bake_literally(
    answers: dict[str, Any], output: Path, template: Path = TEMPLATE_DIR
) -> tuple[Path, dict[str, Any]]:
    """Bake with answers taken literally, as typed at the prompts (no install);
    return the project folder and every answer it was baked with.

    `--no-input` extra context is itself rendered by cookiecutter (so `{{` in it
    would be evaluated); a replay file is not, exactly like interactive input.
    """
    context = {**default_answers(), **answers}
    replay = output / "answers.json"
    replay.write_text(json.dumps({"cookiecutter": context}), encoding="utf-8")
    with installs_skipped():
        project = cookiecutter(str(template), replay=str(replay), output_dir=str(output))
    return Path(project), context


def run_project_tests(project: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The baked project's own test suite (or what `arguments` select), in this environment."""
    return run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            *arguments,
        ],
        cwd=project,
        # The project's own copy of the kit first, whichever this environment has installed.
        env={"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(project / "kit" / "src")},
    )


def run_ruff(project: Path) -> list[subprocess.CompletedProcess[str]]:
    return [
        run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=project),
        run([sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."], cwd=project),
    ]


def text_files(project: Path):
    """Every file in the project that is text (not the favicon), with its text."""
    for path in sorted(project.rglob("*")):
        if path.is_file() and ".git" not in path.relative_to(project).parts:
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def unrendered_markers(project: Path, answers: dict[str, Any] | None = None) -> list[str]:
    """Places where cookiecutter left template syntax behind (what the `answers`
    themselves hold, typed as free text, aside)."""
    typed = {
        syntax
        for answer in (answers or {}).values()
        if isinstance(answer, str)
        for syntax in TEMPLATE_SYNTAX_IN_TEXT.findall(answer)
    }
    found = []
    for path, text in text_files(project):
        relative = path.relative_to(project).as_posix()
        for syntax in typed:
            text = text.replace(syntax, "")
        if COOKIECUTTER_VARIABLE.search(text):
            found.append(f"{relative}: a cookiecutter variable")
        if any(marker in relative for marker in JINJA_FILES):
            continue
        # CloudFormation dynamic references ({{resolve:...}}) are not Jinja.
        text = text.replace(DYNAMIC_REFERENCE, "")
        for marker in ("{{", "{%", "{#"):
            cleaned = text.replace("${{", "") if relative.startswith(".github/") else text
            if marker in cleaned:
                found.append(f"{relative}: {marker!r}")
    return found


def settings_of(project: Path, package: str) -> dict[str, Any]:
    return json.loads((project / package / "settings.json").read_text(encoding="utf-8"))


def copy_template(into: Path) -> Path:
    """The template's files (as git would commit them) in a new folder, no git."""
    listed = run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=TEMPLATE_DIR
    )
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        source = TEMPLATE_DIR / name
        if source.is_file():
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            target.chmod(source.stat().st_mode)
    return into
