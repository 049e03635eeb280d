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

    assert bundle.main(["--output", str(output)], install=installer) == 0
    assert "Built" in capsys.readouterr().out
    assert (output / settings.package_name / "settings.json").is_file()
    assert (output / "flask" / "__init__.py").is_file()
    assert not list(output.rglob("__pycache__"))

    assert bundle.main(["--output", str(output)], install=installer) == 0
    assert "up to date" in capsys.readouterr().out
    assert len(installer.commands) == 1

    assert bundle.main(["--output", str(output), "--force"], install=installer) == 0
    assert len(installer.commands) == 2


def test_cli_reports_a_failed_install_and_keeps_no_half_bundle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def failing(command: Sequence[str]) -> None:
        write(Path(option_value(command, "--target")) / "partial.py")
        raise bundle.BundleError("pip failed (exit code 1)")

    assert bundle.main(["--output", str(tmp_path / "lambda")], install=failing) == 1
    assert "pip failed" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def elf_machine(path: Path) -> int:
    """e_machine from an ELF header (little-endian): 183 is aarch64, 62 is x86-64."""
    header = path.read_bytes()[:20]
    assert header[:4] == b"\x7fELF"
    return int.from_bytes(header[18:20], "little")


@pytest.mark.network
def test_real_build_downloads_wheels_for_the_lambda(tmp_path: Path, settings: Settings) -> None:
    output = tmp_path / "lambda"
    assert bundle.main(["--output", str(output)]) == 0
    speedups = list((output / "markupsafe").glob("_speedups*.so"))
    assert len(speedups) == 1
    expected = {"arm64": 183, "x86_64": 62}[settings.architecture]
    assert elf_machine(speedups[0]) == expected
    assert not list(output.rglob("*.pyc"))
    assert not (output / "boto3").exists()
