from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from flask import Flask
from flask.testing import FlaskClient
from moto import mock_aws

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.config import OVERRIDE_VARIABLE
from {{ cookiecutter.package_name }}.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's config override or AWS credentials."""
    monkeypatch.delenv(OVERRIDE_VARIABLE, raising=False)
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


KEY_BUCKET = "site-secret-key-bucket"
KEY_OBJECT = "flask-secret-key.json"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A moto S3 with the secret-key bucket, and fake credentials."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=KEY_BUCKET)
        yield client


@pytest.fixture
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "instance" / "secret-key.json"


@pytest.fixture
def app(key_file: Path) -> Flask:
    return create_app({"TESTING": True, "SECRET_KEY_FILE": str(key_file)})


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        yield client


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny stand-in for build/lambda: synth only hashes and copies it."""
    path = tmp_path_factory.mktemp("bundle")
    (path / "handler.py").write_text("def handler(event, context):\n    return {}\n")
    return path


@pytest.fixture(scope="session")
def site_stack(bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The default stage's stack, synthesized once per test session."""
    from .stack_helpers import synth_app

    return synth_app(bundle_dir, tmp_path_factory.mktemp("cdk.out"))


@pytest.fixture(scope="session")
def template(site_stack: Any) -> Any:
    """The default stage's CloudFormation template (aws_cdk.assertions.Template)."""
    from aws_cdk.assertions import Template

    return Template.from_stack(site_stack)
