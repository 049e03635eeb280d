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
        rule = finding["ruleName"]
        if finding["reason"] == checks.SITE_RUNTIME_FINDING[1]:
            assert rule == checks.SITE_RUNTIME_FINDING[0]
        elif rule in reasons:
            assert finding["reason"] == reasons[rule]
        elif finding["reason"] in checks.STATIC_DEPLOYMENT_FINDINGS.values():
            # the deployment function's, its role's per action or resource
            assert finding["reason"] == checks.STATIC_DEPLOYMENT_FINDINGS[rule.split("[")[0]]
        # else one the project acknowledged for a resource of its own (checks.acknowledge)
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
        if finding["ruleName"] == checks.LOGGING_ROLE_FINDING[0]
    ]
    assert finding["acknowledgedAt"] == logging_stack
    paths = [construct["constructPath"] for construct in finding["violatingConstructs"]]
    assert paths == [f"{logging_stack}/Role/Resource"]


def test_the_static_deployments_findings_are_accepted_on_its_function_only(
    report: dict[str, Any],
) -> None:
    accepted = [
        finding
        for finding in report["suppressedViolations"]
        if finding["reason"] in checks.STATIC_DEPLOYMENT_FINDINGS.values()
    ]
    assert {finding["ruleName"].split("[")[0] for finding in accepted} == set(
        checks.STATIC_DEPLOYMENT_FINDINGS
    )
    paths = {
        construct["constructPath"]
        for finding in accepted
        if finding["ruleName"] != "AwsSolutions-L1"  # on the function itself: see below
        for construct in finding["violatingConstructs"]
    }
    assert paths and all("/Custom::CDKBucketDeployment" in path for path in paths), paths
    assert all("/ServiceRole/" in path for path in paths), paths


def test_a_runtime_finding_is_accepted_on_its_own_function_with_its_own_reason(
    report: dict[str, Any],
) -> None:
    """The site function runs the python_version the project chose; CDK's upload
    function (BucketDeployment's) runs the runtime CDK chose: not one stack-wide reason."""
    settings = load_settings()
    stack = settings.stack_name(settings.stage)
    accepted = {
        construct["constructPath"].removesuffix("/Resource"): finding
        for finding in report["suppressedViolations"]
        if finding["ruleName"] == "AwsSolutions-L1"
        for construct in finding["violatingConstructs"]
    }
    # cdk-nag flags the site function only while its runtime is not the newest cdk-nag knows.
    site = accepted.pop(f"{stack}/Function", None)
    if site is not None:
        assert site["acknowledgedAt"] == f"{stack}/Function"
        assert site["reason"] == checks.SITE_RUNTIME_FINDING[1]
    [(upload_path, upload)] = accepted.items()
    assert "/Custom::CDKBucketDeployment" in upload_path
    assert upload["acknowledgedAt"] == upload_path
    assert upload["reason"] == checks.STATIC_DEPLOYMENT_FINDINGS["AwsSolutions-L1"]


def test_checks_pass_when_the_account_is_known(
    bundle_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CDK CLI sets CDK_DEFAULT_ACCOUNT when it has credentials (make deploy):
    the account then appears in resource names, the CDK asset bucket's too."""
    monkeypatch.setenv("CDK_DEFAULT_ACCOUNT", "123456789012")
    report = nag_report(bundle_dir, tmp_path)
    assert [finding["ruleName"] for finding in report["violations"]] == []
