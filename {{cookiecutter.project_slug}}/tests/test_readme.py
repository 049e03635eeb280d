"""Every command README.md names exists: make targets, `python -m` modules."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Fenced code blocks, and inline code spans.
CODE = re.compile(r"```[a-z]*\n(.*?)```|`([^`\n]+)`", re.DOTALL)
MAKE = re.compile(r"^\s*make ([a-z][a-z-]*)")
PYTHON_MODULE = re.compile(r"python -m ([\w.]+)")
TARGET = re.compile(r"^([a-z][a-z-]*):", re.MULTILINE)


def code_lines() -> Iterator[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for block, span in CODE.findall(readme):
        yield from (block or span).splitlines()


def test_every_make_target_the_readme_names_exists() -> None:
    named = {match[1] for line in code_lines() if (match := MAKE.match(line))}
    targets = set(TARGET.findall((PROJECT_ROOT / "Makefile").read_text(encoding="utf-8")))
    assert {"deploy", "errors", "logs", "bootstrap"} <= named  # the parser finds them
    assert named - targets == set()


def test_every_module_the_readme_runs_exists() -> None:
    modules = {module for line in code_lines() for module in PYTHON_MODULE.findall(line)}
    assert "tests.invoke" in modules
    assert [module for module in modules if importlib.util.find_spec(module) is None] == []
