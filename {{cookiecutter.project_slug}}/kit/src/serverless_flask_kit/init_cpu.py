"""Whether this Lambda instance's init phase gets more CPU than its invocations will.

An invocation gets CPU in proportion to memory (1,769 MB is one vCPU); init has run at
full speed at every size, making work moved into init nearly free. Measured, not assumed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

FUNCTION_VARIABLE = "AWS_LAMBDA_FUNCTION_NAME"  # set by Lambda only
MEMORY_VARIABLE = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
ONE_VCPU_MB = 1769
# Clearly more than an invocation's share: half as much again, or 3/4 of a CPU. Kept
# small because waiting for files or other processes lowers the measure too.
MARGIN = 1.5
FULL_SPEED = 0.75
PROCESS_STAT = Path("/proc/self/stat")


def cpu_share_since_start() -> float | None:
    """CPU time / wall time of this process so far; None where Linux's /proc is missing."""
    try:
        # After the command name (it may hold spaces); starttime is in ticks since boot.
        fields = PROCESS_STAT.read_text(encoding="ascii").rsplit(")", 1)[1].split()
        started = int(fields[19]) / os.sysconf("SC_CLK_TCK")
        wall = time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    return time.process_time() / wall if wall > 0 else None


def invocation_share(environ: Mapping[str, str]) -> float | None:
    """The share of one vCPU an invocation gets at the configured memory size."""
    try:
        return int(environ[MEMORY_VARIABLE]) / ONE_VCPU_MB
    except (KeyError, ValueError):
        return None


def init_outpaces_invocations(
    environ: Mapping[str, str] = os.environ, init_share: float | None = None
) -> bool:
    """True on Lambda when init has had (`init_share`, default: measured now) clearly
    more CPU than an invocation will."""
    if not environ.get(FUNCTION_VARIABLE):
        return False
    invocation = invocation_share(environ)
    if invocation is None or invocation >= 1:
        return False  # unknown, or invocations run at full speed too: nothing to gain
    share = cpu_share_since_start() if init_share is None else init_share
    return share is not None and share >= min(MARGIN * invocation, FULL_SPEED)
