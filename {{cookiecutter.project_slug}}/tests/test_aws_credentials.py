"""Every make target that talks to AWS checks the credentials first, and stops
with one line saying what to do, before it builds or synthesizes anything."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from moto import mock_aws

from infra.aws_credentials import CredentialsError, caller_identity, main

PROJECT = Path(__file__).resolve().parents[1]
AWS_TARGETS = [
    "deploy",
    "diff",
    "destroy",
    "bootstrap",
    "logs",
    "access-logs",
    "rotate-secret",
    "revoke-secret",
    "rotate-origin-secret",
]


@pytest.fixture
def no_credentials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """An environment with no AWS configuration at all, as on a fresh machine."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    empty = {
        "HOME": str(tmp_path),
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        # A runner's own metadata service (GitHub's are on Azure) is not AWS's.
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    for name, value in empty.items():
        monkeypatch.setenv(name, value)
    return empty


def test_valid_credentials_name_the_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        identity = caller_identity("eu-west-1")
    assert re.fullmatch(r"[0-9]{12}", identity["account"])
    assert identity["arn"].startswith(f"arn:aws:sts::{identity['account']}:")


def test_no_credentials_say_how_to_sign_in(
    no_credentials: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--region", "us-east-1"])
    message = str(exit_info.value.code)
    assert "\n" not in message
    assert "aws configure sso" in message
    assert "AWS_PROFILE" in message
    assert "Deploying to AWS" in message


def test_an_unknown_profile_is_named(
    no_credentials: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "site-admin")
    with pytest.raises(CredentialsError, match=r"site-admin.*AWS_PROFILE"):
        caller_identity("us-east-1")


def fake_venv(tmp_path: Path, log: Path) -> Path:
    """A .venv whose python records each call: the only command allowed to run
    is the credentials check."""
    bin_dir = tmp_path / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    python = bin_dir / "python"
    python.write_text(
        f'#!/bin/sh\necho "$*" >> {shlex.quote(str(log))}\n'
        f'exec {shlex.quote(sys.executable)} "$@"\n'
    )
    python.chmod(0o755)
    (bin_dir.parent / ".installed").touch()  # newer than pyproject.toml and uv.lock
    return bin_dir.parent


def recorder(path: Path, log: Path) -> Path:
    path.write_text(f'#!/bin/sh\necho "{path.name} $*" >> {shlex.quote(str(log))}\nexit 0\n')
    path.chmod(0o755)
    return path


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("target", AWS_TARGETS)
def test_make_target_stops_before_building_without_credentials(
    target: str, tmp_path: Path, no_credentials: dict[str, str]
) -> None:
    log = tmp_path / "calls.log"
    venv = fake_venv(tmp_path, log)
    tools = tmp_path / "tools"
    tools.mkdir()
    recorder(tools / "aws", log)
    node_stamp = tmp_path / "node.installed"
    node_stamp.touch()
    env = {
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        "LANG": "C.UTF-8",
        **no_credentials,
    }
    make = shutil.which("make")
    assert make is not None
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            make, "--no-print-directory", target,
            f"VENV={venv}", f"NODE_STAMP={node_stamp}", "UV=true",
            f"CDK={recorder(tools / 'cdk', log)}",
        ],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    calls = log.read_text().splitlines()
    assert len(calls) == 1 and calls[0].startswith("-m infra.aws_credentials"), calls
    problem = [line for line in result.stderr.splitlines() if line.startswith("AWS credentials:")]
    assert len(problem) == 1 and "aws configure sso" in problem[0], result.stderr
    assert "Traceback" not in result.stderr


def test_an_sso_profile_without_a_session_says_to_log_in(
    no_credentials: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    Path(no_credentials["AWS_CONFIG_FILE"]).write_text(
        "[profile site-admin]\n"
        "sso_start_url = https://example.awsapps.com/start\n"
        "sso_region = us-east-1\n"
        "sso_account_id = 123456789012\n"
        "sso_role_name = AdministratorAccess\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "site-admin")
    with pytest.raises(CredentialsError, match="aws sso login"):
        caller_identity("us-east-1")
