"""The Lambda function, locally: the handler from the built bundle in a
process of its own (lambda_worker.py), one invocation at a time, as one
Lambda instance serves them. Its environment is the deployed function's, plus
what Lambda sets and a local S3."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .pipes import JsonLinesProcess, ProcessGone

WORKER = Path(__file__).with_name("lambda_worker.py")


class FunctionError(RuntimeError):
    """The handler raised, or its process could not start or died."""


class LambdaFunction(JsonLinesProcess):
    def __init__(
        self,
        python: str,
        bundle: Path,
        runtime: Path,
        handler: str,
        environment: Mapping[str, str],
        timeout_seconds: int,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        command = [python, "-I", "-S", str(WORKER), str(bundle), str(runtime), handler]
        super().__init__(command, env=environment, cwd=bundle)
        try:
            ready = self.read()
        except ProcessGone as error:
            ready = {"error": str(error)}
        if not ready.get("ready"):
            self.close()
            raise FunctionError(f"the handler {handler} failed to load: {ready.get('error')}")
        self.init_ms: float = ready["init_ms"]
        self.python_version: str = ready["python"]

    def invoke(self, event: Mapping[str, Any]) -> tuple[dict[str, Any], float]:
        """The handler's response to `event`, and how long it took (ms)."""
        request = {
            "event": event,
            "request_id": str(uuid.uuid4()),
            "timeout_seconds": self.timeout_seconds,
        }
        try:
            answer = self.exchange(request)
        except ProcessGone as error:
            raise FunctionError(str(error)) from None
        if "error" in answer:
            raise FunctionError(answer["error"])
        return answer["response"], answer["ms"]
