"""Validate every answer before cookiecutter writes a single project file.

The rules are the generated project's own (`<package>/settings.py` in the
project template, loaded from there: the same rules check settings.json before
each synth and deploy). Cookiecutter renders this file with Jinja first: the
answers arrive through `tojson` inside a raw string (tojson escapes quotes, so
nothing a user types can end that string or inject code) and are parsed back
with `json.loads`.

Each problem is reported on its own line, naming the key, the value given and
what is allowed; any problem exits 1, and cookiecutter then removes the
project directory it created.
"""

from __future__ import annotations

import importlib.util
import json
import sys

ANSWERS: dict = json.loads(r"""{{ cookiecutter | tojson }}""")
# Read from the template's own files while this hook is rendered
# (local_extensions.TemplateFacts): where the project's settings module is, and
# the modules of every distribution pinned in the project's uv.lock.
SETTINGS_MODULE: str = {{ settings_module_path | tojson }}  # a JSON string is a Python one
LOCKED_MODULES: list = json.loads(r"""{{ locked_module_names | tojson }}""")


def load_rules():
    spec = importlib.util.spec_from_file_location("project_settings", SETTINGS_MODULE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def main() -> int:
    rules = load_rules()
    problems = rules.problems_in(
        ANSWERS, rules={**rules.RULES, "package_name": rules.package(LOCKED_MODULES)}
    )
    for problem in problems:
        print(f"ERROR: {problem}", file=sys.stderr)
    if problems:
        print("Nothing was generated; run cookiecutter again with valid answers.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
