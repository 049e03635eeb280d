from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from serverless_flask_kit.secret_key import (
    KeyDocumentError,
    LocalFileKeyStore,
    RetiredKey,
    S3KeyStore,
    SecretKeys,
)

from .conftest import KEY_BUCKET, KEY_OBJECT
from .site import create_app
from .site.views import DATA, HOME, VISITS


def stored_keys(s3: Any) -> SecretKeys:
    return SecretKeys.from_json(s3.get_object(Bucket=KEY_BUCKET, Key=KEY_OBJECT)["Body"].read())


def test_s3_first_use_creates_the_key_object(s3: Any) -> None:
    keys = S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=s3).load_or_create()
    assert len(keys.current) == 64
    assert keys.fallbacks == ()
    assert stored_keys(s3) == keys


def test_s3_later_uses_reuse_the_stored_key(s3: Any) -> None:
    first = S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=s3).load_or_create()
    again = S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=s3).load_or_create()
    assert again == first


def test_s3_reads_fallback_keys(s3: Any) -> None:
    document = {
        "current": "c" * 64,
        "fallbacks": [{"key": "b" * 64, "retired_at": 20}, {"key": "a" * 64, "retired_at": 10}],
    }
    s3.put_object(Bucket=KEY_BUCKET, Key=KEY_OBJECT, Body=json.dumps(document).encode())
    keys = S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=s3).load_or_create()
    assert keys == SecretKeys(
        current="c" * 64, fallbacks=(RetiredKey("b" * 64, 20), RetiredKey("a" * 64, 10))
    )
    assert keys.verification_keys == ["a" * 64, "b" * 64, "c" * 64]  # signing key last


def test_s3_loser_of_a_creation_race_uses_the_winners_key(s3: Any) -> None:
    """Two instances both find no key; the second put is refused and it re-reads."""
    winner = S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=s3)
    loser = S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=s3)
    real_read = loser._read
    reads = []

    def read_then_let_the_winner_write(**options: bool) -> tuple[SecretKeys, str] | None:
        result = real_read(**options)
        reads.append(result)
        if len(reads) == 1:  # the loser saw no key, then the winner writes one
            assert result is None
            winner.load_or_create()
        return result

    loser._read = read_then_let_the_winner_write  # type: ignore[method-assign]
    keys = loser.load_or_create()
    assert keys == stored_keys(s3)
    assert len(reads) == 2  # looked, lost the conditional put, looked again


class WithoutListBucket:
    """An S3 client as the function's role sees S3: it may get and put the key
    object but not list the bucket, so a missing object answers 403, not 404."""

    def __init__(self, client: Any, can_read: bool = True) -> None:
        self._client = client
        self.can_read = can_read
        self.exceptions = client.exceptions

    def get_object(self, **kwargs: Any) -> Any:
        try:
            if not self.can_read:
                raise self.denied()
            return self._client.get_object(**kwargs)
        except self._client.exceptions.NoSuchKey:
            raise self.denied() from None

    def put_object(self, **kwargs: Any) -> Any:
        return self._client.put_object(**kwargs)

    def denied(self) -> Exception:
        error = {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}
        return self._client.exceptions.ClientError(error, "GetObject")


def test_s3_without_list_permission_still_creates_the_key(s3: Any) -> None:
    client = WithoutListBucket(s3)
    created = S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=client).load_or_create()
    assert created == stored_keys(s3)
    assert S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=client).load_or_create() == created


class WinnerStillUploading(WithoutListBucket):
    """S3 while another instance's create is in flight: this instance's conditional
    put gets 409, and the winner's key is readable only some reads later."""

    def __init__(self, client: Any, readable_from_read: int) -> None:
        super().__init__(client)
        self.winner = SecretKeys.generate()
        self.readable_from_read = readable_from_read
        self.reads = 0

    def get_object(self, **kwargs: Any) -> Any:
        self.reads += 1
        if self.reads == self.readable_from_read:
            self._client.put_object(Body=self.winner.to_json().encode(), **kwargs)
        return super().get_object(**kwargs)

    def put_object(self, **kwargs: Any) -> Any:
        error = {"Error": {"Code": "ConditionalRequestConflict", "Message": "in flight"}}
        raise self._client.exceptions.ClientError(error, "PutObject")


@pytest.mark.parametrize("readable_from_read", [2, 3])
def test_s3_losing_to_a_create_in_flight_waits_for_the_winners_key(
    s3: Any, readable_from_read: int
) -> None:
    client = WinnerStillUploading(s3, readable_from_read)
    keys = S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=client).load_or_create()
    assert keys == client.winner == stored_keys(s3)


def test_s3_a_real_lack_of_read_permission_is_not_mistaken_for_a_missing_key(s3: Any) -> None:
    existing = S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=s3).load_or_create()
    client = WithoutListBucket(s3, can_read=False)
    with pytest.raises(s3.exceptions.ClientError, match="AccessDenied"):
        S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=client).load_or_create()
    assert stored_keys(s3) == existing  # not overwritten


def test_s3_other_errors_are_not_swallowed(s3: Any) -> None:
    with pytest.raises(s3.exceptions.NoSuchBucket):
        S3KeyStore("no-such-bucket", KEY_OBJECT, client=s3).load_or_create()


def test_s3_store_makes_its_own_client_when_deployed(s3: Any) -> None:
    keys = S3KeyStore(KEY_BUCKET, KEY_OBJECT).load_or_create()
    assert keys == stored_keys(s3)


def test_app_with_a_bucket_signs_sessions_with_the_s3_key(s3: Any, key_file: Path) -> None:
    app = create_app(key_file, {"TESTING": True, "SECRET_KEY_BUCKET": KEY_BUCKET})
    with app.test_client() as client:
        assert client.get(VISITS).status_code == 200
        keys = stored_keys(s3)
        assert app.session_interface.secret_keys() == keys
        assert client.get(VISITS).status_code == 200
    assert stored_keys(s3) == keys


def test_pages_without_session_do_not_load_the_key(s3: Any, key_file: Path) -> None:
    app = create_app(key_file, {"TESTING": True, "SECRET_KEY_BUCKET": KEY_BUCKET})
    with app.test_client() as client:
        assert client.get(DATA).status_code == 200
        assert client.get(HOME).status_code == 200
    assert s3.list_objects_v2(Bucket=KEY_BUCKET).get("KeyCount") == 0


def test_the_key_is_cached_per_process(s3: Any) -> None:
    calls = []

    class CountingStore:
        def load_or_create(self) -> SecretKeys:
            calls.append(1)
            return SecretKeys.generate()

    app = Flask(__name__)
    from serverless_flask_kit.sessions import KeyStoreSessionInterface

    interface = KeyStoreSessionInterface(CountingStore())
    keys = interface.secret_keys()
    assert interface.secret_keys() is keys
    assert interface.get_signing_serializer(app).secret_keys == [keys.current.encode()]
    assert len(calls) == 1


def test_local_file_is_created_once_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "instance" / "secret-key.json"
    first = LocalFileKeyStore(path).load_or_create()
    assert path.exists()
    assert path.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert LocalFileKeyStore(path).load_or_create() == first
    assert [p.name for p in path.parent.iterdir()] == ["secret-key.json"]


def test_local_file_racing_creators_agree(tmp_path: Path) -> None:
    path = tmp_path / "secret-key.json"
    stores = [LocalFileKeyStore(path) for _ in range(8)]
    barrier = threading.Barrier(len(stores))
    results: list[SecretKeys] = []

    def create(store: LocalFileKeyStore) -> None:
        barrier.wait()
        results.append(store.load_or_create())

    threads = [threading.Thread(target=create, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert set(results) == {SecretKeys.from_json(path.read_text())}
    assert [p.name for p in tmp_path.iterdir()] == ["secret-key.json"]


def test_local_mode_is_the_default_without_a_bucket(app: Flask, key_file: Path) -> None:
    with app.test_client() as client:
        client.get(VISITS)
    assert SecretKeys.from_json(key_file.read_text()) == app.session_interface.secret_keys()


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        "[]",
        '{"fallbacks": []}',
        '{"current": "short"}',
        '{"current": 7}',
        '{"current": "%s", "fallbacks": ["old-style"]}' % ("c" * 64),
        '{"current": "%s", "fallbacks": [{"key": "short", "retired_at": 1}]}' % ("c" * 64),
        '{"current": "%s"}' % ("c" * 65),  # one hex digit too many
        '{"current": "%s"}' % ("g" * 64),  # not hex
        '{"current": "%s"}' % ("C" * 64),  # not as written (lower case)
        json.dumps({"current": "c" * 64, "fallbacks": [{"key": "z" * 64, "retired_at": 1}]}),
    ],
)
def test_a_corrupt_key_document_is_refused(tmp_path: Path, document: str) -> None:
    path = tmp_path / "secret-key.json"
    path.write_text(document)
    with pytest.raises(KeyDocumentError):
        LocalFileKeyStore(path).load_or_create()


def test_local_file_an_unreadable_document_is_replaced_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "secret-key.json"
    path.write_text("not json")
    store = LocalFileKeyStore(path)
    with pytest.raises(KeyDocumentError):
        store.update(lambda keys: keys.rotated(now=1, keep_for=1))
    replaced = store.update(lambda keys: keys.rotated(now=1, keep_for=1), replace_unreadable=True)
    assert replaced.fallbacks == ()
    assert store.load_or_create() == replaced
