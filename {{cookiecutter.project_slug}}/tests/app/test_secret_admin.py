"""The key's admin commands (infra/secret_admin.py: rotate, revoke), on a moto S3; how
visitors see a rotation or a revocation is tested with the kit."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, Response, current_app, session
from flask.testing import FlaskClient
from serverless_flask_kit.caching import uncacheable
from serverless_flask_kit.secret_key import S3KeyStore

from {{ cookiecutter.package_name }} import create_app
from {{ cookiecutter.package_name }}.settings import load_settings

from infra import secret_admin

from .conftest import KEY_BUCKET, KEY_OBJECT

COUNTER = "/visit-counter"  # a session page of the test's own, whatever the app's routes


def count_visit() -> Response:
    session["visits"] = session.get("visits", 0) + 1
    return uncacheable(current_app.make_response(str(session["visits"])))


@pytest.fixture
def s3_app(s3: Any) -> Flask:
    app = create_app({"TESTING": True, "SECRET_KEY_BUCKET": KEY_BUCKET})
    app.add_url_rule(COUNTER, "count_visit", count_visit)
    return app


def fresh_instance(app: Flask) -> FlaskClient:
    """A client served by a new process's key cache."""
    app.session_interface.keys._keys = None
    return app.test_client()


def visits(response: Any) -> int:
    return int(response.get_data(as_text=True))


def test_admin_command_finds_the_bucket_from_the_stack(
    s3: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    class Outputs:
        def describe_stacks(self, StackName: str) -> dict[str, Any]:
            assert StackName == load_settings().stack_name("prod")
            outputs = [{"OutputKey": "SecretKeyBucketName", "OutputValue": KEY_BUCKET}]
            return {"Stacks": [{"Outputs": outputs}]}

    store = S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=s3)
    first = store.load_or_create()
    assert secret_admin.main(["rotate", "--stage", "prod"], s3=s3, cloudformation=Outputs()) == 0
    assert store.load_or_create().fallbacks[0].key == first.current
    assert "Rotated" in capsys.readouterr().out
    assert secret_admin.main(["revoke", "--bucket", KEY_BUCKET], s3=s3) == 0
    assert store.load_or_create().fallbacks == ()


CORRUPT_DOCUMENTS = {
    "empty": b"",
    "not json": b"not json",
    "key too long": b'{"current": "%s"}' % (b"c" * 65),
    "key not hex": b'{"current": "%s"}' % (b"g" * 64),
}


@pytest.mark.parametrize("action", ["rotate", "revoke"])
@pytest.mark.parametrize("document", CORRUPT_DOCUMENTS.values(), ids=CORRUPT_DOCUMENTS.keys())
def test_admin_command_replaces_an_unreadable_key_document(
    s3: Any, s3_app: Flask, capsys: pytest.CaptureFixture[str], action: str, document: bytes
) -> None:
    s3.put_object(Bucket=KEY_BUCKET, Key=KEY_OBJECT, Body=document)
    assert fresh_instance(s3_app).get(COUNTER).status_code == 503

    assert secret_admin.main([action, "--bucket", KEY_BUCKET], s3=s3) == 0
    assert "unreadable" in capsys.readouterr().err
    keys = S3KeyStore(KEY_BUCKET, KEY_OBJECT, client=s3).load_or_create()
    assert keys.fallbacks == ()  # nothing of the unreadable document is kept
    assert visits(fresh_instance(s3_app).get(COUNTER)) == 1


def test_admin_command_explains_a_missing_stack_output() -> None:
    class NoOutputs:
        def describe_stacks(self, StackName: str) -> dict[str, Any]:
            return {"Stacks": [{"Outputs": []}]}

    with pytest.raises(LookupError, match="SecretKeyBucketName"):
        secret_admin.bucket_of_stack("site-dev", NoOutputs())
