"""CI checks every locked dependency against the known vulnerabilities, by the
exact pins and hashes of uv.lock, with an auditor that uv.lock pins too."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_audit() -> None:
    workflow = yaml.safe_load((PROJECT / ".github/workflows/ci.yml").read_text(encoding="utf-8"))
    commands = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert "make audit" in commands


def test_the_auditor_is_a_locked_dev_dependency() -> None:
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    dev = pyproject["dependency-groups"]["dev"]
    assert any(isinstance(d, str) and d.startswith("pip-audit") for d in dev)
    lock = tomllib.loads((PROJECT / "uv.lock").read_text(encoding="utf-8"))
    assert "pip-audit" in {package["name"] for package in lock["package"]}


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_audit_checks_the_lock_by_hash_without_pip(tmp_path: Path) -> None:
    make = shutil.which("make")
    assert make is not None
    dry_run = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [make, "-n", "--no-print-directory", "audit", "UV=uv", f"VENV={tmp_path}"],
        cwd=PROJECT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    [export] = [line for line in dry_run.stdout.splitlines() if "uv export" in line]
    [audit] = [line for line in dry_run.stdout.splitlines() if "pip-audit" in line]
    assert "--frozen" in export and "--all-groups" in export and "--no-hashes" not in export
    requirements = export.split("--output-file ")[1].split()[0]
    assert f"-r {requirements}" in audit
    for option in ("--strict", "--require-hashes", "--disable-pip"):
        assert option in audit
