"""Everything the measurements run on: a baked project, its bundle, a runtime interpreter.

- The project is the template's defaults, except the Lambda architecture,
  which follows this machine so the bundle's compiled modules load here.
- The bundle is built by the project's own `python -m build_tools.bundle`.
- The runtime is a venv of the project's Python version when this machine has
  it (as the bundle builder finds it, with uv), else of this interpreter. It
  stands in for the Lambda runtime: it provides boto3, and the other
  contenders' adapters (bench/runtime.txt), installed with their bytecode.
- Copies of the bundle for cold starts: "cached" is the bundle built with
  --no-bytecode, writable, where Python keeps its usual __pycache__ (the
  developer-machine case, primed before measuring); "lambda" is the bundle
  exactly as built, made read-only and run with `-B`, so Python can use only
  the bytecode shipped in it; "sources" is the --no-bytecode bundle treated
  the same way (what Lambda does without shipped bytecode).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
TEMPLATE_DIR = BENCH_DIR.parent
RUNTIME_REQUIREMENTS = BENCH_DIR / "runtime.txt"
UV = [sys.executable, "-m", "uv"]  # installed with the test dependencies
ARCHITECTURES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}
FIND_INTERPRETER = (
    "import sys; from build_tools.tools import find_python; print(find_python(sys.argv[1]) or '')"
)


class PreparationError(RuntimeError):
    """The project, its bundle or the runtime could not be made."""


@dataclass(frozen=True)
class Workspace:
    project: Path
    package: str
    python_version: str  # the project's Lambda runtime version
    bundle: Path  # as built by build_tools/bundle.py
    source_bundle: Path  # the same, built with --no-bytecode
    build_log: str
    runtime_python: Path  # the venv's interpreter
    runtime_version: str  # e.g. "3.13.0"
    memory_mb: int  # the project's Lambda memory size


def host_architecture() -> str:
    machine = platform.machine().lower()
    try:
        return ARCHITECTURES[machine]
    except KeyError:
        raise PreparationError(f"no Lambda architecture matches this machine ({machine})") from None


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PreparationError(
            f"{' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
        )
    return result.stdout


def bake(into: Path) -> tuple[Path, dict[str, str]]:
    """Bake the default project into `into`; its directory and its answers."""
    cookiecutter = Path(sys.executable).with_name("cookiecutter")
    env = {**os.environ, "SERVERLESS_FLASK_SKIP_INSTALL": "1"}
    into.mkdir(parents=True, exist_ok=True)
    run(
        [
            str(cookiecutter),
            "--no-input",
            "--overwrite-if-exists",
            "--output-dir",
            str(into),
            str(TEMPLATE_DIR),
            f"architecture={host_architecture()}",
        ],
        cwd=into,
        env=env,
    )
    (project,) = (path for path in into.iterdir() if (path / ".cookiecutter.json").is_file())
    replay = json.loads((project / ".cookiecutter.json").read_text(encoding="utf-8"))
    return project, replay["cookiecutter"]


def build_bundle(project: Path, output: Path, *options: str) -> str:
    """Build the project's Lambda bundle into `output`; the builder's output."""
    command = [sys.executable, "-m", "build_tools.bundle", "--output", str(output), *options]
    return run(command, cwd=project)


def runtime_interpreter(project: Path, version: str) -> Path:
    """Python `version` as the project's bundle builder finds it, else this interpreter."""
    found = run([sys.executable, "-c", FIND_INTERPRETER, version], cwd=project).strip()
    return Path(found or sys.executable)


def runtime_venv(python: Path, into: Path) -> Path:
    """A venv of `python` with bench/runtime.txt installed; reused while unchanged."""
    digest = hashlib.sha256(RUNTIME_REQUIREMENTS.read_bytes())
    digest.update(str(python.resolve()).encode())
    stamp = into / ".bench-runtime"
    venv_python = into / "bin" / "python"
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == digest.hexdigest():
        return venv_python
    remove_tree(into)
    # uv, not pip: pip asks the index about each package (minutes on a slow or busy
    # machine); uv installs from its cache. Bytecode as pip would write it.
    run([*UV, "venv", "--quiet", "--python", str(python), str(into)], cwd=into.parent)
    install = [*UV, "pip", "install", "--quiet", "--python", str(venv_python)]
    run([*install, "--no-deps", "--compile-bytecode", "-r", str(RUNTIME_REQUIREMENTS)], cwd=into)
    stamp.write_text(digest.hexdigest(), encoding="utf-8")
    return venv_python


def interpreter_version(python: Path) -> str:
    return run([str(python), "-c", "import platform; print(platform.python_version())"], Path())


def remove_tree(path: Path) -> None:
    """Delete `path`, read-only parts included."""
    if not path.exists():
        return
    for directory, _, _ in os.walk(path):
        os.chmod(directory, 0o755)
    shutil.rmtree(path)


def writable_copy(bundle: Path, into: Path) -> Path:
    """A writable copy of `bundle`: Python caches its own bytecode there."""
    remove_tree(into)
    shutil.copytree(bundle, into)
    return into


def read_only_copy(bundle: Path, into: Path) -> Path:
    """A copy of `bundle` exactly as built, with every write permission removed."""
    remove_tree(into)
    shutil.copytree(bundle, into)
    read_only = ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    for directory, _, files in os.walk(into, topdown=False):
        for name in files:
            file = Path(directory, name)
            file.chmod(file.stat().st_mode & read_only)
        Path(directory).chmod(Path(directory).stat().st_mode & read_only)
    return into


def bytecode_caches(root: Path) -> list[str]:
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("__pycache__"))


def prepare(work_dir: Path) -> Workspace:
    """Bake, build and set up the runtime under `work_dir`."""
    work_dir.mkdir(parents=True, exist_ok=True)
    remove_tree(work_dir / "project")
    project, answers = bake(work_dir / "project")
    package, version = answers["package_name"], answers["python_version"]
    bundle = work_dir / "bundle"
    build_log = build_bundle(project, bundle)
    source_bundle = work_dir / "bundle-sources"
    build_bundle(project, source_bundle, "--no-bytecode")
    python = runtime_interpreter(project, version)
    venv_python = runtime_venv(python, work_dir / f"runtime-{version}")
    return Workspace(
        project=project,
        package=package,
        python_version=version,
        bundle=bundle,
        source_bundle=source_bundle,
        build_log=build_log,
        runtime_python=venv_python,
        runtime_version=interpreter_version(venv_python).strip(),
        memory_mb=int(answers["lambda_memory_mb"]),
    )
