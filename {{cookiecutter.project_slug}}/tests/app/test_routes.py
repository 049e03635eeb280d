from __future__ import annotations

import time
from pathlib import Path

from flask.testing import FlaskClient

from {{ cookiecutter.package_name }}.settings import Settings

from ..pages import assert_shared_for, visits_on


def test_index_shows_the_host_it_is_served_on(client: FlaskClient) -> None:
    response = client.get("/", headers={"Host": "www.example.org"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<strong class="host">www.example.org</strong>' in html
    assert "/static/style.css" in html


def test_index_is_publicly_cacheable_for_the_default_ttl(
    client: FlaskClient, settings: Settings
) -> None:
    assert_shared_for(client.get("/"), settings.cache_default_ttl_seconds)


def test_index_escapes_the_project_name(client: FlaskClient, settings: Settings) -> None:
    html = client.get("/").get_data(as_text=True)
    assert f"<title>{escape_html(settings.project_name)}</title>" in html


def test_api_time_is_current_unix_time_and_cacheable(
    client: FlaskClient, settings: Settings
) -> None:
    before = int(time.time())
    response = client.get("/api/time")
    after = int(time.time())
    assert response.status_code == 200
    assert response.is_json
    assert before <= response.get_json()["time"] <= after
    assert_shared_for(response, settings.cache_default_ttl_seconds)


def test_api_time_no_cache_is_never_stored(client: FlaskClient) -> None:
    before = int(time.time())
    response = client.get("/api/time/no-cache")
    assert response.status_code == 200
    assert response.get_json()["time"] >= before
    assert response.headers["Cache-Control"] == "no-store"


def test_session_counts_visits_of_one_visitor(client: FlaskClient) -> None:
    pages = [client.get("/session").get_data(as_text=True) for _ in range(3)]
    assert [visits_on(page) for page in pages] == [1, 2, 3]


def test_session_visitors_are_counted_separately(app, client: FlaskClient) -> None:
    client.get("/session")
    client.get("/session")
    with app.test_client() as stranger:
        assert visits_on(stranger.get("/session").get_data(as_text=True)) == 1


def test_session_response_is_private_and_sets_a_safe_cookie(client: FlaskClient) -> None:
    response = client.get("/session")
    assert response.cache_control.private
    assert response.cache_control.no_store
    assert not response.cache_control.public
    assert "Cookie" in response.vary
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # local http; the Lambda handler turns it on


def test_static_files_are_served_with_the_default_ttl(
    client: FlaskClient, settings: Settings
) -> None:
    css = client.get("/static/style.css")
    assert css.status_code == 200
    assert css.mimetype == "text/css"
    assert css.cache_control.max_age == settings.cache_default_ttl_seconds
    css.close()


def test_favicon_is_served_byte_for_byte(client: FlaskClient) -> None:
    expected = (Path(client.application.static_folder) / "favicon.ico").read_bytes()
    response = client.get("/static/favicon.ico")
    assert response.status_code == 200
    assert response.data == expected
    assert expected[:4] == b"\x00\x00\x01\x00"  # an ICO header
    response.close()


def test_unknown_path_is_404(client: FlaskClient) -> None:
    assert client.get("/no/such/page").status_code == 404


def escape_html(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))
