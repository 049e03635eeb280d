"""The Lambda bundle builder (infra/bundle.py).

Everything but the last test uses a fake installer, so nothing is downloaded.
`pytest -m network` runs the real pip install as well.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath

import pytest

from infra import bundle
from infra.bundle import Settings

LOCK = """\
apig-wsgi==2.20.0
    # via example (pyproject.toml)
Boto3==1.40.0 \\
    --hash=sha256:0000
    # via example (pyproject.toml)
botocore[crt]==1.40.0
    # via boto3
flask==3.1.3 \\
    --hash=sha256:1111
    # via example (pyproject.toml)
"""


def write(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def option_value(command: Sequence[str], option: str) -> str:
    return command[list(command).index(option) + 1]


def no_python(version: str) -> None:
    """No interpreter for the runtime's version on this (pretend) machine."""
    return None


class FakeInstaller:
    """Stands in for pip: records each command and lays out an installed tree."""

    def __init__(self, extra_files: Sequence[str] = ()) -> None:
        self.commands: list[list[str]] = []
        self.requirements: list[str] = []
        self.files = ["flask/__init__.py", "flask-3.1.3.dist-info/METADATA", *extra_files]

    def __call__(self, command: Sequence[str]) -> None:
        self.commands.append(list(command))
        self.requirements.append(Path(option_value(command, "--requirement")).read_text())
        target = Path(option_value(command, "--target"))
        for name in self.files:
            write(target / name)


@pytest.fixture
def package_dir(tmp_path: Path) -> Path:
    package = tmp_path / "src" / "site_pkg"
    write(package / "__init__.py", "VERSION = 1\n")
    write(package / "settings.json", "{}\n")
    write(package / "templates" / "index.html", "<p>hi</p>\n")
    write(package / "__pycache__" / "__init__.cpython-311.pyc")
    write(package / "tests" / "test_it.py")
    return package


@pytest.fixture
def lock(tmp_path: Path) -> Path:
    return write(tmp_path / "runtime.txt", LOCK)


@pytest.mark.parametrize(("architecture", "machine"), [("arm64", "aarch64"), ("x86_64", "x86_64")])
def test_platform_tags_run_from_lambdas_glibc_down_to_manylinux2014(
    architecture: str, machine: str
) -> None:
    tags = bundle.platform_tags(architecture)
    assert tags[0] == f"manylinux_2_34_{machine}"
    assert f"manylinux_2_28_{machine}" in tags
    assert tags[-1] == f"manylinux2014_{machine}"
    minors = [int(tag.split("_")[2]) for tag in tags[:-1]]
    assert minors == sorted(minors, reverse=True)
    assert minors[-1] == 17
    assert all(tag.endswith(f"_{machine}") for tag in tags)


def test_platform_tags_refuse_an_unknown_architecture() -> None:
    with pytest.raises(bundle.BundleError, match="sparc"):
        bundle.platform_tags("sparc")


@pytest.mark.parametrize("architecture", ["arm64", "x86_64"])
def test_pip_command_asks_for_lambda_wheels_only(settings: Settings, architecture: str) -> None:
    settings = dataclasses.replace(settings, architecture=architecture, python_version="3.12")
    command = bundle.pip_install_command(Path("req.txt"), Path("out"), settings)
    assert command[1:4] == ["-m", "pip", "install"]
    platforms = [command[i + 1] for i, word in enumerate(command) if word == "--platform"]
    assert platforms == bundle.platform_tags(architecture)
    assert option_value(command, "--implementation") == "cp"
    assert option_value(command, "--python-version") == "3.12"
    assert option_value(command, "--target") == "out"
    assert option_value(command, "--requirement") == "req.txt"
    assert "--only-binary=:all:" in command
    assert "--no-compile" in command


def test_lock_filter_drops_runtime_provided_requirements_with_their_lines() -> None:
    filtered = bundle.lock_without_runtime_provided(LOCK)
    assert "boto" not in filtered.lower()
    assert "sha256:0000" not in filtered
    assert "apig-wsgi==2.20.0\n    # via example (pyproject.toml)\n" in filtered
    assert "flask==3.1.3 \\\n    --hash=sha256:1111\n" in filtered


@pytest.mark.parametrize(
    ("path", "excluded"),
    [
        ("flask/app.py", False),
        ("flask-3.1.3.dist-info/METADATA", False),
        ("site_pkg/templates/index.html", False),
        ("site_pkg/static/favicon.ico", False),
        ("pkg/tests.py", False),
        ("pkg/sub/bin/tool.py", False),
        ("bin/flask", True),
        ("pkg/__pycache__/mod.cpython-313.pyc", True),
        ("pkg/__pycache__", True),
        ("pkg/mod.pyc", True),
        ("pkg/tests/test_mod.py", True),
        ("tests/__init__.py", True),
        ("tests", True),
    ],
)
def test_exclusion_filter(path: str, excluded: bool) -> None:
    assert bundle.is_excluded(PurePosixPath(path)) is excluded


def test_prune_removes_excluded_entries_only(tmp_path: Path) -> None:
    for name in ["bin/flask", "a/__pycache__/m.pyc", "a/tests/t.py", "a/m.pyc", "a/m.py"]:
        write(tmp_path / name)
    bundle.prune(tmp_path)
    remaining = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert remaining == ["a", "a/m.py"]


def test_runtime_provided_distributions_are_found(tmp_path: Path) -> None:
    for name in ["boto3/__init__.py", "botocore-1.40.0.dist-info/METADATA", "s3transfer/x.py"]:
        write(tmp_path / name)
    assert bundle.runtime_provided_found(tmp_path) == ["boto3", "botocore-1.40.0.dist-info"]


def test_fingerprint_follows_every_input(settings: Settings, package_dir: Path, lock: Path) -> None:
    def current() -> str:
        return bundle.fingerprint(lock, settings, package_dir)

    original = current()
    assert current() == original
    assert len(original) == 64

    write(package_dir / "__pycache__" / "views.cpython-311.pyc")
    write(package_dir / "tests" / "test_more.py")
    assert current() == original, "excluded files must not trigger a rebuild"

    changes: list[Callable[[], None]] = [
        lambda: write(package_dir / "templates" / "index.html", "<p>changed</p>\n"),
        lambda: write(package_dir / "new_module.py"),
        lambda: write(lock, LOCK + "werkzeug==3.1.9\n"),
    ]
    seen = {original}
    for change in changes:
        change()
        seen.add(current())
    assert len(seen) == 1 + len(changes)

    other_architecture = "x86_64" if settings.architecture == "arm64" else "arm64"
    for changed in (
        dataclasses.replace(settings, architecture=other_architecture),
        dataclasses.replace(settings, python_version="3.99"),
        dataclasses.replace(settings, lambda_memory_mb=settings.lambda_memory_mb + 1),
    ):
        assert bundle.fingerprint(lock, changed, package_dir) not in seen


def test_up_to_date_only_with_the_same_fingerprint(tmp_path: Path) -> None:
    assert not bundle.is_up_to_date(tmp_path / "missing", "abc")
    write(tmp_path / bundle.FINGERPRINT_FILE, "abc\n")
    assert bundle.is_up_to_date(tmp_path, "abc")
    assert not bundle.is_up_to_date(tmp_path, "abd")


def test_install_dependencies_filters_the_lock_and_prunes(
    settings: Settings, lock: Path, tmp_path: Path
) -> None:
    installer = FakeInstaller(extra_files=["bin/flask", "flask/tests/t.py", "flask/__pycache__/x"])
    target = tmp_path / "target"
    target.mkdir()
    bundle.install_dependencies(lock, target, settings, installer)
    assert len(installer.commands) == 1
    assert option_value(installer.commands[0], "--target") == str(target)
    assert "boto" not in installer.requirements[0].lower()
    assert "flask==3.1.3" in installer.requirements[0]
    installed = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert installed == ["flask-3.1.3.dist-info/METADATA", "flask/__init__.py"]


def test_install_dependencies_refuses_a_runtime_provided_sdk(
    settings: Settings, lock: Path, tmp_path: Path
) -> None:
    installer = FakeInstaller(extra_files=["botocore/__init__.py"])
    with pytest.raises(bundle.BundleError, match="botocore"):
        bundle.install_dependencies(lock, tmp_path, settings, installer)


def test_copy_package_leaves_tests_and_caches_behind(package_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    bundle.copy_package(package_dir, target)
    copied = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert copied == [
        "site_pkg/__init__.py",
        "site_pkg/settings.json",
        "site_pkg/templates/index.html",
    ]
    with pytest.raises(bundle.BundleError, match="site_pkg"):
        bundle.copy_package(package_dir, target)


def test_atomic_build_replaces_the_output_when_complete(tmp_path: Path) -> None:
    output = tmp_path / "build" / "lambda"
    bundle.build_atomically(output, "first", lambda staging: write(staging / "old.py"))
    bundle.build_atomically(output, "second", lambda staging: write(staging / "new.py"))
    assert sorted(p.name for p in output.iterdir()) == [bundle.FINGERPRINT_FILE, "new.py"]
    assert bundle.is_up_to_date(output, "second")
    assert os.listdir(output.parent) == ["lambda"], "no staging or retired directory is left"
    assert output.stat().st_mode & 0o777 == 0o755


def test_failed_build_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    output = tmp_path / "lambda"
    bundle.build_atomically(output, "good", lambda staging: write(staging / "app.py", "good"))

    def half_then_fail(staging: Path) -> None:
        write(staging / "app.py", "half")
        raise bundle.BundleError("pip failed")

    with pytest.raises(bundle.BundleError):
        bundle.build_atomically(output, "bad", half_then_fail)
    assert (output / "app.py").read_text() == "good"
    assert bundle.is_up_to_date(output, "good")
    assert os.listdir(tmp_path) == ["lambda"]


def test_bundle_sizes(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "a" * 10_000)
    write(tmp_path / "sub" / "b.txt", "b" * 5_000)
    unzipped, zipped = bundle.bundle_sizes(tmp_path)
    assert unzipped == 15_000
    assert 0 < zipped < 1_000


def test_cli_builds_then_skips_until_forced(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "lambda"
    installer = FakeInstaller()

    assert bundle.main(["--output", str(output)], install=installer, find_python=no_python) == 0
    assert "Built" in capsys.readouterr().out
    assert (output / settings.package_name / "settings.json").is_file()
    assert (output / "flask" / "__init__.py").is_file()
    assert not list(output.rglob("__pycache__"))

    assert bundle.main(["--output", str(output)], install=installer, find_python=no_python) == 0
    assert "up to date" in capsys.readouterr().out
    assert len(installer.commands) == 1

    forced = ["--output", str(output), "--force"]
    assert bundle.main(forced, install=installer, find_python=no_python) == 0
    assert len(installer.commands) == 2


def test_cli_reports_a_failed_install_and_keeps_no_half_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def failing(command: Sequence[str]) -> None:
        write(Path(option_value(command, "--target")) / "partial.py")
        raise bundle.BundleError("pip failed (exit code 1)")

    arguments = ["--output", str(tmp_path / "lambda")]
    assert bundle.main(arguments, install=failing, find_python=no_python) == 1
    assert "pip failed" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


MAGIC = "f30d0d0a"


def fake_python(directory: Path, name: str, version: str, implementation: str = "cpython") -> str:
    """An executable that answers the version query like a Python `version` would."""
    script = write(
        directory / name,
        f'#!/bin/sh\n[ "$2" = "-c" ] && echo "{version} {implementation} {MAGIC}"\nexit 0\n',
    )
    script.chmod(0o755)
    return str(script)


def test_find_interpreter_takes_the_running_python_when_it_matches(tmp_path: Path) -> None:
    current = fake_python(tmp_path / "venv", "python", "3.13")
    found = bundle.find_interpreter("3.13", current=current, search_path="", pyenv_root=tmp_path)
    assert found == bundle.Interpreter(executable=current, version="3.13", magic=MAGIC)


def test_find_interpreter_looks_on_path_then_in_pyenv(tmp_path: Path) -> None:
    current = fake_python(tmp_path / "venv", "python", "3.11")
    on_path = fake_python(tmp_path / "bin", "python3.13", "3.13")
    pyenv = tmp_path / "pyenv"
    for release in ("3.13.2", "3.13.10", "3.12.9"):
        fake_python(pyenv / "versions" / release / "bin", f"python{release[:4]}", release[:4])

    def find(search_path: str) -> bundle.Interpreter | None:
        return bundle.find_interpreter(
            "3.13", current=current, search_path=search_path, pyenv_root=pyenv
        )

    assert find(str(tmp_path / "bin")).executable == on_path
    newest = find(str(tmp_path / "nothing-here"))
    assert newest is not None
    assert newest.executable == str(pyenv / "versions" / "3.13.10" / "bin" / "python3.13")
    assert bundle.find_interpreter("3.14", current, "", pyenv) is None


def test_find_interpreter_skips_broken_and_other_pythons(tmp_path: Path) -> None:
    broken = write(tmp_path / "bin" / "python3.13", "#!/bin/sh\nexit 1\n")
    broken.chmod(0o755)
    other = fake_python(tmp_path / "venv", "python", "3.13", implementation="pypy")
    assert bundle.find_interpreter("3.13", other, str(tmp_path / "bin"), tmp_path) is None


def test_compile_command_writes_unchecked_hash_bytecode_for_var_task(tmp_path: Path) -> None:
    python = bundle.Interpreter(executable="/opt/python3.13", version="3.13", magic=MAGIC)
    targets = [tmp_path / "flask", tmp_path / "six.py"]
    command = bundle.compile_command(python, tmp_path, targets, sourceless=True)
    assert command[:4] == ["/opt/python3.13", "-I", "-m", "compileall"]
    assert option_value(command, "--invalidation-mode") == "unchecked-hash"
    assert option_value(command, "-s") == str(tmp_path)
    assert option_value(command, "-p") == "/var/task"
    assert "-b" in command
    assert command[-2:] == [str(target) for target in targets]
    assert "-b" not in bundle.compile_command(python, tmp_path, targets, sourceless=False)


class FakeCompiler:
    """Stands in for compileall: writes a .pyc for every .py where compileall would."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, command: Sequence[str]) -> None:
        self.commands.append(list(command))
        sourceless = "-b" in command
        targets = [Path(word) for word in command[command.index("-p") + 2 :]]
        for target in targets:
            for source in [target] if target.is_file() else sorted(target.rglob("*.py")):
                if sourceless:
                    write(source.with_suffix(".pyc"))
                else:
                    write(source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc")


def test_cli_compiles_dependencies_sourceless_and_the_app_beside_its_sources(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "lambda"
    python = bundle.Interpreter(executable="/opt/python3.13", version="3.13", magic=MAGIC)
    compiler = FakeCompiler()
    installer = FakeInstaller(extra_files=["six.py", "flask/templates/page.html"])
    code = bundle.main(
        ["--output", str(output)],
        install=installer,
        find_python=lambda _: python,
        compile_=compiler,
    )
    assert code == 0
    assert "compiled by Python" in capsys.readouterr().out
    assert len(compiler.commands) == 2
    assert (output / "flask" / "__init__.pyc").is_file()
    assert not (output / "flask" / "__init__.py").exists()
    assert (output / "flask" / "templates" / "page.html").is_file()
    assert (output / "six.pyc").is_file()
    assert not (output / "six.py").exists()
    package = output / settings.package_name
    assert (package / "app.py").is_file()
    assert (package / "__pycache__" / "app.cpython-313.pyc").is_file()


def test_cli_without_the_runtime_python_says_so_and_still_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "lambda"
    arguments = ["--output", str(output)]
    assert bundle.main(arguments, install=FakeInstaller(), find_python=no_python) == 0
    printed = capsys.readouterr().out
    assert "NOTICE: no Python" in printed
    assert "Built" in printed
    assert not list(output.rglob("*.pyc"))


def test_no_bytecode_option_skips_the_search(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def must_not_search(version: str) -> None:
        raise AssertionError("searched for an interpreter")

    arguments = ["--output", str(tmp_path / "lambda"), "--no-bytecode"]
    assert bundle.main(arguments, install=FakeInstaller(), find_python=must_not_search) == 0
    assert "--no-bytecode" in capsys.readouterr().out


def test_fingerprint_follows_the_bytecode_format_not_the_interpreters_path(
    settings: Settings, package_dir: Path, lock: Path
) -> None:
    python = bundle.Interpreter(executable="/opt/a/python3.13", version="3.13", magic=MAGIC)
    moved = dataclasses.replace(python, executable="/usr/bin/python3.13")
    newer = dataclasses.replace(python, magic="f40d0d0a")

    def stamp(interpreter: bundle.Interpreter | None) -> str:
        return bundle.fingerprint(lock, settings, package_dir, interpreter)

    assert stamp(python) == stamp(moved)
    assert len({stamp(None), stamp(python), stamp(newer)}) == 3


def elf_machine(path: Path) -> int:
    """e_machine from an ELF header (little-endian): 183 is aarch64, 62 is x86-64."""
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    return int.from_bytes(header[18:20], "little")


@pytest.mark.network
def test_real_build_downloads_wheels_for_the_lambda(tmp_path: Path, settings: Settings) -> None:
    output = tmp_path / "lambda"
    assert bundle.main(["--output", str(output), "--no-bytecode"]) == 0
    assert not list(output.rglob("*.pyc"))
    speedups = list((output / "markupsafe").glob("_speedups*.so"))
    assert len(speedups) == 1
    expected = {"arm64": 183, "x86_64": 62}[settings.architecture]
    assert elf_machine(speedups[0]) == expected
    assert not (output / "boto3").exists()
