"""The Lambda function, locally: the handler from the built bundle in a
process of its own (lambda_worker.py), one invocation at a time, as one
Lambda instance serves them. Its environment is the deployed function's, plus
what Lambda sets and a local S3."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .pipes import JsonLinesProcess, NoAnswer, ProcessGone

WORKER = Path(__file__).with_name("lambda_worker.py")


class FunctionError(RuntimeError):
    """The handler raised, or its process could not start or died."""


class LambdaFunction:
    def __init__(
        self,
        python: str,
        bundle: Path,
        runtime: Path,
        handler: str,
        environment: Mapping[str, str],
        timeout_seconds: int,
    ) -> None:
        self.handler = handler
        self.timeout_seconds = timeout_seconds
        self._command = [python, "-I", "-S", str(WORKER), str(bundle), str(runtime), handler]
        self._environment = environment
        self._bundle = bundle
        self._instance = self._start()

    def _start(self) -> JsonLinesProcess:
        """A new instance: a process that has imported the handler (Lambda's init)."""
        instance = JsonLinesProcess(self._command, env=self._environment, cwd=self._bundle)
        try:
            ready = instance.read()
        except ProcessGone as error:
            ready = {"error": str(error)}
        if not ready.get("ready"):
            instance.close()
            raise FunctionError(f"the handler {self.handler} failed to load: {ready.get('error')}")
        self.init_ms: float = ready["init_ms"]
        self.python_version: str = ready["python"]
        return instance

    def invoke(self, event: Mapping[str, Any]) -> tuple[dict[str, Any], float]:
        """The handler's response to `event`, and how long it took (ms).

        Past the function's timeout the instance is stopped, as Lambda stops
        it, and the next invocation gets a new one (a cold start)."""
        request = {
            "event": event,
            "request_id": str(uuid.uuid4()),
            "timeout_seconds": self.timeout_seconds,
        }
        try:
            answer = self._instance.exchange(request, timeout=self.timeout_seconds)
        except NoAnswer:
            self._instance.close()
            self._instance = self._start()
            raise FunctionError(f"Task timed out after {self.timeout_seconds} s") from None
        except ProcessGone as error:
            self._instance.close()
            self._instance = self._start()
            raise FunctionError(str(error)) from None
        if "error" in answer:
            raise FunctionError(answer["error"])
        return answer["response"], answer["ms"]

    def close(self) -> None:
        self._instance.close()
