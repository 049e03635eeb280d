"""Rotation, revocation and store outages, as visitors would see them."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.endpoint import DEFAULT_TIMEOUT
from flask import Flask
from flask.testing import FlaskClient
from serverless_flask_kit import secret_key
from serverless_flask_kit.secret_key import KeyStore, RetiredKey, S3KeyStore, SecretKeys

from .conftest import KEY_BUCKET, KEY_OBJECT
from .responses import visits_on
from .site import create_app
from .site.views import DATA, HOME, VISITS

DAY = 86_400


class FlakyStore:
    """A key store that fails while `down` is set (S3 unreachable)."""

    def __init__(self) -> None:
        self.down = True
        self.keys = SecretKeys.generate()
        self.calls = 0

    def load_or_create(self) -> SecretKeys:
        self.calls += 1
        if self.down:
            raise ConnectionError("could not reach S3")
        return self.keys

    def update(self, change: Any) -> SecretKeys:
        self.keys = change(self.keys)
        return self.keys


def app_with(store: Any, **config: Any) -> Flask:
    app = create_app(NO_KEY_FILE, {"TESTING": True, **config})
    app.session_interface.keys.store = store
    return app


NO_KEY_FILE = Path("never-read-key.json")  # app_with's store replaces the file store


def rotate(store: KeyStore, now: int, keep_for: int) -> SecretKeys:
    """What a project's `secret_admin rotate` does."""
    return store.update(lambda keys: keys.rotated(now=now, keep_for=keep_for))


def revoke(store: KeyStore) -> SecretKeys:
    """What a project's `secret_admin revoke` does."""
    return store.update(lambda _old: SecretKeys.generate())


def visits(response: Any) -> int:
    return visits_on(response.get_data())


@pytest.fixture
def s3_app(s3: Any, key_file: Path) -> Flask:
    return create_app(key_file, {"TESTING": True, "SECRET_KEY_BUCKET": KEY_BUCKET})


@pytest.fixture
def store(s3: Any) -> S3KeyStore:
    return S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=s3)


def fresh_instance(app: Flask) -> FlaskClient:
    """A client whose cookies carry over, served by a new process's key cache."""
    app.session_interface.keys._keys = None
    return app.test_client()


# Store outages -------------------------------------------------------------


def test_pages_without_session_render_while_the_store_is_down() -> None:
    store = FlakyStore()
    with app_with(store).test_client() as client:
        assert client.get(HOME).status_code == 200
        assert client.get(DATA).status_code == 200
    assert store.calls == 0  # never even tried


def test_session_page_answers_503_while_the_store_is_down_then_recovers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    store = FlakyStore()
    with app_with(store).test_client() as client, caplog.at_level(logging.ERROR):
        failed = client.get(VISITS)
        assert failed.status_code == 503
        assert failed.headers["Retry-After"] == "5"
        assert "no-store" in failed.headers["Cache-Control"]
        assert "private" in failed.headers["Cache-Control"]
        assert "Set-Cookie" not in failed.headers
        assert "secret key could not be loaded" in caplog.text

        assert client.get(VISITS).status_code == 503  # retried, still down
        store.down = False
        recovered = client.get(VISITS)  # the failure was not cached
        assert recovered.status_code == 200
        assert visits(recovered) == 1
    assert store.calls == 3


def test_visitor_with_a_cookie_still_gets_other_pages_during_an_outage() -> None:
    store = FlakyStore()
    store.down = False
    app = app_with(store)
    client = app.test_client()
    client.get(VISITS)  # a signed-in visitor
    store.down = True
    client = fresh_instance(app)  # a cold instance that cannot reach S3
    client.set_cookie("session", app_cookie(app, store.keys, {"visits": 1}))
    assert client.get(HOME).status_code == 200
    assert client.get(VISITS).status_code == 503
    store.down = False
    assert visits(client.get(VISITS)) == 2  # the cookie was kept, not cleared


def test_a_refresh_failure_keeps_the_cached_key(monkeypatch: pytest.MonkeyPatch) -> None:
    store = FlakyStore()
    store.down = False
    app = app_with(store, SECRET_KEY_CACHE_SECONDS=0)  # every request refreshes
    with app.test_client() as client:
        client.get(VISITS)
        store.down = True
        assert visits(client.get(VISITS)) == 2


@pytest.fixture
def hung_s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[socket.socket]]:
    """An S3 endpoint that accepts connections and never answers; yields the
    connections it accepted."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return  # closed

    threading.Thread(target=accept, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{server.getsockname()[1]}")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    yield accepted
    server.shutdown(socket.SHUT_RDWR)
    server.close()
    for connection in accepted:
        connection.close()


def test_a_hung_store_gives_503_within_the_configured_timeouts(
    hung_s3: list[socket.socket], key_file: Path
) -> None:
    app = create_app(key_file, {"TESTING": True, "SECRET_KEY_BUCKET": KEY_BUCKET})
    started = time.monotonic()
    response = app.test_client().get(VISITS)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    attempts, read_timeout = secret_key.S3_ATTEMPTS, secret_key.S3_READ_TIMEOUT
    assert len(hung_s3) == attempts  # one connection per attempt
    assert elapsed >= attempts * read_timeout  # each attempt waited for an answer
    # Not a timing goal: under botocore's own default one attempt alone would wait this long.
    assert elapsed < DEFAULT_TIMEOUT


# Rotation and revocation ---------------------------------------------------


def test_rotation_keeps_visitors_signed_in(s3_app: Flask, store: S3KeyStore) -> None:
    client = s3_app.test_client()
    assert visits(client.get(VISITS)) == 1
    old = store.load_or_create()

    rotate(store, now=1_000, keep_for=31 * DAY)
    client = fresh_instance(s3_app)  # cookies kept, keys re-read
    client.set_cookie("session", app_cookie(s3_app, old, {"visits": 1}))
    assert visits(client.get(VISITS)) == 2
    rotated = store.load_or_create()
    assert rotated.current != old.current
    assert rotated.fallbacks == (RetiredKey(old.current, 1_000),)


def test_warm_instance_learns_a_rotated_key_from_the_first_cookie_it_cannot_verify(
    store: S3KeyStore, s3_app: Flask
) -> None:
    s3_app.session_interface.keys.min_refresh = 0
    stale = s3_app.test_client()
    stale.get(VISITS)  # this instance caches the first key
    rotate(store, now=1_000, keep_for=31 * DAY)
    newer = store.load_or_create()
    stale.set_cookie("session", app_cookie(s3_app, newer, {"visits": 5}))
    assert visits(stale.get(VISITS)) == 6  # re-read the key instead of a reset


def test_fallbacks_are_pruned_after_the_session_lifetime(store: S3KeyStore) -> None:
    rotate(store, now=0, keep_for=31 * DAY)
    rotate(store, now=10 * DAY, keep_for=31 * DAY)
    assert len(store.load_or_create().fallbacks) == 2
    keys = rotate(store, now=40 * DAY, keep_for=31 * DAY)
    assert [old.retired_at for old in keys.fallbacks] == [40 * DAY, 10 * DAY]


def test_revocation_signs_everyone_out(s3_app: Flask, store: S3KeyStore) -> None:
    client = s3_app.test_client()
    client.get(VISITS)
    old = store.load_or_create()
    revoked = revoke(store)
    assert revoked.current != old.current
    assert revoked.fallbacks == ()
    client = fresh_instance(s3_app)
    client.set_cookie("session", app_cookie(s3_app, old, {"visits": 7}))
    assert visits(client.get(VISITS)) == 1  # the old cookie no longer counts


def test_concurrent_rotations_both_land(store: S3KeyStore) -> None:
    """Read-modify-write with If-Match: a rotation never overwrites another."""
    first = store.load_or_create()
    real_read = store._read_document
    raced = []

    def read_then_someone_else_rotates(**options: bool) -> Any:
        result = real_read(**options)
        if not raced:
            raced.append(True)
            S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=store.client).update(
                lambda keys: keys.rotated(now=1, keep_for=DAY)
            )
        return result

    store._read_document = read_then_someone_else_rotates  # type: ignore[method-assign]
    keys = store.update(lambda keys: keys.rotated(now=2, keep_for=DAY))
    assert [old.retired_at for old in keys.fallbacks] == [2, 1]
    assert keys.fallbacks[-1].key == first.current


def test_replacing_an_unreadable_document_never_overwrites_a_repaired_one(
    s3: Any, store: S3KeyStore
) -> None:
    """If someone else repairs the document meanwhile, theirs is kept."""
    s3.put_object(Bucket=KEY_BUCKET, Key=KEY_OBJECT, Body=b"not json")
    repaired = SecretKeys.generate()
    real_read = store._read_document

    def read_then_someone_repairs(**options: bool) -> Any:
        result = real_read(**options)
        s3.put_object(Bucket=KEY_BUCKET, Key=KEY_OBJECT, Body=repaired.to_json().encode())
        store._read_document = real_read  # type: ignore[method-assign]
        return result

    store._read_document = read_then_someone_repairs  # type: ignore[method-assign]
    keys = store.update(lambda keys: keys.rotated(now=1, keep_for=DAY), replace_unreadable=True)
    assert keys.fallbacks == (RetiredKey(repaired.current, 1),)  # rotated the repaired keys
    assert store.load_or_create() == keys


def app_cookie(app: Flask, keys: SecretKeys, data: dict[str, Any]) -> str:
    """A session cookie as `app` would sign it with `keys`."""
    return app.session_interface._serializer(keys).dumps(data)
