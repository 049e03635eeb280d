"""Where the app's log lines go: the Lambda runtime's JSON handler when
deployed, plain text locally, and no logging work per request."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from serverless_flask_kit.events import rest_event
from serverless_flask_kit.handler import make_handler
from serverless_flask_kit.init_cpu import FUNCTION_VARIABLE
from serverless_flask_kit.log_setup import TEXT_FORMAT, configure_logging, python_level

from .site import LOG_LEVEL, create_app
from .site.views import DATA

KIT = "serverless_flask_kit"
REQUEST_ID = "8f5b1c2e-0d4a-4c7e-9a51-3e2f6b7c8d90"


class RuntimeJsonFormatter(logging.Formatter):
    """Stands in for the Lambda runtime's formatter (AWS_LAMBDA_LOG_FORMAT=JSON):
    one JSON object per record, with the request ID its filter put on it."""

    def format(self, record: logging.LogRecord) -> str:
        return json.dumps(
            {
                "level": record.levelname,
                "message": record.getMessage(),
                "logger": record.name,
                "requestId": record.aws_request_id,
            }
        )


class RuntimeRequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = REQUEST_ID
        return True


@contextmanager
def bare_root() -> Iterator[logging.Logger]:
    """The root logger with no handlers and no level, as a fresh process has
    it, for the `with` block; then as it was (pytest's capture handlers, which
    it adds to each test phase, included)."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers[:] = []
    root.setLevel(logging.WARNING)
    try:
        yield root
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)


@contextmanager
def lambda_runtime(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The root logger as the runtime leaves it before importing the handler:
    its JSON handler, and the level from the function's application log level.
    Yields the lines that handler writes."""
    monkeypatch.setenv(FUNCTION_VARIABLE, "site")
    lines: list[str] = []

    class Sink(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    sink = Sink()
    sink.setFormatter(RuntimeJsonFormatter())
    sink.addFilter(RuntimeRequestIdFilter())
    with bare_root() as root:
        root.addHandler(sink)
        root.setLevel(logging.INFO)
        yield lines


def test_on_lambda_the_runtime_handler_stays_the_only_one(
    monkeypatch: pytest.MonkeyPatch, key_file: Path
) -> None:
    with lambda_runtime(monkeypatch):
        root = logging.getLogger()
        runtime_handler, level = root.handlers[0], root.level
        app = create_app(key_file, {"TESTING": True})
        assert root.handlers == [runtime_handler]
        assert isinstance(runtime_handler.formatter, RuntimeJsonFormatter)
        assert root.level == level
        for logger in (app.logger, logging.getLogger(KIT)):
            assert logger.handlers == [] and logger.propagate


def test_on_lambda_app_log_lines_are_the_runtimes_json_with_the_request_id(
    monkeypatch: pytest.MonkeyPatch, key_file: Path
) -> None:
    with lambda_runtime(monkeypatch) as lines:
        app = create_app(key_file, {"TESTING": True})
        logging.getLogger(f"{KIT}.sessions").warning("secret key refresh failed")
        app.logger.error("Exception on / [GET]")
    assert [json.loads(line) for line in lines] == [
        {
            "level": "WARNING",
            "message": "secret key refresh failed",
            "logger": f"{KIT}.sessions",
            "requestId": REQUEST_ID,
        },
        {
            "level": "ERROR",
            "message": "Exception on / [GET]",
            "logger": app.logger.name,
            "requestId": REQUEST_ID,
        },
    ]


def test_locally_lines_are_plain_text_at_the_settings_level(
    monkeypatch: pytest.MonkeyPatch, key_file: Path
) -> None:
    monkeypatch.delenv(FUNCTION_VARIABLE, raising=False)
    with bare_root() as root:
        app = create_app(key_file, {"TESTING": True})
        handlers, level, app_handlers = root.handlers[:], root.level, app.logger.handlers[:]
    [handler] = handlers
    assert isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr
    assert handler.formatter._fmt == TEXT_FORMAT
    assert level == python_level(LOG_LEVEL)
    assert app_handlers == []  # Flask adds its own only when nothing handles records


@pytest.mark.parametrize(
    ("lambda_level", "expected"),
    [
        ("TRACE", logging.DEBUG),
        ("DEBUG", logging.DEBUG),
        ("INFO", logging.INFO),
        ("WARN", logging.WARNING),
        ("ERROR", logging.ERROR),
        ("FATAL", logging.CRITICAL),
    ],
)
def test_lambda_level_names_map_to_pythons(lambda_level: str, expected: int) -> None:
    assert python_level(lambda_level) == expected
    with bare_root() as root:
        configure_logging(lambda_level, environ={})
        assert root.level == expected


def test_logging_configured_by_someone_else_is_left_alone() -> None:
    mine = logging.NullHandler()
    with bare_root() as root:
        root.addHandler(mine)
        configure_logging("DEBUG", environ={})
        assert root.handlers == [mine]
        assert root.level == logging.WARNING


def test_a_request_makes_no_logging_call(app: Any) -> None:
    """The warm path: Lambda's JSON format costs the handler nothing per request
    (no logging call at all, so no per-request context either)."""
    handler = make_handler(app)
    handler(rest_event(DATA), None)  # first request: lazy setup out of the way
    logging_file = logging.__file__
    calls: list[str] = []

    def profile(frame: Any, event: str, _arg: Any) -> None:
        if event == "call" and frame.f_code.co_filename == logging_file:
            calls.append(frame.f_code.co_name)

    sys.setprofile(profile)
    try:
        response = handler(rest_event(DATA), None)
    finally:
        sys.setprofile(None)
    assert response["statusCode"] == 200
    assert calls == []
