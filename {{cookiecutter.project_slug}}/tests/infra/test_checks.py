"""cdk-nag's AWS Solutions checks pass: every finding is fixed or acknowledged,
with its reason, in infra/checks.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.settings import load_settings

from infra import checks
from infra.app import add_site_stack

from .stack_helpers import new_app


def nag_report(bundle_dir: Path, outdir: Path) -> dict[str, Any]:
    """Synthesize the app with the checks on; return cdk-nag's report."""
    app = new_app(outdir, bundle_dir=str(bundle_dir))
    checks.add_checks(app)
    add_site_stack(app)
    try:
        app.synth()
    except RuntimeError as error:  # jsii's form of ValidationFailed (errors found)
        assert "ValidationFailed" in str(error)
    [report] = json.loads((outdir / "validation-report.json").read_text())["pluginReports"]
    assert report["pluginName"] == checks.PACK
    return report


def rule_names(findings: list[dict[str, Any]]) -> set[str]:
    return {finding["ruleName"] for finding in findings}


@pytest.fixture(scope="module")
def report(bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return nag_report(bundle_dir, tmp_path_factory.mktemp("nag"))


def test_no_finding_is_left_unacknowledged(report: dict[str, Any]) -> None:
    unacknowledged = [
        (finding["ruleName"], finding["severity"], finding["description"])
        for finding in report["violations"]
    ]
    assert unacknowledged == []  # warnings count too
    assert report["conclusion"] == "success"


def test_each_acknowledgment_carries_its_reason(report: dict[str, Any]) -> None:
    reasons = dict(
        [
            *checks.ACCEPTED_FINDINGS.items(),
            checks.DEFAULT_CERTIFICATE_FINDING,
            checks.LOGGING_ROLE_FINDING,
        ]
    )
    for finding in report["suppressedViolations"]:
        assert finding["reason"] == reasons[finding["ruleName"]]
        assert len(finding["reason"]) > 20  # a real reason, not a shrug


def test_a_finding_not_acknowledged_fails_the_checks(
    bundle_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accepted = dict(checks.ACCEPTED_FINDINGS)
    del accepted["AwsSolutions-S1"]
    monkeypatch.setattr(checks, "ACCEPTED_FINDINGS", accepted)
    report = nag_report(bundle_dir, tmp_path)
    assert rule_names(report["violations"]) == {"AwsSolutions-S1"}
    assert report["conclusion"] == "failure"


def test_a_managed_policy_is_accepted_on_api_gateways_logging_role_only(
    report: dict[str, Any],
) -> None:
    logging_stack = load_settings().logging_stack_name
    [finding] = [
        finding
        for finding in report["suppressedViolations"]
        if finding["ruleName"].startswith("AwsSolutions-IAM4")
    ]
    assert finding["ruleName"] == checks.LOGGING_ROLE_FINDING[0]
    assert finding["acknowledgedAt"] == logging_stack
    paths = [construct["constructPath"] for construct in finding["violatingConstructs"]]
    assert paths == [f"{logging_stack}/Role/Resource"]
