"""`app.secret_key` and SECRET_KEY_FALLBACKS are the key store's keys, for the Flask
extensions and itsdangerous helpers that sign with them (Flask-WTF, Flask-Login)."""

from __future__ import annotations

import copy
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from flask import (
    Flask,
    Response,
    current_app,
    flash,
    get_flashed_messages,
    jsonify,
    redirect,
    request,
    session,
)
from itsdangerous import BadSignature, URLSafeTimedSerializer
from serverless_flask_kit.caching import public
from serverless_flask_kit.secret_key import LocalFileKeyStore, S3KeyStore

from .conftest import KEY_BUCKET, KEY_OBJECT
from .site import create_app
from .site.views import DATA, HOME, VISITS
from .test_key_lifecycle import DAY, FlakyStore, app_with, fresh_instance, rotate

EXAMPLE_SALT = "example-signature"
CSRF_FIELD = "csrf_token"


def signer() -> URLSafeTimedSerializer:
    """What an app or extension signs with: every key the config offers, the signing key last."""
    keys = [*(current_app.config["SECRET_KEY_FALLBACKS"] or []), current_app.secret_key]
    return URLSafeTimedSerializer(keys, salt=EXAMPLE_SALT)


def with_key_views(app: Flask) -> Flask:
    """`app` with views that use the key as extensions do."""

    @app.get("/token")
    def make_token() -> Response:
        return public(jsonify(token=signer().dumps({"user": 7})))

    @app.get("/token/check")
    def check_token() -> Any:
        try:
            return jsonify(signer().loads(request.args["token"], max_age=3600))
        except BadSignature:
            return "bad token", 400

    # Flask-WTF's generate_csrf() and validate_csrf(), modelled: a random value in the
    # session, handed out signed with WTF_CSRF_SECRET_KEY or app.secret_key.
    def csrf_serializer() -> URLSafeTimedSerializer:
        key = current_app.config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
        if not key:
            raise KeyError("A secret key is required to use CSRF.")
        return URLSafeTimedSerializer(key, salt="wtf-csrf-token")

    @app.get("/form")
    def form() -> str:
        if CSRF_FIELD not in session:
            session[CSRF_FIELD] = hashlib.sha1(os.urandom(64)).hexdigest()
        return csrf_serializer().dumps(session[CSRF_FIELD])

    @app.post("/form")
    def submit() -> Any:
        try:
            value = csrf_serializer().loads(request.form[CSRF_FIELD], max_age=3600)
        except BadSignature:
            return "The CSRF token is invalid.", 400
        return ("saved", 200) if value == session.get(CSRF_FIELD) else ("no match", 400)

    @app.post("/flash")
    def flash_and_redirect() -> Response:
        flash("Saved.")
        return redirect("/flashed")

    @app.get("/flashed")
    def flashed() -> str:
        return " ".join(get_flashed_messages())

    return app


@pytest.fixture
def s3_app(s3: Any, key_file: Path) -> Flask:
    return with_key_views(create_app(key_file, {"TESTING": True, "SECRET_KEY_BUCKET": KEY_BUCKET}))


@pytest.fixture(params=["local file", "s3"])
def each_store_app(request: pytest.FixtureRequest, key_file: Path) -> Flask:
    if request.param == "s3":
        return request.getfixturevalue("s3_app")
    return with_key_views(create_app(key_file, {"TESTING": True}))


@pytest.fixture
def store(s3: Any) -> S3KeyStore:
    return S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=s3)


def test_secret_key_is_the_local_files_current_key(app: Flask, key_file: Path) -> None:
    with app.app_context():
        assert current_app.secret_key == LocalFileKeyStore(key_file).load_or_create().current
        assert app.config["SECRET_KEY"] == app.config.get("SECRET_KEY") == app.secret_key
        assert app.config["SECRET_KEY_FALLBACKS"] == []
    app.test_client().get(VISITS)
    assert app.session_interface.secret_keys().current == app.secret_key  # sessions agree


def test_secret_key_is_the_s3_documents_current_key(s3_app: Flask, store: S3KeyStore) -> None:
    with s3_app.app_context():
        assert current_app.secret_key == store.load_or_create().current


def test_a_token_signed_in_one_request_verifies_in_another(each_store_app: Flask) -> None:
    app = each_store_app
    token = app.test_client().get("/token").json["token"]
    other = fresh_instance(app)
    assert other.get("/token/check", query_string={"token": token}).json == {"user": 7}
    assert other.get("/token/check", query_string={"token": token + "x"}).status_code == 400


def test_a_csrf_token_as_flask_wtf_makes_it_verifies_on_the_next_post(s3_app: Flask) -> None:
    client = s3_app.test_client()
    token = client.get("/form").get_data(as_text=True)
    assert client.post("/form", data={CSRF_FIELD: token}).get_data(as_text=True) == "saved"
    forged = URLSafeTimedSerializer("0" * 64, salt="wtf-csrf-token").dumps("anything")
    assert client.post("/form", data={CSRF_FIELD: forged}).status_code == 400


def test_a_flashed_message_survives_the_redirect(s3_app: Flask) -> None:
    client = s3_app.test_client()
    response = client.post("/flash", follow_redirects=True)
    assert response.get_data(as_text=True) == "Saved."
    assert client.get("/flashed").get_data(as_text=True) == ""  # shown once


def test_after_a_rotation_the_new_key_signs_and_the_old_one_still_verifies(
    s3_app: Flask, store: S3KeyStore
) -> None:
    token = s3_app.test_client().get("/token").json["token"]
    old = store.load_or_create()

    rotate(store, now=1_000, keep_for=31 * DAY)
    client = fresh_instance(s3_app)  # keys re-read, as every SECRET_KEY_CACHE_SECONDS
    new = store.load_or_create()
    with s3_app.app_context():
        assert current_app.secret_key == new.current != old.current
        assert current_app.config["SECRET_KEY_FALLBACKS"] == [old.current]
    assert client.get("/token/check", query_string={"token": token}).json == {"user": 7}
    fresh = client.get("/token").json["token"]
    assert URLSafeTimedSerializer(new.current, salt=EXAMPLE_SALT).loads(fresh) == {"user": 7}


def test_fallbacks_are_listed_oldest_first_as_flask_expects(
    s3_app: Flask, store: S3KeyStore
) -> None:
    first = store.load_or_create()
    second = rotate(store, now=1_000, keep_for=31 * DAY)
    rotate(store, now=2_000, keep_for=31 * DAY)
    fresh_instance(s3_app)
    with s3_app.app_context():
        assert current_app.config["SECRET_KEY_FALLBACKS"] == [first.current, second.current]


def test_pages_that_never_read_the_key_load_nothing() -> None:
    store = FlakyStore()
    app = with_key_views(app_with(store))
    with app.test_client() as client:
        assert client.get(HOME).status_code == 200
        assert client.get(DATA).status_code == 200
        assert app.config["SECRET_KEY_CACHE_SECONDS"] == 300
        assert store.calls == 0
        store.down = False
        assert client.get("/token").status_code == 200
    assert store.calls == 1


def test_a_page_reading_the_key_answers_503_while_the_store_is_down() -> None:
    store = FlakyStore()
    app = with_key_views(app_with(store))
    client = app.test_client()
    failed = client.get("/token")
    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "5"
    assert "no-store" in failed.headers["Cache-Control"]
    assert client.get(HOME).status_code == 200
    store.down = False
    assert client.get("/token").status_code == 200


def test_reading_the_key_alone_does_not_make_a_page_personal(s3_app: Flask) -> None:
    """The key is the site's, not the visitor's: a signed page without the session may
    be shared. A page whose token depends on the session (CSRF) is private through it."""
    client = s3_app.test_client()
    client.get(VISITS)  # the visitor has a session cookie
    assert client.get("/token").cache_control.public
    form = client.get("/form")
    assert form.cache_control.private
    assert not form.cache_control.public


@pytest.mark.parametrize("name", ["SECRET_KEY", "SECRET_KEY_FALLBACKS"])
def test_the_key_settings_cannot_be_set_by_hand(key_file: Path, name: str) -> None:
    with pytest.raises(ValueError, match=f"{name} cannot be set: .*key store"):
        create_app(key_file, {"TESTING": True, name: "chosen by hand"})
    app = create_app(key_file, {"TESTING": True})
    with pytest.raises(ValueError, match=f"{name} cannot be set: .*key store"):
        app.config[name] = "chosen by hand"


def test_a_copy_of_the_config_reads_the_same_key(app: Flask) -> None:
    assert copy.copy(app.config)["SECRET_KEY"] == app.secret_key
