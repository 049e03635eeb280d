"""One line per test module as it finishes, so a long `make test` shows where it is.

A phase is a test module (`test_bundle_build.py` is "bundle_build"). Works with and
without pytest-xdist: the controller learns the collected tests from the first worker.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable

import pytest


def phase_of(nodeid: str) -> str:
    module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    return module.removesuffix(".py").removeprefix("test_")


def minutes(seconds: float) -> str:
    return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


class PhaseProgress:
    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.started = time.monotonic()
        self.total: Counter[str] = Counter()
        self.done: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()

    def write(self, line: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            # Progress dots do not end their line; this line gets one of its own.
            reporter.write("\n" + line + "\n")

    def collected(self, nodeids: Iterable[str]) -> None:
        if self.total:
            return
        self.total.update(phase_of(nodeid) for nodeid in nodeids)
        phases = ", ".join(f"{phase} ({count})" for phase, count in sorted(self.total.items()))
        self.write(f"phases: {phases}")

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: object, ids: list[str]) -> None:
        self.collected(ids)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if session.items:
            self.collected(item.nodeid for item in session.items)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        phase = phase_of(report.nodeid)
        if report.failed:
            self.failed[phase] += 1
        if report.when != "teardown":
            return
        self.done[phase] += 1
        if self.done[phase] == self.total[phase]:
            failures = f", {self.failed[phase]} failed" if self.failed[phase] else ""
            elapsed = minutes(time.monotonic() - self.started)
            self.write(f"done: {phase}, {self.total[phase]} tests{failures} (at {elapsed})")


def register(config: pytest.Config) -> None:
    """From conftest's pytest_configure. Workers report to the controller, which prints."""
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(PhaseProgress(config), "phase-progress")
