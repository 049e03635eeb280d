"""Whether this Lambda instance's init phase gets more CPU than its invocations will.

Lambda gives an invocation CPU in proportion to memory (1,769 MB is one vCPU;
256 MB is 14.5% of one) but has run the init phase (imports, module-level code)
at full speed at every size. Work moved into init is then nearly free; where
init were throttled like an invocation, it would only delay every cold start,
even for pages that never need that work. So the handler measures instead of
assuming: the share of one CPU this process has had since it started.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

FUNCTION_VARIABLE = "AWS_LAMBDA_FUNCTION_NAME"  # set by Lambda only
MEMORY_VARIABLE = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
ONE_VCPU_MB = 1769
# Init must have had clearly more CPU than an invocation gets: half as much
# again as its share, or three quarters of a CPU for large functions. The
# margin is kept small because the measure also counts time spent waiting for
# files or for other processes, which lowers it where init is not throttled.
MARGIN = 1.5
FULL_SPEED = 0.75
PROCESS_STAT = Path("/proc/self/stat")


def cpu_share_since_start() -> float | None:
    """CPU time / wall time of this process so far; None where Linux's /proc is missing."""
    try:
        # Fields after the command name (which may contain spaces); the 22nd
        # field of the whole line, starttime, is in clock ticks since boot.
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
    """True on Lambda when init has had clearly more CPU than an invocation will.

    `init_share` defaults to the share measured now (call it at the end of init).
    """
    if not environ.get(FUNCTION_VARIABLE):
        return False
    invocation = invocation_share(environ)
    if invocation is None or invocation >= 1:
        return False  # unknown, or invocations run at full speed too: nothing to gain
    share = cpu_share_since_start() if init_share is None else init_share
    return share is not None and share >= min(MARGIN * invocation, FULL_SPEED)
