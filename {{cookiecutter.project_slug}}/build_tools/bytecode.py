"""Bytecode for the Lambda runtime, compiled by its own Python version: the code
directory is read-only, so without it every cold start recompiles what it imports.
"""

from __future__ import annotations

from pathlib import Path

from .tools import run

# Where the code lives on Lambda: tracebacks name it, not the build directory.
LAMBDA_TASK_ROOT = "/var/task"
MAGIC = "import importlib.util; print(importlib.util.MAGIC_NUMBER.hex())"


def bytecode_format(python: str | None) -> str:
    """What tells `python`'s .pyc files apart from other versions' ("none" without one)."""
    return run(python, "-I", "-c", MAGIC).strip() if python else "none"


def compile_bytecode(target: Path, packages: tuple[str, ...], python: str) -> None:
    """Unchecked-hash .pyc files in place of the dependencies' sources, beside the
    sources of the project's own `packages` (the kit's and the app's: their tracebacks
    show the lines)."""
    dependencies = [
        path
        for path in target.iterdir()
        if path.name not in packages and path.suffix != ".dist-info"
    ]
    command = [python, "-I", "-m", "compileall", "-q", "-j", "0", "-s", str(target)]
    command += ["-p", LAMBDA_TASK_ROOT, "--invalidation-mode", "unchecked-hash"]
    run(*command, "-b", *map(str, dependencies))  # -b: each .pyc where its .py was
    for source in target.rglob("*.py"):
        own = source.relative_to(target).parts[0] in packages
        if not own and source.with_suffix(".pyc").exists():
            source.unlink()
    run(*command, *(str(target / package) for package in packages))
