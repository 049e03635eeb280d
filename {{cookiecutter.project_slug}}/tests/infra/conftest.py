from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from .stack_helpers import synth_app


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny stand-in for build/lambda: synth only hashes and copies it."""
    path = tmp_path_factory.mktemp("bundle")
    (path / "handler.py").write_text("def handler(event, context):\n    return {}\n")
    return path


@pytest.fixture(scope="session")
def site_stack(bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> cdk.Stack:
    """The default stage's stack, synthesized once per test session."""
    return synth_app(bundle_dir, tmp_path_factory.mktemp("cdk.out"))


@pytest.fixture(scope="session")
def template(site_stack: cdk.Stack) -> Template:
    """The default stage's CloudFormation template."""
    return Template.from_stack(site_stack)
