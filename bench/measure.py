"""Measurements, each in fresh processes of the benchmark's runtime interpreter."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryFile
from typing import Any

from bench.cpu_model import raise_priority

WORKER = Path(__file__).resolve().with_name("worker.py")


class MeasurementError(RuntimeError):
    """A measured process failed or answered something unexpected."""


@dataclass(frozen=True)
class Runtime:
    """How to start a measured process."""

    python: Path
    package: str
    env: Mapping[str, str]

    def command(self, bundle: Path, mode: str, *args: str, write_bytecode: bool) -> list[str]:
        # -I: no user site, no PYTHON* variables, no script directory on sys.path.
        # -B: never write bytecode, as on Lambda's read-only code directory.
        flags = ["-I"] if write_bytecode else ["-I", "-B"]
        return [str(self.python), *flags, str(WORKER), str(bundle), self.package, mode, *args]


def run_worker(runtime: Runtime, command: list[str]) -> tuple[dict[str, Any], float]:
    """Run one measured process; its answer and its wall-clock seconds."""
    started = time.perf_counter()
    result = subprocess.run(
        command, env=dict(runtime.env), capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise MeasurementError(f"{' '.join(command[-3:])} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.splitlines()[-1]), seconds


def expect_ok(answer: dict[str, Any], what: str) -> None:
    statuses = answer["status"] if isinstance(answer["status"], list) else [answer["status"]]
    if any(status != 200 for status in statuses):
        raise MeasurementError(f"{what} answered HTTP {answer['status']}, not 200")


@dataclass(frozen=True)
class ColdStart:
    seconds: float  # wall time, interpreter start included
    boto3_imported: bool


def cold_start(
    runtime: Runtime, bundle: Path, contender: str, path: str, *, write_bytecode: bool
) -> ColdStart:
    """A fresh process that builds `contender` and serves one event."""
    command = runtime.command(bundle, "cold", contender, path, write_bytecode=write_bytecode)
    answer, seconds = run_worker(runtime, command)
    expect_ok(answer, f"{contender} {path} (cold)")
    return ColdStart(seconds=seconds, boto3_imported=bool(answer["boto3_imported"]))


@dataclass(frozen=True)
class ModelStart:
    """A cold start under the model of Lambda's CPU (cpu_model.py)."""

    init_ms: float  # process start to handler built
    first_ms: float  # the first invocation
    warm_us: float  # mean of the invocations after it


def model_start(
    runtime: Runtime,
    bundle: Path,
    contender: str,
    path: str,
    *,
    memory_mb: int,
    procs_file: Path,
    throttle_init: bool,
    warm_events: int,
) -> ModelStart:
    """A fresh process, at a raised priority (cpu_model.NICE), of a `memory_mb`
    function (as Lambda tells it) that builds `contender`, then serves `path`
    once and `warm_events` more times in the CPU group whose cgroup.procs is
    `procs_file`: from its start with `throttle_init`, else from the end of init on."""
    args = [contender, path, str(warm_events)]
    if not throttle_init:
        args.append(str(procs_file))
    command = runtime.command(bundle, "model", *args, write_bytecode=False)

    def start() -> None:  # runs in the child, before the interpreter starts
        raise_priority()
        if throttle_init:
            procs_file.write_text(str(os.getpid()), encoding="ascii")

    launched_ns = time.monotonic_ns()  # one clock for every process on Linux
    result = subprocess.run(
        command,
        env={**runtime.env, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(memory_mb)},
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=start,  # no threads in this process
    )
    if result.returncode != 0:
        raise MeasurementError(f"{contender} {path} (model) failed:\n{result.stderr[-3000:]}")
    answer = json.loads(result.stdout.splitlines()[-1])
    expect_ok(answer, f"{contender} {path} (model)")
    return ModelStart(
        init_ms=(answer["init_done_ns"] - launched_ns) / 1e6,
        first_ms=answer["first_ns"] / 1e6,
        warm_us=answer["warm_ns"] / answer["events"] / 1000,
    )


def baseline_seconds(runtime: Runtime, bundle: Path, *, write_bytecode: bool) -> float:
    """Wall time of a process that starts the interpreter and the bench modules only."""
    command = runtime.command(bundle, "noop", write_bytecode=write_bytecode)
    return run_worker(runtime, command)[1]


def peak_rss_bytes(runtime: Runtime, bundle: Path, contender: str, events: int) -> int:
    command = runtime.command(bundle, "rss", contender, str(events), write_bytecode=False)
    answer, _ = run_worker(runtime, command)
    expect_ok(answer, f"{contender} (RSS run)")
    return int(answer["peak_rss_bytes"])


class WarmWorker:
    """A process serving batches of one event, like a warm Lambda instance."""

    def __init__(self, runtime: Runtime, bundle: Path, contender: str) -> None:
        self.contender = contender
        command = runtime.command(bundle, "warm", contender, write_bytecode=False)
        self._process = subprocess.Popen(
            command,
            env=dict(runtime.env),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if self._answer()["status"] != "ready":
            raise MeasurementError(f"{contender} did not start")

    def _answer(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            _, errors = self._process.communicate(timeout=30)
            raise MeasurementError(f"{self.contender} worker died:\n{errors[-3000:]}")
        return json.loads(line)

    def microseconds_per_event(self, path: str, events: int) -> float:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps({"path": path, "events": events}) + "\n")
        self._process.stdin.flush()
        answer = self._answer()
        expect_ok(answer, f"{self.contender} {path} (warm)")
        return float(answer["us_per_event"])

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.communicate(input="", timeout=30)


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def tree_files(root: Path) -> list[Path]:
    """Files under `root`, in a stable order."""
    return sorted(path for path in root.rglob("*") if path.is_file())


def zip_sizes(files: Iterable[tuple[Path, str]]) -> tuple[int, int]:
    """Total size unzipped, and zipped with deflate (as Lambda code is uploaded)."""
    unzipped = 0
    with TemporaryFile() as archive:
        with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle_zip:
            for path, name in files:
                unzipped += path.stat().st_size
                bundle_zip.write(path, name)
        return unzipped, archive.tell()
