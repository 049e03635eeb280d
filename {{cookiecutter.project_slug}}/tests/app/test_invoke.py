"""`python -m tests.invoke`: the Lambda handler on one event, from the README's
troubleshooting section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Response, jsonify, request
from serverless_flask_kit.caching import public
from serverless_flask_kit.events import rest_event
from serverless_flask_kit.handler import DEPLOYED_CONFIG, lambda_handler_for

from {{ cookiecutter.package_name }} import create_app, lambda_handler

from ..invoke import main

ECHO = "/query-echo"  # a JSON page of the test's own, whatever the app's routes


def query_echo() -> Response:
    return public(jsonify(request.args))


@pytest.fixture
def echo_handler(monkeypatch: pytest.MonkeyPatch, key_file: Path) -> None:
    """The deployed handler, over the app with the test's own JSON page added."""
    app = create_app({**DEPLOYED_CONFIG, "SECRET_KEY_FILE": str(key_file)})
    app.add_url_rule(ECHO, "query_echo", query_echo)
    monkeypatch.setattr(lambda_handler, "handler", lambda_handler_for(app))


@pytest.mark.usefixtures("echo_handler")
def test_a_path_runs_through_the_handler_and_prints_like_curl(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([f"{ECHO}?format=unix"]) == 0
    status, rest = capsys.readouterr().out.split("\n", 1)
    headers, body = rest.split("\n\n", 1)
    assert status == "200 OK"
    assert "content-type: application/json" in headers.splitlines()
    assert json.loads(body) == {"format": "unix"}


def test_a_saved_event_gives_the_same_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "event.json"
    assert main(["/no-such-page?x=1", "--header", "Accept: text/html", "--print-event"]) == 0
    saved.write_text(capsys.readouterr().out, encoding="utf-8")
    event = json.loads(saved.read_text(encoding="utf-8"))
    expected = rest_event("/no-such-page", query={"x": "1"}, headers={"Accept": "text/html"})
    assert event == expected

    assert main(["--event", str(saved)]) == 0
    assert capsys.readouterr().out.startswith("404 Not Found\n")


def test_a_binary_body_prints_as_its_size(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["/static/favicon.ico"]) == 0
    body = capsys.readouterr().out.rsplit("\n\n", 1)[1]
    assert body.startswith("<") and "bytes of image/" in body


def test_a_header_without_a_colon_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["/", "--header", "Accept text/html"])
    assert "'Name: value'" in capsys.readouterr().err


def test_repeated_and_blank_query_values_all_arrive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["/x?q=a&q=b&flag=", "--print-event"]) == 0
    event = json.loads(capsys.readouterr().out)
    assert event["multiValueQueryStringParameters"] == {"q": ["a", "b"], "flag": [""]}
