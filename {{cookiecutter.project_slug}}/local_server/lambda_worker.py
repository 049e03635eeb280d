"""The Lambda function's process: `python -I -S lambda_worker.py BUNDLE RUNTIME HANDLER`.

Started by function.py with the runtime's Python. `-I -S` leave only the
standard library on sys.path; this adds the bundle (first, as /var/task is on
Lambda) and the runtime's boto3 (last), so an import the bundle lacks fails
here as it would on Lambda. The handler is imported once (the init phase),
then each line on stdin is one event, and each line written back the handler's
response or its error. Everything the app prints or logs goes to stderr, the
local server's console (CloudWatch Logs on Lambda).

Standard library only: nothing else is importable before the paths are set.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import signal
import sys
import time
import traceback
from typing import Any


class Context:
    """The parts of Lambda's context object apps use."""

    def __init__(self, request_id: str, timeout_seconds: float) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.invoked_function_arn = (
            f"arn:aws:lambda:local:000000000000:function:{self.function_name}"
        )
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(int((self._deadline - time.monotonic()) * 1000), 0)


def main(bundle: str, runtime: str, handler_name: str) -> int:
    # Ctrl-C reaches the whole process group; the server, stopping, ends this
    # process by closing its input.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.path.insert(0, bundle)
    sys.path.append(runtime)
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # prints from the app, even from C code, reach the console
    sys.stdout.reconfigure(line_buffering=True)
    module_name, _, attribute = handler_name.rpartition(".")
    started = time.perf_counter()
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except Exception as error:
        traceback.print_exc()
        protocol.write(json.dumps({"ready": False, "error": repr(error)}) + "\n")
        return 1
    init_ms = (time.perf_counter() - started) * 1000
    ready = {"ready": True, "init_ms": init_ms, "python": platform.python_version()}
    protocol.write(json.dumps(ready) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        context = Context(request["request_id"], request["timeout_seconds"])
        started = time.perf_counter()
        answer: dict[str, Any]
        try:
            answer = {"response": handler(request["event"], context)}
        except Exception as error:
            traceback.print_exc()
            answer = {"error": f"{type(error).__name__}: {error}"}
        answer["ms"] = (time.perf_counter() - started) * 1000
        protocol.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
