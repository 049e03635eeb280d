"""The kit as a distribution of its own: a version its changelog names, nothing a
project's answers could change, and a wheel that holds the runtime."""

from __future__ import annotations

import re
import shutil
import sys
import tomllib
import zipfile
from pathlib import Path

from .baking import KIT_DIR, bake_literally, copy_template, run

PACKAGE = "serverless_flask_kit"


def kit_project() -> dict:
    return tomllib.loads((KIT_DIR / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_changelog_starts_with_the_kits_version() -> None:
    changelog = (KIT_DIR / "CHANGELOG.md").read_text(encoding="utf-8")
    [first, *_] = re.findall(r"^## (\S+)", changelog, flags=re.MULTILINE)
    assert first == kit_project()["version"]


def test_the_kit_holds_no_template_syntax() -> None:
    """It is copied unrendered (cookiecutter.json's _copy_without_render), so a
    cookiecutter variable in it would reach projects as literal text."""
    marked = [
        path.relative_to(KIT_DIR).as_posix()
        for path in KIT_DIR.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts  # the post-generation hook leaves caches out
        and "cookiecutter." in path.read_text(encoding="utf-8", errors="ignore")
    ]
    assert marked == []


def test_the_kit_builds_as_a_wheel_with_the_runtime(tmp_path: Path) -> None:
    """Publishable as it is: its build backend makes a wheel of the package alone.
    (Built from a copy: uv would take the templated pyproject.toml above it for a
    workspace's.)"""
    source = shutil.copytree(KIT_DIR, tmp_path / "kit")
    uv = str(Path(sys.executable).with_name("uv"))
    built = run([uv, "build", "--wheel", "--out-dir", str(tmp_path), str(source)], cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    [wheel] = tmp_path.glob("serverless_flask_kit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert f"{PACKAGE}/handler.py" in names
    assert {name.split("/")[0] for name in names} == {
        PACKAGE,
        f"{PACKAGE}-{kit_project()['version']}.dist-info",
    }


def test_the_kits_bytecode_caches_in_the_template_reach_no_project(tmp_path: Path) -> None:
    """Anything that imports the checkout's kit without PYTHONDONTWRITEBYTECODE (its own
    tests do) leaves caches in the template; cookiecutter copies every file."""
    template = copy_template(tmp_path / "template")
    kit_package = template / KIT_DIR.relative_to(KIT_DIR.parents[1]) / "src" / PACKAGE
    cache = kit_package / "__pycache__"
    cache.mkdir()
    (cache / "handler.cpython-311.pyc").write_bytes(b"stale bytecode")
    project, _ = bake_literally({}, tmp_path, template=template)
    assert list(project.rglob("__pycache__")) == []
