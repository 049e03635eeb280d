"""`python -m tests.invoke`: the Lambda handler on one event, from the README's
troubleshooting section."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local_server.events import rest_event

from ..invoke import main


def test_a_path_runs_through_the_handler_and_prints_like_curl(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["/api/time?format=unix"]) == 0
    status, rest = capsys.readouterr().out.split("\n", 1)
    headers, body = rest.split("\n\n", 1)
    assert status == "200 OK"
    assert "content-type: application/json" in headers.splitlines()
    assert isinstance(json.loads(body)["time"], int)


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
