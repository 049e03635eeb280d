"""`make errors`: the Logs Insights queries, run through botocore's Stubber
with responses shaped like the real ones, joined on the request ID."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from aws_cdk.assertions import Template
from botocore.stub import Stubber

from {{ cookiecutter.package_name }}.settings import Settings

from infra import recent_errors
from infra.recent_errors import (
    ACCESS_LOG_OUTPUT,
    FUNCTION_LOG_OUTPUT,
    QUERY_DIR,
    QueryFailed,
    Window,
    fields_of,
    joined,
    load_query,
    log_groups,
    run_queries,
    since_seconds,
    table,
)

REGION = "us-east-1"
FUNCTION_LOGS = "site-dev-FunctionLogsAE28C13D-abc"
ACCESS_LOGS = "site-dev-AccessLogs8B620ECA-def"
WINDOW = Window(start=1795000000, end=1795003600)
FAKE_CREDENTIALS = dict.fromkeys(["aws_access_key_id", "aws_secret_access_key"], "testing")
STATISTICS = {"recordsMatched": 2.0, "recordsScanned": 120.0, "bytesScanned": 40960.0}


def result_row(**fields: str) -> list[dict[str, str]]:
    """One row of get_query_results: a list of field/value cells, @ptr included."""
    return [{"field": name, "value": value} for name, value in fields.items()] + [
        {"field": "@ptr", "value": "CmAKJwojMTIzNDU2Nzg5MDEyOnNpdGUtZGV2EAUaDAiA"}
    ]


# A 500 the app logged (Flask's line for an unhandled exception), a 502 the
# function never logged (an invocation that timed out), a 503 API Gateway made
# itself, and an error the app logged on a request that still got an answer.
ACCESS_COLUMNS = ("@timestamp", "status", "method", "path", "requestId", "functionRequestId")
ACCESS_ROWS = [
    result_row(**dict(zip(ACCESS_COLUMNS, row, strict=True)), errorType=error)
    for *row, error in [
        ("2026-11-27 10:05:02.120", "500", "GET", "/dev/boom",
         "a1111111-1111-4111-8111-111111111111", "f1111111-1111-4111-8111-111111111111", "-"),
        ("2026-11-27 10:03:00.000", "502", "POST", "/dev/slow",
         "a2222222-2222-4222-8222-222222222222", "f2222222-2222-4222-8222-222222222222", "-"),
        ("2026-11-27 10:01:00.000", "503", "GET", "/dev/",
         "a3333333-3333-4333-8333-333333333333", "-", "API_CONFIGURATION_ERROR"),
    ]
]  # fmt: skip
FUNCTION_ROWS = [
    result_row(
        **{"@timestamp": "2026-11-27 10:05:02.118"},
        fnRequestId="f1111111-1111-4111-8111-111111111111",
        errorName="ZeroDivisionError",
        detail="division by zero",
    ),
    result_row(
        **{"@timestamp": "2026-11-27 10:04:00.000"},
        fnRequestId="f4444444-4444-4444-8444-444444444444",
        detail="coupon service unreachable; page served without the discount",
    ),
]


def stubbed_client(service: str) -> Any:
    """A client for Stubber: it never sends a request, so no real credentials,
    and none looked up."""
    return boto3.session.Session(**FAKE_CREDENTIALS).client(service, region_name=REGION)


def logs_client() -> Any:
    return stubbed_client("logs")


@pytest.fixture
def logs() -> Iterator[tuple[Any, Stubber]]:
    client = logs_client()
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def expect_start(stubber: Stubber, name: str, group: str, query_id: str, limit: int = 50) -> None:
    stubber.add_response(
        "start_query",
        {"queryId": query_id},
        {
            "logGroupNames": [group],
            "queryString": load_query(name),
            "startTime": WINDOW.start,
            "endTime": WINDOW.end,
            "limit": limit,
        },
    )


def expect_results(stubber: Stubber, query_id: str, status: str, rows: list | None = None) -> None:
    stubber.add_response(
        "get_query_results",
        {"status": status, "results": rows or [], "statistics": STATISTICS},
        {"queryId": query_id},
    )


def test_the_queries_are_files_in_the_repository() -> None:
    names = sorted(path.stem for path in QUERY_DIR.glob("*.logsinsights"))
    assert names == ["function_errors", "server_errors"]
    for name in names:
        commands = [line for line in load_query(name).splitlines() if not line.startswith("#")]
        assert commands[0].startswith("fields @timestamp")
        assert commands[-1] == "| sort @timestamp desc"


@pytest.mark.parametrize(
    ("since", "seconds"), [("30m", 1800), ("1h", 3600), ("12h", 43200), ("2d", 172800)]
)
def test_since_takes_minutes_hours_or_days(since: str, seconds: int) -> None:
    assert since_seconds(since) == seconds


@pytest.mark.parametrize("since", ["", "1", "h", "0h", "1y", "1.5h", "-1h", "1 h"])
def test_since_refuses_anything_else(since: str) -> None:
    with pytest.raises(ValueError, match=r"SINCE=.*: use e\.g\. 30m, 1h or 2d"):
        since_seconds(since)


def test_window_ends_now_and_reaches_back() -> None:
    assert Window.since("2h", now=1795003600.7) == Window(start=1794996400, end=1795003600)


def test_both_queries_run_over_their_log_groups_until_complete(
    logs: tuple[Any, Stubber],
) -> None:
    client, stubber = logs
    expect_start(stubber, "server_errors", ACCESS_LOGS, "q-access")
    expect_start(stubber, "function_errors", FUNCTION_LOGS, "q-function")
    expect_results(stubber, "q-access", "Running")
    expect_results(stubber, "q-function", "Scheduled")
    expect_results(stubber, "q-access", "Complete", ACCESS_ROWS)
    expect_results(stubber, "q-function", "Complete", FUNCTION_ROWS)
    sleeps: list[float] = []

    results = run_queries(
        client,
        {"server_errors": ACCESS_LOGS, "function_errors": FUNCTION_LOGS},
        WINDOW,
        limit=50,
        sleep=sleeps.append,
    )
    assert sleeps == [recent_errors.POLL_SECONDS]
    assert results["server_errors"][0] == {
        "@timestamp": "2026-11-27 10:05:02.120",
        "status": "500",
        "method": "GET",
        "path": "/dev/boom",
        "requestId": "a1111111-1111-4111-8111-111111111111",
        "functionRequestId": "f1111111-1111-4111-8111-111111111111",
        "errorType": "-",
    }
    assert [row["fnRequestId"] for row in results["function_errors"]] == [
        "f1111111-1111-4111-8111-111111111111",
        "f4444444-4444-4444-8444-444444444444",
    ]


def test_a_query_that_runs_too_long_is_stopped(logs: tuple[Any, Stubber]) -> None:
    client, stubber = logs
    expect_start(stubber, "server_errors", ACCESS_LOGS, "q-access", limit=10)
    expect_results(stubber, "q-access", "Running")
    expect_results(stubber, "q-access", "Running")
    stubber.add_response("stop_query", {"success": True}, {"queryId": "q-access"})
    ticks = iter([0.0, 1.0, 61.0])

    with pytest.raises(TimeoutError, match="no result after 60 s"):
        run_queries(
            client,
            {"server_errors": ACCESS_LOGS},
            WINDOW,
            limit=10,
            sleep=lambda _seconds: None,
            clock=lambda: next(ticks),
        )


def test_a_failed_query_says_which(logs: tuple[Any, Stubber]) -> None:
    client, stubber = logs
    expect_start(stubber, "function_errors", FUNCTION_LOGS, "q-function")
    expect_results(stubber, "q-function", "Failed")
    with pytest.raises(QueryFailed, match=r"function_errors: Failed"):
        run_queries(client, {"function_errors": FUNCTION_LOGS}, WINDOW, limit=50, sleep=print)


def cells(rows: list[list[dict[str, str]]]) -> list[dict[str, str]]:
    return [fields_of(row) for row in rows]


def test_5xx_and_function_errors_are_joined_on_the_request_id_newest_first() -> None:
    rows = joined(cells(ACCESS_ROWS), cells(FUNCTION_ROWS))
    assert [(row.time, row.status, row.request, row.request_id, row.error) for row in rows] == [
        (
            "2026-11-27 10:05:02",
            "500",
            "GET /dev/boom",
            "f1111111-1111-4111-8111-111111111111",
            "ZeroDivisionError: division by zero",
        ),
        (
            "2026-11-27 10:04:00",
            "-",
            "-",
            "f4444444-4444-4444-8444-444444444444",
            "coupon service unreachable; page served without the discount",
        ),
        (
            "2026-11-27 10:03:00",
            "502",
            "POST /dev/slow",
            "f2222222-2222-4222-8222-222222222222",
            "-",
        ),
        # Never reached the function: API Gateway's own request ID and error type.
        (
            "2026-11-27 10:01:00",
            "503",
            "GET /dev/",
            "a3333333-3333-4333-8333-333333333333",
            "API_CONFIGURATION_ERROR",
        ),
    ]


def test_errors_outside_any_request_are_each_kept() -> None:
    """An init that failed logs with an empty request ID, each time it fails."""
    failed_init = {"fnRequestId": "", "errorName": "ImportError", "detail": "no module x"}
    lines = [
        {"@timestamp": "2026-11-27 10:00:02.000", **failed_init},
        {"@timestamp": "2026-11-27 10:00:01.000", **failed_init},
    ]
    rows = joined([], lines)
    assert [(row.time, row.request_id, row.error) for row in rows] == [
        ("2026-11-27 10:00:02", "-", "ImportError: no module x"),
        ("2026-11-27 10:00:01", "-", "ImportError: no module x"),
    ]


def test_the_table_is_one_line_per_row_under_a_header() -> None:
    lines = table(joined(cells(ACCESS_ROWS), cells(FUNCTION_ROWS))).splitlines()
    assert lines[0].split() == ["TIME", "(UTC)", "STATUS", "REQUEST", "REQUEST", "ID", "ERROR"]
    assert len(lines) == 5
    assert lines[1].startswith("2026-11-27 10:05:02  500")
    assert "f1111111-1111-4111-8111-111111111111" in lines[1]
    assert lines[1].endswith("ZeroDivisionError: division by zero")
    starts = {
        line.index(part)
        for line, part in zip(lines[1:], ["f111", "f444", "f222", "a333"], strict=True)
    }
    assert len(starts) == 1  # columns line up


def test_long_values_are_clipped_so_a_row_stays_one_line() -> None:
    access = cells(ACCESS_ROWS[:1])
    access[0]["path"] = "/dev/" + "x" * 200
    function = cells(FUNCTION_ROWS[:1])
    function[0]["detail"] = "line one\nline two " + "y" * 300
    [line] = table(joined(access, function)).splitlines()[1:]
    assert len(line) <= recent_errors.MAX_LINE
    assert "\n" not in line and "…" in line


def cloudformation_with_outputs(
    outputs: dict[str, str], stack: str = "site-dev"
) -> tuple[Any, Stubber]:
    client = stubbed_client("cloudformation")
    stubber = Stubber(client)
    stubber.add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackName": stack,
                    "CreationTime": "2026-11-27T09:00:00Z",
                    "StackStatus": "UPDATE_COMPLETE",
                    "Outputs": [
                        {"OutputKey": key, "OutputValue": value} for key, value in outputs.items()
                    ],
                }
            ]
        },
        {"StackName": stack},
    )
    return client, stubber


def test_log_groups_come_from_the_stack_outputs() -> None:
    client, stubber = cloudformation_with_outputs(
        {FUNCTION_LOG_OUTPUT: FUNCTION_LOGS, ACCESS_LOG_OUTPUT: ACCESS_LOGS, "SiteUrl": "https://x"}
    )
    with stubber:
        assert log_groups(client, "site-dev") == {
            "function_errors": FUNCTION_LOGS,
            "server_errors": ACCESS_LOGS,
        }


def test_a_stack_without_the_outputs_says_so() -> None:
    client, stubber = cloudformation_with_outputs({FUNCTION_LOG_OUTPUT: FUNCTION_LOGS})
    with stubber, pytest.raises(LookupError, match=f"site-dev has no {ACCESS_LOG_OUTPUT} output"):
        log_groups(client, "site-dev")


def test_the_stack_has_the_outputs_the_queries_need(template: Template) -> None:
    outputs = template.to_json()["Outputs"]
    for name in (FUNCTION_LOG_OUTPUT, ACCESS_LOG_OUTPUT):
        assert outputs[name]["Value"]["Ref"] in template.find_resources("AWS::Logs::LogGroup")


def test_without_credentials_one_line_says_what_to_do(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for variable in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.setenv(variable, str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # The other places botocore looks for credentials (conftest clears the usual ones).
    for variable in (
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
    ):
        monkeypatch.delenv(variable, raising=False)

    assert recent_errors.main(["--since", "1h"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.splitlines()) == 1
    assert "aws configure sso" in err and "AWS_PROFILE" in err


def run_main(
    stack: str, since: str, access_rows: list | None = None, function_rows: list | None = None
) -> int:
    """`make errors SINCE=since` against stubbed stack outputs and query results."""
    cloudformation, cfn_stubber = cloudformation_with_outputs(
        {FUNCTION_LOG_OUTPUT: FUNCTION_LOGS, ACCESS_LOG_OUTPUT: ACCESS_LOGS}, stack
    )
    client = logs_client()
    with Stubber(client) as stubber, cfn_stubber:
        stubber.add_response("start_query", {"queryId": "q-access"})
        stubber.add_response("start_query", {"queryId": "q-function"})
        expect_results(stubber, "q-access", "Complete", access_rows)
        expect_results(stubber, "q-function", "Complete", function_rows)
        return recent_errors.main(["--since", since], logs=client, cloudformation=cloudformation)


def test_main_prints_the_table_for_the_settings_stage(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = settings.stack_name(settings.stage)
    code = run_main(stack, "1h", ACCESS_ROWS, FUNCTION_ROWS)
    out, _ = capsys.readouterr()
    assert code == 0
    assert out.splitlines()[0].startswith(f"4 errors and 5xx responses on {stack} in the last 1h")
    assert "ZeroDivisionError: division by zero" in out


def test_no_errors_is_one_line(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    stack = settings.stack_name(settings.stage)
    code = run_main(stack, "30m")
    assert code == 0
    assert capsys.readouterr().out == f"No errors or 5xx responses on {stack} in the last 30m.\n"
