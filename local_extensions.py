"""Jinja filters and globals the template uses while rendering (loaded through
`_extensions`).

`toml_string` quotes free text (project name, description, author) for TOML and
YAML double-quoted strings. Jinja's own `tojson` escapes non-BMP characters as
surrogate pairs (`\\ud83d\\ude00`), which TOML rejects; JSON escaping without the
ASCII restriction is valid TOML, YAML and Python string syntax. Control
characters never get here: the pre-generation hook refuses them.

`ordered_json` is JSON that keeps the order of mappings (Jinja's `tojson` sorts
keys): the post-generation hook writes the answers into `.cruft.json` in the
order cruft itself writes them.

`answer_problems` checks answers with the rules of the generated project's
settings module (`<package>/settings.py` in the project template), adding the
template's own fact: a package must not shadow a module that the dependencies
locked in the project's uv.lock install. The pre-generation hook and
`new_project.py` use it.

`private_key_problems` refuses private keys (`_`/`__`) that differ from the
template's own cookiecutter.json: cookiecutter takes a replay file's private
keys as they are and acts on them before any hook (`_extensions` names modules
it imports), so the pre-generation hook can only stop the run afterwards.

`TemplateFacts` hands the hooks the template's own folder (the one being
rendered): the pre-generation hook imports this module from there, and
`.cruft.json` records it when the template is a local folder.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from cookiecutter.utils import simple_filter
from jinja2 import Environment
from jinja2.ext import Extension

TEMPLATE_ROOT = Path(__file__).resolve().parent
PROJECT = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}"
LOCK = PROJECT / "uv.lock"
CONTEXT_FILE = TEMPLATE_ROOT / "cookiecutter.json"
SETTINGS_MODULE = PROJECT / "{{cookiecutter.package_name}}" / "settings.py"

# Top-level modules a distribution installs besides the one named after it.
# tests/test_validation.py compares this with what the locked distributions
# really install, so a newly locked dependency that needs an entry fails there.
OTHER_MODULES = {
    "attrs": ("attr",),
    "boolean-py": ("boolean",),
    "aws-cdk-asset-awscli-v1": ("aws_cdk",),
    "aws-cdk-asset-node-proxy-agent-v6": ("aws_cdk",),
    "aws-cdk-cloud-assembly-schema": ("aws_cdk",),
    "aws-cdk-lib": ("aws_cdk",),
    "cattrs": ("cattr",),
    "cffi": ("_cffi_backend",),
    "cfn-lint": ("cfnlint",),
    "cyclonedx-python-lib": ("cyclonedx",),
    "gitpython": ("git",),
    "jsonpatch": ("jsonpatch_cli",),
    "markdown-it-py": ("markdown_it",),
    "packageurl-python": ("packageurl",),
    "pip-requirements-parser": ("packaging_legacy_version",),
    "pytest": ("_pytest", "py"),
    "python-dateutil": ("dateutil",),
    "python-slugify": ("slugify",),
    "pyyaml": ("yaml", "_yaml"),
    "sympy": ("isympy",),
}


@simple_filter
def toml_string(value: object) -> str:
    """Return `value` as a double-quoted TOML/YAML basic string."""
    return json.dumps(str(value), ensure_ascii=False)


@simple_filter
def ordered_json(value: object) -> str:
    """Return `value` as JSON, mappings in their own order."""
    return json.dumps(value)


def canonical(distribution: str) -> str:
    """A distribution's name as PyPI compares it (PEP 503)."""
    return re.sub(r"[-_.]+", "-", distribution).lower()


def locked_distributions() -> set[str]:
    """Every distribution pinned in the generated project's uv.lock (on any platform)."""
    packages = tomllib.loads(LOCK.read_text(encoding="utf-8"))["package"]
    return {canonical(p["name"]) for p in packages if "virtual" not in p["source"]}


def locked_module_names() -> set[str]:
    """The top-level modules the locked distributions install."""
    names = set()
    for distribution in locked_distributions():
        names.add(distribution.replace("-", "_"))
        names.update(OTHER_MODULES.get(distribution, ()))
    return names


@cache
def project_settings() -> ModuleType:
    """The project template's settings module (standard library only, no template syntax)."""
    spec = importlib.util.spec_from_file_location("project_settings", SETTINGS_MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    # Bytecode cached beside it would be copied into every later bake.
    previous, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    finally:
        sys.dont_write_bytecode = previous
    return module


def answer_rules() -> dict[str, Any]:
    """The settings module's rules, with the locked dependencies' module names taken."""
    settings = project_settings()
    return {**settings.RULES, "package_name": settings.package(locked_module_names())}


def answer_problems(answers: Mapping[str, Any], keys: list[str] | None = None) -> list[str]:
    """Every problem with `answers` (or with only `keys` of them), one line each."""
    return project_settings().problems_in(answers, keys, rules=answer_rules())


# Private keys the generator adds about its own run (cookiecutter overwrites the
# first four with its own values; cruft adds `_commit`).
RUN_KEYS = ("_template", "_output_dir", "_repo_dir", "_checkout", "_commit")


def private_key_problems(answers: Mapping[str, Any]) -> list[str]:
    """One line per private key of `answers` that is not the template's own value."""
    own = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    problems = []
    for key, value in answers.items():
        if not key.startswith("_") or key in RUN_KEYS:
            continue
        if key not in own:
            problems.append(
                f"{key}: not a key of this template; keys starting with '_' are the "
                "template's own settings: remove it from the replay file"
            )
        elif value != own[key]:
            problems.append(
                f"{key}: {value!r} is not the template's own {own[key]!r}; keys starting "
                "with '_' are the template's settings (cookiecutter acts on them before "
                "any check, e.g. imports the modules `_extensions` names): remove it "
                "from the replay file"
            )
    return problems


class TemplateFacts(Extension):
    """`template_root` (where this module is), as a Jinja global."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["template_root"] = str(TEMPLATE_ROOT)
