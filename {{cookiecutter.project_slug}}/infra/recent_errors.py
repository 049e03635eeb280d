"""The deployed stage's last errors and 5xx responses, with their request IDs.

    python -m infra.recent_errors [--stage STAGE] [--since 1h] [--limit 50]   # make errors

Runs two CloudWatch Logs Insights queries, kept as files in infra/queries/
(paste one into the console's Logs Insights page to dig further), over the
stage's log groups, which the stack's outputs name:

- server_errors, on the access log (access_logs.py): the 5xx responses, each
  with the request ID API Gateway got back from Lambda;
- function_errors, on the function's log: its error lines, each with the
  request ID Lambda's JSON log format puts on it (function.py).

It joins them on that request ID and prints one line per request, newest
first: a 5xx with the function's error, a 5xx the function did not log (a
timeout, a failed invocation, or one API Gateway answered itself: then its
own request ID and error type), and an error logged for a request that got no
5xx (status `-`). Logs Insights bills the data it scans ($0.005 per GB in
most regions): a longer SINCE scans more.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from {{ cookiecutter.package_name }}.settings import load_settings

from .aws_credentials import NO_CREDENTIALS

QUERY_DIR = Path(__file__).with_name("queries")
# The stack outputs naming the log groups (site_stack.py), per query.
FUNCTION_LOG_OUTPUT = "LogGroupName"
ACCESS_LOG_OUTPUT = "AccessLogGroupName"
QUERY_LOG_GROUPS = {"server_errors": ACCESS_LOG_OUTPUT, "function_errors": FUNCTION_LOG_OUTPUT}

SINCE_PATTERN = re.compile(r"([1-9][0-9]*)([mhd])")
UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400}
POLL_SECONDS = 1.0
TIMEOUT_SECONDS = 60.0
FAILED_STATUSES = {"Failed", "Cancelled", "Timeout", "Unknown"}
NO_VALUE = "-"  # what API Gateway writes for a field it has no value for
MAX_LINE = 160  # so that a row stays one line in a wide terminal


class QueryFailed(RuntimeError):
    """Logs Insights ended a query without results."""


def load_query(name: str) -> str:
    return (QUERY_DIR / f"{name}.logsinsights").read_text(encoding="utf-8")


def since_seconds(since: str) -> int:
    match = SINCE_PATTERN.fullmatch(since)
    if not match:
        raise ValueError(f"SINCE={since!r}: use e.g. 30m, 1h or 2d (minutes, hours, days)")
    return int(match[1]) * UNIT_SECONDS[match[2]]


@dataclass(frozen=True)
class Window:
    """The time range a query covers, in whole seconds since the epoch."""

    start: int
    end: int

    @classmethod
    def since(cls, since: str, now: float) -> Window:
        end = int(now)
        return cls(start=end - since_seconds(since), end=end)


def log_groups(cloudformation: Any, stack_name: str) -> dict[str, str]:
    """Each query's log group, from the stack's outputs."""
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    groups = {}
    for query, output in QUERY_LOG_GROUPS.items():
        if output not in outputs:
            raise LookupError(f"stack {stack_name} has no {output} output; deploy it again")
        groups[query] = outputs[output]
    return groups


def fields_of(row: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """A result row's fields by name, without Logs Insights' record pointer."""
    return {cell["field"]: cell["value"] for cell in row if cell["field"] != "@ptr"}


def run_queries(
    logs: Any,
    groups: Mapping[str, str],
    window: Window,
    limit: int,
    *,
    sleep: Callable[[float], Any] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    timeout: float = TIMEOUT_SECONDS,
) -> dict[str, list[dict[str, str]]]:
    """Start the named queries over their log groups at once, then poll them
    all until complete: each one's rows as field -> value."""
    pending = {
        name: logs.start_query(
            logGroupNames=[group],
            queryString=load_query(name),
            startTime=window.start,
            endTime=window.end,
            limit=limit,
        )["queryId"]
        for name, group in groups.items()
    }
    deadline = clock() + timeout
    results: dict[str, list[dict[str, str]]] = {}
    while True:
        for name, query_id in list(pending.items()):
            response = logs.get_query_results(queryId=query_id)
            if response["status"] == "Complete":
                results[name] = [fields_of(row) for row in response["results"]]
                del pending[name]
            elif response["status"] in FAILED_STATUSES:
                raise QueryFailed(f"Logs Insights query {name}: {response['status']}")
        if not pending:
            return results
        if clock() >= deadline:
            for query_id in pending.values():
                logs.stop_query(queryId=query_id)
            raise TimeoutError(
                f"Logs Insights gave no result after {timeout:.0f} s; try a shorter SINCE"
            )
        sleep(POLL_SECONDS)


@dataclass(frozen=True)
class Row:
    time: str  # UTC, to the second
    status: str  # "-" when the request got no 5xx
    request: str  # method and stage path, "-" when only the function's log knows it
    request_id: str  # the function's, or API Gateway's when the function did not answer
    error: str


def _value(fields: Mapping[str, str], name: str) -> str:
    value = fields.get(name, "")
    return "" if value == NO_VALUE else value


def _error_of(line: Mapping[str, str]) -> str:
    name, detail = _value(line, "errorName"), _value(line, "detail")
    return f"{name}: {detail}" if name and detail else name or detail or NO_VALUE


def joined(
    server_errors: Sequence[Mapping[str, str]], function_errors: Sequence[Mapping[str, str]]
) -> list[Row]:
    """One row per 5xx response, with the first error the function logged for
    it, then one per error logged for a request that got no 5xx; newest first."""
    errors_by_request: dict[str, Mapping[str, str]] = {}
    outside_requests = []  # e.g. an init that failed: no request ID
    for line in reversed(function_errors):  # newest first: keep each request's first line
        if request_id := _value(line, "fnRequestId"):
            errors_by_request[request_id] = line
        else:
            outside_requests.append(line)
    rows = []
    for response in server_errors:
        function_request = _value(response, "functionRequestId")
        line = errors_by_request.pop(function_request, None) if function_request else None
        rows.append(
            Row(
                time=response["@timestamp"][:19],
                status=response.get("status", NO_VALUE),
                request=f"{response.get('method', '')} {response.get('path', '')}".strip(),
                request_id=function_request or _value(response, "requestId") or NO_VALUE,
                error=_error_of(line) if line else _value(response, "errorType") or NO_VALUE,
            )
        )
    for line in [*errors_by_request.values(), *outside_requests]:
        rows.append(
            Row(
                time=line["@timestamp"][:19],
                status=NO_VALUE,
                request=NO_VALUE,
                request_id=_value(line, "fnRequestId") or NO_VALUE,
                error=_error_of(line),
            )
        )
    return sorted(rows, key=lambda row: row.time, reverse=True)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())  # one line, whatever the message held
    return text if len(text) <= width else text[: width - 1] + "…"


def table(rows: Sequence[Row]) -> str:
    """A header and one aligned line per row."""
    widths = (19, 6, 32, 36)
    lines = [("TIME (UTC)", "STATUS", "REQUEST", "REQUEST ID", "ERROR")]
    lines += [(row.time, row.status, row.request, row.request_id, row.error) for row in rows]
    error_width = MAX_LINE - sum(widths) - 2 * len(widths)
    return "\n".join(
        "  ".join(
            [_clip(value, width).ljust(width) for value, width in zip(line, widths, strict=False)]
            + [_clip(line[-1], error_width)]
        )
        for line in lines
    )


def require_credentials(session: Any) -> bool:
    """Whether `session` finds AWS credentials; if not, says what to do, in one line."""
    if session.get_credentials() is None:
        print(NO_CREDENTIALS, file=sys.stderr)
        return False
    return True


def main(argv: Sequence[str] | None = None, logs: Any = None, cloudformation: Any = None) -> int:
    settings = load_settings()
    parser = argparse.ArgumentParser(
        prog=__spec__.name if __spec__ else None,
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--stage", default=settings.stage, help="deployed stage")
    parser.add_argument("--region", default=settings.aws_region)
    parser.add_argument("--since", default="1h", help="how far back: 30m, 1h, 2d, ...")
    parser.add_argument("--limit", type=int, default=50, help="rows per query, at most")
    args = parser.parse_args(argv)
    try:
        window = Window.since(args.since, now=time.time())
    except ValueError as error:
        parser.error(str(error))
    if logs is None or cloudformation is None:
        session = boto3.session.Session(region_name=args.region)
        if not require_credentials(session):
            return 2
        logs, cloudformation = session.client("logs"), session.client("cloudformation")

    stack = settings.stack_name(args.stage)
    try:
        results = run_queries(logs, log_groups(cloudformation, stack), window, args.limit)
    except (ClientError, BotoCoreError, LookupError, QueryFailed, TimeoutError) as error:
        print(f"{stack} ({args.region}): {error}", file=sys.stderr)
        return 1
    rows = joined(results["server_errors"], results["function_errors"])
    if not rows:
        print(f"No errors or 5xx responses on {stack} in the last {args.since}.")
        return 0
    print(f"{len(rows)} errors and 5xx responses on {stack} in the last {args.since}:")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
