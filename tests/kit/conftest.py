"""The kit's own tests run against a small site of their own (site/), never a
project's demo."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .site import create_app


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "instance" / "secret-key.json"


@pytest.fixture
def app(key_file: Path) -> Flask:
    return create_app(key_file, {"TESTING": True})


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as client:
        yield client
