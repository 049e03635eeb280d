"""Lambda's CPU, modelled with Linux CPU cgroups.

Lambda runs the init phase (interpreter start, handler module import) on up to
two unthrottled vCPUs at every memory size, but gives each invocation CPU in
proportion to memory: 1,769 MB is one vCPU, so 256 MB gets about 14.5% of one.
The model: a measured process starts unthrottled and, once its handler is
built, moves itself into a cgroup whose CPU quota is that share of one CPU
(`worker.py`'s `model` mode). The pessimistic variant starts the process in the
group, so init is throttled too.

Groups need root and a CPU controller: cgroup v1 (`cpu.cfs_quota_us`) or v2
(`cpu.max`). Where none can be made, `cpu_groups` says why and the bench skips
the model.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

ONE_VCPU_MB = 1769  # Lambda's documented memory size for one full vCPU
MEMORY_SIZES_MB = (128, 256, 512, 1024, 1769)
PERIOD_US = 100_000
# The measured processes run at a raised priority, and their groups with ten
# times the default weight: Lambda gives an instance its CPU to itself, and
# other work on this machine would otherwise slow the unthrottled init more
# than the throttled invocation (which gets its quota even on a busy machine).
NICE = -10
WEIGHT_FILES = {1: ("cpu.shares", "10240"), 2: ("cpu.weight", "1000")}
MOUNTS = Path("/proc/mounts")


class NoCpuGroups(RuntimeError):
    """No CPU cgroup can be made here (not root, no CPU controller, ...)."""


def quota_us(memory_mb: int) -> int:
    """CPU microseconds per period a function of `memory_mb` gets."""
    return round(PERIOD_US * memory_mb / ONE_VCPU_MB)


@dataclass(frozen=True)
class CpuGroup:
    memory_mb: int
    path: Path

    @property
    def procs_file(self) -> Path:
        return self.path / "cgroup.procs"


def cpu_hierarchy(mounts: str) -> tuple[Path, int]:
    """Where to make CPU groups and the cgroup version, from /proc/mounts' text."""
    v2: Path | None = None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 4:
            continue
        mount_point, kind, options = Path(fields[1]), fields[2], fields[3].split(",")
        if kind == "cgroup" and "cpu" in options:
            return mount_point, 1
        if kind == "cgroup2" and v2 is None:
            v2 = mount_point
    if v2 is not None:
        controllers = (v2 / "cgroup.controllers").read_text(encoding="ascii").split()
        if "cpu" in controllers:
            return v2, 2
    raise NoCpuGroups("no cgroup hierarchy with a CPU controller is mounted")


def make_group(root: Path, version: int, name: str, memory_mb: int) -> CpuGroup:
    path = root / name
    path.mkdir()
    group = CpuGroup(memory_mb, path)
    try:
        weight_file, weight = WEIGHT_FILES[version]
        (path / weight_file).write_text(weight, encoding="ascii")
        if version == 1:
            (path / "cpu.cfs_period_us").write_text(str(PERIOD_US), encoding="ascii")
            (path / "cpu.cfs_quota_us").write_text(str(quota_us(memory_mb)), encoding="ascii")
        else:
            (path / "cpu.max").write_text(f"{quota_us(memory_mb)} {PERIOD_US}", encoding="ascii")
    except OSError:
        remove_group(group)
        raise
    return group


def raise_priority() -> None:
    """In a measured process: run at NICE if allowed (root), else as it is."""
    with suppress(OSError):
        os.nice(NICE)


def check_joinable(group: CpuGroup) -> None:
    """Start a process in `group`, as the measured processes will be."""

    def join() -> None:
        group.procs_file.write_text(str(os.getpid()), encoding="ascii")

    try:
        subprocess.run([sys.executable, "-c", "pass"], preexec_fn=join, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        raise NoCpuGroups(f"cannot start a process in {group.path}: {error}") from None


def remove_group(group: CpuGroup) -> None:
    """Remove `group`; a process still in it goes back to the parent group first."""
    parent_procs = group.path.parent / "cgroup.procs"
    try:
        for pid in group.procs_file.read_text(encoding="ascii").split():
            with suppress(OSError):  # it exited meanwhile
                parent_procs.write_text(pid, encoding="ascii")
        group.path.rmdir()
    except FileNotFoundError:
        pass


@contextmanager
def cpu_groups(sizes: Sequence[int] = MEMORY_SIZES_MB) -> Iterator[dict[int, CpuGroup]]:
    """A CPU cgroup per memory size, removed on exit; NoCpuGroups if none can be made."""
    try:
        root, version = cpu_hierarchy(MOUNTS.read_text(encoding="ascii"))
        if version == 2:
            # Child groups get the CPU controller only if their parent hands it down.
            (root / "cgroup.subtree_control").write_text("+cpu", encoding="ascii")
    except OSError as error:
        raise NoCpuGroups(f"cgroups unreadable: {error}") from None
    groups: dict[int, CpuGroup] = {}
    try:
        for memory_mb in sizes:
            name = f"lambda-cpu-model-{os.getpid()}-{memory_mb}mb"
            try:
                groups[memory_mb] = make_group(root, version, name, memory_mb)
            except OSError as error:
                raise NoCpuGroups(f"cannot make a CPU cgroup under {root}: {error}") from None
            check_joinable(groups[memory_mb])
        yield groups
    finally:
        for group in groups.values():
            remove_group(group)


# Lambda's list prices, us-east-1, arm64, first tier (aws.amazon.com/lambda/pricing,
# as read 2026-11-27). Init is billed like an invocation since 2025-08-01.
PRICES = {
    "read": "2026-11-27",
    "region": "us-east-1",
    "architecture": "arm64",
    "per_gb_second_usd": 0.0000133334,
    "per_million_requests_usd": 0.20,
}
# AWS's analysis of production workloads: cold starts are under 1% of invocations.
COLD_SHARE = 0.01


def billed_usd(milliseconds: float, memory_mb: int) -> float:
    """What one invocation costs: duration rounded up to the millisecond, plus the request."""
    gb_seconds = math.ceil(milliseconds) / 1000 * memory_mb / 1024
    request = PRICES["per_million_requests_usd"] / 1_000_000
    return gb_seconds * PRICES["per_gb_second_usd"] + request


def cost_per_million(cold_ms: float, warm_ms: float, memory_mb: int) -> float:
    """Dollars per million requests, COLD_SHARE of them cold starts (init billed)."""
    cold, warm = billed_usd(cold_ms, memory_mb), billed_usd(warm_ms, memory_mb)
    return 1_000_000 * (COLD_SHARE * cold + (1 - COLD_SHARE) * warm)
