"""Error pages look like the rest of the site and are never cached for long;
the header badge says where the site runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from serverless_flask_kit.config import OVERRIDE_VARIABLE

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.errors import ERROR_PAGE_MAX_AGE
from {{ cookiecutter.package_name }}.settings import Settings

from ..pages import assert_shared_for


def looks_like_the_site(html: str) -> bool:
    return 'class="brand"' in html and "/static/style.css" in html and "<footer>" in html


def test_unknown_path_gets_the_sites_404_page(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert looks_like_the_site(html)
    assert "<h1>Page not found</h1>" in html
    assert "<title>Page not found ·" in html


def test_404_is_cached_briefly_and_never_longer_than_pages(
    client: FlaskClient, settings: Settings
) -> None:
    expected = min(ERROR_PAGE_MAX_AGE, settings.cache_default_ttl_seconds)
    assert_shared_for(client.get("/no/such/page"), expected)


def test_404_follows_a_zero_default_ttl(key_file: Path) -> None:
    app = create_app({"TESTING": True, "SECRET_KEY_FILE": str(key_file), "CACHE_DEFAULT_TTL": 0})
    response = app.test_client().get("/missing")
    assert response.cache_control.max_age == 0


@pytest.fixture
def failing_app(key_file: Path) -> Flask:
    """The app with a route that raises, and errors handled as in production."""
    app = create_app(
        {"TESTING": True, "SECRET_KEY_FILE": str(key_file), "PROPAGATE_EXCEPTIONS": False}
    )

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("a bug")

    return app


def test_a_crash_gets_the_sites_500_page_never_stored(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert looks_like_the_site(html)
    assert "<h1>Something went wrong</h1>" in html
    assert "a bug" not in html  # no internals for visitors
    assert response.cache_control.no_store
    assert not response.cache_control.public


def test_badge_says_local_when_run_locally(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert '<span class="stage">local</span>' in html


def test_badge_shows_the_stage_the_deployed_stack_names(
    key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stack passes the stage in the function's config (infra/site_stack.py).
    monkeypatch.setenv(OVERRIDE_VARIABLE, json.dumps({"STAGE": "qa-7"}))
    app = create_app({"TESTING": True, "SECRET_KEY_FILE": str(key_file)})
    html = app.test_client().get("/").get_data(as_text=True)
    assert '<span class="stage">qa-7</span>' in html
