"""Every make target that talks to AWS checks the credentials first, and stops
with one line saying what to do, before it builds or synthesizes anything."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
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
    "errors",
    "rotate-secret",
    "revoke-secret",
    "rotate-origin-secret",
]
# The make runs get a bare environment, except that a suite run without
# bytecode keeps writing none.
KEPT = {name: os.environ[name] for name in ("PYTHONDONTWRITEBYTECODE",) if name in os.environ}


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


def test_the_check_names_the_account_it_will_use(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        main(["--region", "us-east-1"])
    assert re.fullmatch(r"AWS account [0-9]{12} as arn:aws:\S+\n", capsys.readouterr().err)


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


def run_make(target: str, tmp_path: Path, env: dict[str, str]) -> tuple[int, str, list[str]]:
    """`make target` with a recording .venv python, CDK CLI and aws CLI: its exit
    code, its stderr and the commands those three ran."""
    log = tmp_path / "calls.log"
    log.touch()
    venv = fake_venv(tmp_path, log)
    tools = tmp_path / "tools"
    tools.mkdir()
    recorder(tools / "aws", log)
    node_stamp = tmp_path / "node.installed"
    node_stamp.touch()
    make = shutil.which("make")
    assert make is not None
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            make, "--no-print-directory", target,
            f"VENV={venv}", f"NODE_STAMP={node_stamp}", "UV=true",
            f"CDK={recorder(tools / 'cdk', log)}",
        ],
        cwd=PROJECT, capture_output=True, text=True, timeout=60, check=False,
        env={"PATH": f"{tools}{os.pathsep}{os.environ['PATH']}", "LANG": "C.UTF-8", **KEPT, **env},
    )  # fmt: skip
    return result.returncode, result.stderr, log.read_text().splitlines()


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("target", AWS_TARGETS)
def test_make_target_stops_before_building_without_credentials(
    target: str, tmp_path: Path, no_credentials: dict[str, str]
) -> None:
    returncode, stderr, calls = run_make(target, tmp_path, no_credentials)
    assert returncode != 0
    assert len(calls) == 1 and calls[0].startswith("-m infra.aws_credentials"), calls
    problem = [line for line in stderr.splitlines() if line.startswith("AWS credentials:")]
    assert len(problem) == 1 and "aws configure sso" in problem[0], stderr
    assert "Traceback" not in stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_stops_when_aws_cannot_be_reached(
    tmp_path: Path, no_credentials: dict[str, str]
) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed_port = unused.getsockname()[1]
    env = {
        **no_credentials,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{closed_port}",
    }
    returncode, stderr, calls = run_make("deploy", tmp_path, env)
    assert returncode != 0 and len(calls) == 1, calls
    [problem] = [line for line in stderr.splitlines() if line.startswith("AWS credentials:")]
    assert "could not reach AWS STS" in problem and "Traceback" not in stderr


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
