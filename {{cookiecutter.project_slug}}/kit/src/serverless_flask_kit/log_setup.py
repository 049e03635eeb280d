"""Where the app's log lines go.

On Lambda, the runtime puts its own handler on the root logger before it
imports the handler module. With the function's JSON log format
(infra/function.py) that handler writes each record as one JSON object
carrying the invocation's request ID, and the runtime sets the root level to
the function's application log level. So the app adds nothing there: every
logger in it propagates to that handler, and the handler does no logging work
per request.

Locally (`make dev`, scripts) lines are plain text on stderr, at the same
application log level as deployed. Logging that something else configured
first (pytest, a WSGI server, your own `logging.basicConfig`) is left alone.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from .init_cpu import FUNCTION_VARIABLE

# No time: the development server's request lines, which go through it too, carry their own.
TEXT_FORMAT = "%(levelname)s %(name)s: %(message)s"
# Lambda's level names (settings.CHOICES["application_log_level"]) that Python spells differently.
_PYTHON_NAMES = {"TRACE": "DEBUG", "WARN": "WARNING", "FATAL": "CRITICAL"}


def python_level(lambda_level: str) -> int:
    """The `logging` level of one of Lambda's application log levels."""
    return logging.getLevelNamesMapping()[_PYTHON_NAMES.get(lambda_level, lambda_level)]


def configure_logging(level: str, environ: Mapping[str, str] = os.environ) -> None:
    """Plain-text logging at `level` (a Lambda level name) for local runs;
    on Lambda, nothing: the runtime's JSON handler stays the only one."""
    if FUNCTION_VARIABLE in environ:
        return
    logging.basicConfig(level=python_level(level), format=TEXT_FORMAT)
