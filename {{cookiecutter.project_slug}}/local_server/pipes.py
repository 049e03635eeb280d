"""A long-lived child process spoken to in JSON lines, one exchange at a time."""

from __future__ import annotations

import json
import select
import subprocess
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, cast


class ProcessGone(RuntimeError):
    """The process exited or closed its pipes."""


class NoAnswer(TimeoutError):
    """The process did not answer in time."""


class JsonLinesProcess:
    def __init__(
        self,
        command: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            list(command),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            text=True,
            encoding="utf-8",
        )
        self._lock = threading.Lock()
        self._input = cast(IO[str], self.process.stdin)  # both pipes, as asked for above
        self._output = cast(IO[str], self.process.stdout)

    def read(self, timeout: float | None = None) -> dict[str, Any]:
        """The next line the process writes, waiting at most `timeout` seconds for it."""
        # Each exchange is one line each way, so nothing is left buffered here
        # and waiting on the pipe itself is exact.
        if timeout is not None and not select.select([self._output], [], [], timeout)[0]:
            raise NoAnswer(f"no answer within {timeout} s")
        line = self._output.readline()
        if not line:
            raise ProcessGone(f"{self.process.args[0]} exited ({self.process.wait()})")
        return json.loads(line)

    def exchange(self, message: Mapping[str, Any], timeout: float | None = None) -> dict[str, Any]:
        """Send one line, read the answer."""
        with self._lock:
            try:
                self._input.write(json.dumps(message) + "\n")
                self._input.flush()
            except OSError as error:
                raise ProcessGone(f"{self.process.args[0]} is gone: {error}") from None
            return self.read(timeout)

    def close(self) -> None:
        """End of input, which ends the process; killed if it lingers."""
        self._input.close()
        self._output.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
