"""Jinja filters the template uses while rendering (loaded through `_extensions`).

`toml_string` quotes free text (project name, description, author) for TOML and
YAML double-quoted strings. Jinja's own `tojson` escapes non-BMP characters as
surrogate pairs (`\\ud83d\\ude00`), which TOML rejects; JSON escaping without the
ASCII restriction is valid TOML, YAML and Python string syntax. Control
characters never get here: the pre-generation hook refuses them.
"""

import json

from cookiecutter.utils import simple_filter


@simple_filter
def toml_string(value: object) -> str:
    """Return `value` as a double-quoted TOML/YAML basic string."""
    return json.dumps(str(value), ensure_ascii=False)
