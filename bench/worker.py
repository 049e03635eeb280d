"""The measured process: `python -I bench/worker.py BUNDLE PACKAGE MODE [ARGS]`.

Runs under the benchmark's runtime interpreter with only the Lambda bundle
(first), the bench package and the runtime's site-packages on sys.path.
Results go to stdout as one JSON line per request; anything a handler prints
(serverless-wsgi and Mangum may log; the generated handler prints nothing per
request) goes to /dev/null through a line-buffered file, one write per line as
on Lambda.

Modes:
  noop                      import the bench modules only (the baseline)
  cold CONTENDER PATH       build the contender and serve one event
  rss CONTENDER N           serve N events over every path, report peak RSS
  warm CONTENDER            build, then answer {"path": P, "events": N} lines on
                            stdin with the mean microseconds per event
  model CONTENDER PATH N [GROUP]
                            Lambda's CPU model (bench/cpu_model.py): build (the
                            init phase), then join the CPU cgroup whose
                            cgroup.procs file is GROUP, if given, and serve one
                            event (the first invocation) and N more (warm);
                            reports when init ended (time.monotonic_ns, one
                            clock for every process) and both durations
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, TextIO


def report(stream: TextIO, result: dict[str, Any]) -> None:
    stream.write(json.dumps(result) + "\n")
    stream.flush()


def join_cpu_group(procs_file: str) -> None:
    """Move this process into a CPU cgroup (as Lambda throttles after init)."""
    with open(procs_file, "w", encoding="ascii") as procs:
        procs.write(str(os.getpid()))


def main(argv: list[str]) -> int:
    bundle, package, mode, *rest = argv
    sys.path.insert(0, bundle)
    sys.path.append(str(Path(__file__).resolve().parents[1]))
    import time

    from bench.contenders import BY_NAME
    from bench.events import PATHS, rest_event

    protocol = sys.stdout
    sys.stdout = open(os.devnull, "w", buffering=1)  # noqa: SIM115 - lives as long as the process
    if mode == "noop":
        report(protocol, {"status": 0})
        return 0
    serve = BY_NAME[rest[0]].build(package)
    if mode == "model":
        init_done_ns = time.monotonic_ns()
        event = rest_event(rest[1])
        if len(rest) > 3:
            join_cpu_group(rest[3])
        started = time.perf_counter_ns()
        status = serve(event)
        first_ns = time.perf_counter_ns() - started
        count = int(rest[2])
        started = time.perf_counter_ns()
        for _ in range(count):
            serve(event)
        warm_ns = time.perf_counter_ns() - started
        result = {"init_done_ns": init_done_ns, "first_ns": first_ns, "warm_ns": warm_ns}
        report(protocol, {"status": status, **result, "events": count})
    elif mode == "cold":
        status = serve(rest_event(rest[1]))
        report(protocol, {"status": status, "boto3_imported": "boto3" in sys.modules})
    elif mode == "rss":
        import resource

        events = [rest_event(path) for path in PATHS]
        statuses = {serve(events[index % len(events)]) for index in range(int(rest[1]))}
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        report(protocol, {"status": sorted(statuses), "peak_rss_bytes": peak_kib * 1024})
    elif mode == "warm":
        report(protocol, {"status": "ready"})
        for line in sys.stdin:
            request = json.loads(line)
            event = rest_event(request["path"])
            count = int(request["events"])
            status = serve(event)
            started = time.perf_counter_ns()
            for _ in range(count):
                serve(event)
            elapsed = time.perf_counter_ns() - started
            report(protocol, {"status": status, "us_per_event": elapsed / count / 1000})
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
