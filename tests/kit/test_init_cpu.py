from __future__ import annotations

import os
import sys

import pytest
from serverless_flask_kit.init_cpu import (
    cpu_share_since_start,
    init_outpaces_invocations,
)

ON_LAMBDA_256 = {"AWS_LAMBDA_FUNCTION_NAME": "site", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}


@pytest.mark.parametrize(
    ("environ", "init_share", "expected"),
    [
        (ON_LAMBDA_256, 1.0, True),  # Lambda as measured: init at full speed
        (ON_LAMBDA_256, 0.25, True),  # full speed, but sharing a busy machine
        (ON_LAMBDA_256, 0.15, False),  # init throttled like the invocation (256/1769)
        ({**ON_LAMBDA_256, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024"}, 0.8, True),
        ({**ON_LAMBDA_256, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024"}, 0.6, False),
        ({**ON_LAMBDA_256, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1769"}, 1.0, False),
        ({**ON_LAMBDA_256, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "lots"}, 1.0, False),
        ({"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256"}, 1.0, False),  # local runs
        ({}, 1.0, False),
    ],
)
def test_init_work_only_where_init_outpaces_invocations(
    environ: dict[str, str], init_share: float, expected: bool
) -> None:
    assert init_outpaces_invocations(environ, init_share=init_share) is expected


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads Linux's /proc")
def test_the_cpu_share_is_measured_since_the_process_started() -> None:
    share = cpu_share_since_start()
    assert share is not None
    assert 0 < share <= 1.05 * len(os.sched_getaffinity(0))
