"""The Lambda runtime's side of the worker: its Python and its boto3.

Lambda runs the bundle with the runtime's Python, which provides boto3 and
botocore (the bundle leaves them out: build_tools/dependencies.py). Locally that is
the Python the bundle builder compiled the bytecode with, when uv finds it
(else this interpreter, and the bundle then has sources only), and boto3 and
botocore at the versions uv.lock pins, with their dependencies, in a folder
of their own: nothing else from the development environment is importable.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

from build_tools.dependencies import KIT_DISTRIBUTION, RUNTIME_PROVIDED
from build_tools.tools import PROJECT_ROOT, find_python, run, uv

RUNTIME_DIR = PROJECT_ROOT / "build" / "local" / "runtime"
STAMP_FILE = ".runtime-fingerprint"


def runtime_python(version: str) -> str:
    """The runtime's Python as the bundle builder finds it, else this one."""
    return find_python(version) or sys.executable


def runtime_libraries(python_version: str, target: Path = RUNTIME_DIR) -> Path:
    """boto3 and botocore (and what they need) as uv.lock pins them, in `target`.

    Installed again only when the lock or the Python version changes."""
    lock = (PROJECT_ROOT / "uv.lock").read_bytes()
    stamp = hashlib.sha256(lock + repr((RUNTIME_PROVIDED, python_version)).encode()).hexdigest()
    stamp_file = target / STAMP_FILE
    if stamp_file.is_file() and stamp_file.read_text(encoding="utf-8") == stamp:
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="local-runtime-") as work:
        pins = Path(work) / "constraints.txt"
        # fmt: off
        run(uv(), "export", "--frozen", "--all-groups", "--no-emit-project", "--no-hashes",
            "--no-emit-package", KIT_DISTRIBUTION, "--quiet", "--output-file", str(pins))
        run(uv(), "pip", "install", "--quiet", "--target", str(target),
            "--python-version", python_version, "--only-binary", ":all:",
            "--constraint", str(pins), *RUNTIME_PROVIDED)
        # fmt: on
    stamp_file.write_text(stamp, encoding="utf-8")
    return target
