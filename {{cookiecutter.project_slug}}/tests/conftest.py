from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from serverless_flask_kit.config import OVERRIDE_VARIABLE

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's config override or AWS credentials."""
    monkeypatch.delenv(OVERRIDE_VARIABLE, raising=False)
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


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
