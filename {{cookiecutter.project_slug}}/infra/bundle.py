"""Build the Lambda deployment directory, without Docker.

    python -m infra.bundle [--output DIR] [--force] [--no-bytecode]

The runtime dependencies locked in requirements/runtime.txt are installed as
Linux wheels for the Lambda's architecture and Python version (pip's
`--platform` options), then the app package is copied beside them. The result
is what the stack uploads as the function's code.

- Incremental: a fingerprint of every input (the lock, the settings, the
  package's files, this builder and its options) is kept in the output
  directory; when it matches, nothing is rebuilt (`--force` rebuilds anyway).
- Atomic: the bundle is built in a temporary directory beside the output and
  swapped in only when complete, so a failed build never leaves half a bundle.
- Lean: no tests, caches, console scripts, or the AWS SDK (boto3 and botocore
  come with the Lambda runtime).
- Fast cold starts: Lambda's code directory is read-only, so Python cannot
  cache bytecode there and recompiles every module it imports on each cold
  start. When the build machine has the runtime's Python version (the running
  interpreter, `pythonX.Y` on PATH, or pyenv), everything is compiled with it:
  the dependencies to bytecode only (their sources left out, which keeps the
  zip small; tracebacks through them show file and line, not the code), the
  app package to unchecked-hash .pyc files beside its sources. Python loads
  those without comparing them with the sources, whose timestamps the
  deployment zip does not keep. Without that Python, or with --no-bytecode,
  the bundle has sources only; the build says so.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path, PurePath

from {{ cookiecutter.package_name }}.settings import Settings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RUNTIME_LOCK = PROJECT_ROOT / "requirements" / "runtime.txt"
DEFAULT_OUTPUT = PROJECT_ROOT / "build" / "lambda"
FINGERPRINT_FILE = ".bundle-fingerprint"

# Lambda's Python 3.12+ runtimes run on Amazon Linux 2023 (glibc 2.34). Wheels
# built for that glibc or any older one work; manylinux2014 is glibc 2.17.
LAMBDA_GLIBC_MINOR = 34
OLDEST_GLIBC_MINOR = 17
MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}

# Distributions the Lambda runtime already provides: never bundled.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore"})
# What never goes into the bundle: directories with these names anywhere,
# pip's console scripts (`bin/` at the top), and bytecode.
EXCLUDED_DIRS = frozenset({"__pycache__", "tests"})
EXCLUDED_TOP_LEVEL = frozenset({"bin"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo")

# Runs a command (a pip install); raises BundleError if it fails.
Installer = Callable[[Sequence[str]], None]
# Runs a command (a compileall run); raises BundleError if it fails.
Compiler = Callable[[Sequence[str]], None]

# Where the code lives on Lambda: the paths recorded in the bytecode (tracebacks)
# name it, not the build directory, so identical sources give identical files.
LAMBDA_TASK_ROOT = "/var/task"
# Asks an interpreter for its version and bytecode magic number.
VERSION_QUERY = (
    "import importlib.util, sys; "
    "print('%d.%d' % sys.version_info[:2], sys.implementation.name, "
    "importlib.util.MAGIC_NUMBER.hex())"
)


class BundleError(Exception):
    """The bundle could not be built as asked."""


def platform_tags(architecture: str) -> list[str]:
    """pip `--platform` tags for a Lambda architecture, newest glibc first.

    pip does not widen a `manylinux_2_X` tag to older glibc versions by itself,
    so every version down to manylinux2014 (glibc 2.17) is listed.
    """
    try:
        machine = MACHINES[architecture]
    except KeyError:
        raise BundleError(f"unknown Lambda architecture {architecture!r}") from None
    versions = range(LAMBDA_GLIBC_MINOR, OLDEST_GLIBC_MINOR - 1, -1)
    return [f"manylinux_2_{minor}_{machine}" for minor in versions] + [f"manylinux2014_{machine}"]


def pip_install_command(requirements: Path, target: Path, settings: Settings) -> list[str]:
    """The pip command that installs Linux wheels for the Lambda runtime into `target`."""
    platforms = [
        option for tag in platform_tags(settings.architecture) for option in ("--platform", tag)
    ]
    # fmt: off
    return [
        sys.executable, "-m", "pip", "install",
        "--quiet", "--disable-pip-version-check", "--no-input",
        *platforms,
        "--implementation", "cp",
        "--python-version", settings.python_version,
        "--only-binary=:all:",
        "--no-compile",
        "--target", str(target),
        "--requirement", str(requirements),
    ]
    # fmt: on


@dataclass(frozen=True)
class Interpreter:
    """A CPython that can compile bytecode for the Lambda runtime."""

    executable: str
    version: str  # "3.13"
    magic: str  # the bytecode magic number, hex: it changes with the bytecode format


def describe_interpreter(executable: str) -> Interpreter | None:
    """`executable`'s version and magic number, or None if it is not a working CPython."""
    try:
        result = subprocess.run(  # noqa: S603 - an interpreter found on this machine
            [executable, "-I", "-c", VERSION_QUERY],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        version, implementation, magic = result.stdout.split()
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if implementation != "cpython":
        return None
    return Interpreter(executable=executable, version=version, magic=magic)


def candidate_interpreters(
    version: str, current: str, search_path: str | None, pyenv_root: Path
) -> list[str]:
    """Where a Python `version` may be, in order: `current`, PATH, then pyenv's newest."""
    candidates = [current]
    on_path = shutil.which(f"python{version}", path=search_path)
    if on_path:
        candidates.append(on_path)
    releases = sorted(
        pyenv_root.glob(f"versions/{version}.*/bin/python{version}"),
        key=lambda path: [int(part) for part in re.findall(r"\d+", path.parts[-3])],
        reverse=True,
    )
    candidates.extend(str(path) for path in releases)
    return candidates


def find_interpreter(
    version: str,
    current: str = sys.executable,
    search_path: str | None = None,
    pyenv_root: Path | None = None,
) -> Interpreter | None:
    """The first CPython `version` on this machine, or None.

    `current` is the running interpreter; `search_path` defaults to PATH and
    `pyenv_root` to $PYENV_ROOT or ~/.pyenv.
    """
    root = pyenv_root or Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    for candidate in candidate_interpreters(version, current, search_path, root):
        found = describe_interpreter(candidate)
        if found is not None and found.version == version:
            return found
    return None


def compile_command(
    interpreter: Interpreter, root: Path, targets: Sequence[Path], *, sourceless: bool
) -> list[str]:
    """compileall for `targets` inside `root`: unchecked-hash .pyc files.

    `sourceless` puts each .pyc where its .py was (so the .py can go) instead
    of in __pycache__.
    """
    # fmt: off
    return [
        interpreter.executable, "-I", "-m", "compileall",
        "-q", "-j", "0",
        *(["-b"] if sourceless else []),
        "--invalidation-mode", "unchecked-hash",
        "-s", str(root), "-p", LAMBDA_TASK_ROOT,
        *(str(target) for target in targets),
    ]
    # fmt: on


def dependency_entries(root: Path, package_name: str) -> list[Path]:
    """The top-level modules and packages of the installed dependencies."""
    return sorted(
        path
        for path in root.iterdir()
        if path.name != package_name
        and (path.suffix == ".py" or (path.is_dir() and not path.name.endswith(".dist-info")))
    )


def drop_compiled_sources(entries: Sequence[Path]) -> None:
    """Delete each .py file under `entries` that has its .pyc beside it."""
    for entry in entries:
        sources = [entry] if entry.is_file() else sorted(entry.rglob("*.py"))
        for source in sources:
            if source.with_suffix(".pyc").is_file():
                source.unlink()


def run_compiler(command: Sequence[str]) -> None:
    """The real compiler: runs compileall."""
    try:
        subprocess.run(command, check=True)  # noqa: S603 - our own compileall command line
    except subprocess.CalledProcessError as error:
        raise BundleError(f"compiling bytecode failed (exit code {error.returncode})") from error


def build_options(settings: Settings, interpreter: Interpreter | None = None) -> list[str]:
    """Everything about how the bundle is made, for its fingerprint."""
    command = pip_install_command(Path("REQUIREMENTS"), Path("TARGET"), settings)
    excluded = [*sorted(EXCLUDED_DIRS), *sorted(EXCLUDED_TOP_LEVEL), *EXCLUDED_SUFFIXES]
    if interpreter is None:
        bytecode = ["bytecode", "none"]
    else:
        root, targets = Path("TARGET"), [Path("TARGETS")]
        bytecode = ["bytecode", interpreter.version, interpreter.magic]
        for sourceless in (True, False):
            command = compile_command(interpreter, root, targets, sourceless=sourceless)
            bytecode += command[1:]
    return [*command[1:], *sorted(RUNTIME_PROVIDED), *excluded, *bytecode]


def run_installer(command: Sequence[str]) -> None:
    """The real installer: runs pip."""
    try:
        subprocess.run(command, check=True)  # noqa: S603 - our own pip command line
    except subprocess.CalledProcessError as error:
        raise BundleError(f"pip failed (exit code {error.returncode})") from error


def distribution_name(name: str) -> str:
    """A distribution name in its normalised form (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_without_runtime_provided(lock_text: str) -> str:
    """The lock file's text without the requirements the Lambda runtime provides.

    A requirement is its line plus the indented lines (hashes, `# via`
    comments) that follow it.
    """
    kept: list[str] = []
    dropping = False
    for line in lock_text.splitlines(keepends=True):
        if not line[:1].isspace():
            name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line)
            dropping = bool(name) and distribution_name(name.group()) in RUNTIME_PROVIDED
        if not dropping:
            kept.append(line)
    return "".join(kept)


def is_excluded(relative: PurePath) -> bool:
    """Whether a path inside the bundle, relative to its root, is left out."""
    parts = relative.parts
    return (
        relative.suffix in EXCLUDED_SUFFIXES
        or (bool(parts) and parts[0] in EXCLUDED_TOP_LEVEL)
        or any(part in EXCLUDED_DIRS for part in parts)
    )


def prune(root: Path) -> None:
    """Delete every excluded file and directory under `root`."""
    for path in sorted(root.rglob("*")):
        if not os.path.lexists(path) or not is_excluded(path.relative_to(root)):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def runtime_provided_found(root: Path) -> list[str]:
    """Top-level entries of `root` that belong to a runtime-provided distribution."""
    found = []
    for path in root.iterdir():
        name = path.name.split("-")[0] if path.name.endswith(".dist-info") else path.name
        if distribution_name(name) in RUNTIME_PROVIDED:
            found.append(path.name)
    return sorted(found)


def package_files(package_dir: Path) -> list[Path]:
    """The app package's files that go into the bundle, in a stable order."""
    return sorted(
        path
        for path in package_dir.rglob("*")
        if path.is_file() and not is_excluded(path.relative_to(package_dir.parent))
    )


def fingerprint(
    lock: Path, settings: Settings, package_dir: Path, interpreter: Interpreter | None = None
) -> str:
    """A hash of everything the bundle is built from (and the bytecode compiler)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)

    add("builder", Path(__file__).read_bytes())
    add("options", json.dumps(build_options(settings, interpreter)).encode())
    add("settings", json.dumps(asdict(settings), sort_keys=True).encode())
    add("lock", lock.read_bytes())
    for path in package_files(package_dir):
        add(path.relative_to(package_dir.parent).as_posix(), path.read_bytes())
    return digest.hexdigest()


def is_up_to_date(output: Path, expected_fingerprint: str) -> bool:
    stamp = output / FINGERPRINT_FILE
    return stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == expected_fingerprint


def install_dependencies(lock: Path, target: Path, settings: Settings, install: Installer) -> None:
    """Install the locked runtime dependencies, minus the runtime-provided ones."""
    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "requirements.txt"
        lock_text = lock.read_text(encoding="utf-8")
        requirements.write_text(lock_without_runtime_provided(lock_text), encoding="utf-8")
        install(pip_install_command(requirements, target, settings))
    prune(target)
    unwanted = runtime_provided_found(target)
    if unwanted:
        raise BundleError(
            f"a dependency pulled in {', '.join(unwanted)}, which the Lambda runtime provides: "
            "drop that dependency, or take the name out of RUNTIME_PROVIDED to bundle it"
        )


def copy_package(package_dir: Path, target: Path) -> None:
    """Copy the app package into `target`, without tests or caches."""
    destination = target / package_dir.name
    if os.path.lexists(destination):
        raise BundleError(f"a dependency installed {package_dir.name!r}, the app package's name")

    def ignore(directory: str, names: list[str]) -> set[str]:
        relative = Path(directory).relative_to(package_dir.parent)
        return {name for name in names if is_excluded(relative / name)}

    shutil.copytree(package_dir, destination, ignore=ignore)


def compile_bytecode(
    root: Path, package_name: str, interpreter: Interpreter, compile_: Compiler
) -> None:
    """Compile every module under `root` for the runtime (see the module docstring)."""
    dependencies = dependency_entries(root, package_name)
    if dependencies:
        compile_(compile_command(interpreter, root, dependencies, sourceless=True))
        drop_compiled_sources(dependencies)
    compile_(compile_command(interpreter, root, [root / package_name], sourceless=False))


def swap_into_place(staging: Path, output: Path) -> None:
    """Replace `output`, if there is one, by the complete `staging` directory."""
    if not output.exists():
        staging.rename(output)
        return
    retired = output.with_name(f".{output.name}.old-{os.getpid()}")
    output.rename(retired)
    staging.rename(output)
    shutil.rmtree(retired)


def build_atomically(output: Path, stamp: str, fill: Callable[[Path], None]) -> None:
    """Fill a fresh directory beside `output`, stamp it, then swap it in.

    On any failure the fresh directory is deleted and `output` is left as it was.
    """
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=output.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; Lambda needs it readable
        fill(staging)
        (staging / FINGERPRINT_FILE).write_text(stamp + "\n", encoding="utf-8")
        swap_into_place(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def bundle_sizes(root: Path) -> tuple[int, int]:
    """The bundle's size in bytes unzipped, and zipped (deflate, as uploaded)."""
    unzipped = 0
    with tempfile.TemporaryFile() as archive:
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle_zip:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    unzipped += path.stat().st_size
                    bundle_zip.write(path, path.relative_to(root).as_posix())
        return unzipped, archive.tell()


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.2f} MB"


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m infra.bundle", description="Build the Lambda deployment directory."
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="where to build (default: build/lambda)"
    )
    parser.add_argument("--force", action="store_true", help="rebuild even if no input changed")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="ship sources only, even when the runtime's Python is here",
    )
    return parser.parse_args(argv)


def bytecode_notice(interpreter: Interpreter | None, version: str, wanted: bool = True) -> str:
    if interpreter is not None:
        return f"Bytecode: compiled by Python {version} at {interpreter.executable}."
    if not wanted:
        return "NOTICE: --no-bytecode: the bundle has sources only (slower cold starts)."
    return (
        f"NOTICE: no Python {version} on this machine (not this interpreter, not "
        f"python{version} on PATH, not in pyenv), so the bundle has no bytecode: on Lambda "
        "every cold start then recompiles each imported module (about +100 ms). It still "
        f"works. Install Python {version} (the deploy workflow sets it up) to include it."
    )


def main(
    argv: Sequence[str] | None = None,
    install: Installer = run_installer,
    find_python: Callable[[str], Interpreter | None] = find_interpreter,
    compile_: Compiler = run_compiler,
) -> int:
    arguments = parse_arguments(argv)
    output: Path = arguments.output.resolve()
    settings = load_settings()
    package_dir = PROJECT_ROOT / settings.package_name
    interpreter = None if arguments.no_bytecode else find_python(settings.python_version)
    stamp = fingerprint(RUNTIME_LOCK, settings, package_dir, interpreter)
    if not arguments.force and is_up_to_date(output, stamp):
        print(f"{output} is up to date (no input changed); nothing to do. --force rebuilds it.")
        return 0

    def fill(staging: Path) -> None:
        install_dependencies(RUNTIME_LOCK, staging, settings, install)
        copy_package(package_dir, staging)
        if interpreter is not None:
            compile_bytecode(staging, package_dir.name, interpreter, compile_)

    print(f"Building {output} for Python {settings.python_version} on {settings.architecture}...")
    try:
        build_atomically(output, stamp, fill)
    except BundleError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(bytecode_notice(interpreter, settings.python_version, not arguments.no_bytecode))
    unzipped, zipped = bundle_sizes(output)
    print(f"Built {output}: {megabytes(unzipped)} unzipped, {megabytes(zipped)} zipped.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
