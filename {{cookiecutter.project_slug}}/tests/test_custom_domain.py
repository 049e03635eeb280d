"""The site on its own domain (this file is generated only with `domain_name`).

Every way to get a certificate is synthesized offline: a hosted zone with the
app in us-east-1 (certificate in the site stack), a hosted zone with the app
elsewhere (certificate in its own us-east-1 stack), and an existing
certificate (no DNS records: the DnsTarget output says where to point)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from infra import app as infra_app
from infra.site_stack import VIEWER_REQUEST_FILE, Settings

from .stack_helpers import cfn_lint_findings, new_app, only, synth_settings

ZONE_ID = "Z0123456789ABCDEFGHIJ"
CERTIFICATE_ARN = (
    "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)


def with_zone(settings: Settings, region: str) -> Settings:
    zone = settings.hosted_zone_name or settings.domain_name.split(".", 1)[-1]
    return dataclasses.replace(
        settings,
        aws_region=region,
        hosted_zone_id=ZONE_ID,
        hosted_zone_name=zone,
        certificate_arn="",
    )


def with_certificate(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings, hosted_zone_id="", hosted_zone_name="", certificate_arn=CERTIFICATE_ARN
    )


def synth_whole_app(
    settings: Settings, bundle_dir: Path, outdir: Path, monkeypatch: pytest.MonkeyPatch
) -> cdk.App:
    """The CDK app as `make synth` builds it, for `settings`."""
    monkeypatch.setattr(infra_app, "load_settings", lambda: settings)
    app = new_app(outdir, bundle_dir=str(bundle_dir))
    infra_app.add_site_stack(app)
    return app


def viewer_certificate(template: Template) -> dict[str, Any]:
    config = only(template, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    return config


def assert_serves_the_domain(template: Template, domain: str) -> Any:
    config = viewer_certificate(template)
    assert config["Aliases"] == [domain]
    certificate = config["ViewerCertificate"]
    assert certificate["SslSupportMethod"] == "sni-only"
    assert certificate["MinimumProtocolVersion"] == "TLSv1.2_2021"
    return certificate["AcmCertificateArn"]


def alias_records(template: Template) -> list[dict[str, Any]]:
    return [
        record["Properties"]
        for record in template.find_resources("AWS::Route53::RecordSet").values()
    ]


def test_the_generated_domain_is_served(template: Template, settings: Settings) -> None:
    assert_serves_the_domain(template, settings.domain_name)


def test_the_cloudfront_host_is_redirected_to_the_domain(
    template: Template, settings: Settings
) -> None:
    """The viewer-request function gets the domain written into it: every other
    host (the *.cloudfront.net one) is sent there with a 301 (its node tests),
    so the two names never share cached pages."""
    code = only(template, "AWS::CloudFront::Function")["Properties"]["FunctionCode"]
    source = VIEWER_REQUEST_FILE.read_text(encoding="utf-8")
    unset = 'var CANONICAL_HOST = "";'
    assert source.count(unset) == 1
    assert code == source.replace(
        unset, f"var CANONICAL_HOST = {json.dumps(settings.domain_name)};"
    )


def test_zone_in_us_east_1_makes_the_certificate_and_records_in_the_stack(
    settings: Settings, bundle_dir: Path, tmp_path: Path
) -> None:
    variant = with_zone(settings, "us-east-1")
    template = synth_settings(variant, bundle_dir, tmp_path)
    certificate = only(template, "AWS::CertificateManager::Certificate")["Properties"]
    assert certificate["DomainName"] == settings.domain_name
    assert certificate["ValidationMethod"] == "DNS"
    assert certificate["DomainValidationOptions"] == [
        {"DomainName": settings.domain_name, "HostedZoneId": ZONE_ID}
    ]
    certificate_id = next(iter(template.find_resources("AWS::CertificateManager::Certificate")))
    assert assert_serves_the_domain(template, settings.domain_name) == {"Ref": certificate_id}
    records = alias_records(template)
    assert sorted(record["Type"] for record in records) == ["A", "AAAA"]
    for record in records:
        assert record["HostedZoneId"] == ZONE_ID
        assert record["Name"] == f"{settings.domain_name}."
        assert "cloudfront" in json.dumps(record["AliasTarget"]).lower() or record["AliasTarget"]
    assert cfn_lint_findings(template, "us-east-1", tmp_path) == []


def test_zone_with_the_app_elsewhere_makes_the_certificate_in_us_east_1(
    settings: Settings, bundle_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    variant = with_zone(settings, "eu-west-1")
    app = synth_whole_app(variant, bundle_dir, tmp_path / "cdk.out", monkeypatch)
    stacks = {
        stack.stack_name: stack for stack in app.node.children if isinstance(stack, cdk.Stack)
    }
    site_name = settings.stack_name(settings.stage)
    certificate_stack = stacks[f"{site_name}-certificate"]
    site = stacks[site_name]
    assert certificate_stack.region == "us-east-1"
    assert site.region == "eu-west-1"
    assert certificate_stack in site.dependencies
    certificates = Template.from_stack(certificate_stack)
    only(certificates, "AWS::CertificateManager::Certificate")
    site_template = Template.from_stack(site)
    assert not site_template.find_resources("AWS::CertificateManager::Certificate")
    arn = assert_serves_the_domain(site_template, settings.domain_name)
    assert not isinstance(arn, str)  # read across regions at deploy time
    assert len(alias_records(site_template)) == 2
    assert cfn_lint_findings(certificates, "us-east-1", tmp_path) == []
    assert cfn_lint_findings(site_template, "eu-west-1", tmp_path) == []


def test_an_existing_certificate_is_used_and_dns_left_to_the_owner(
    settings: Settings, bundle_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    variant = with_certificate(settings)
    app = synth_whole_app(variant, bundle_dir, tmp_path / "cdk.out", monkeypatch)
    stacks = {child.node.id for child in app.node.children if isinstance(child, cdk.Stack)}
    # No certificate stack: the site's, and the region's API Gateway logging role.
    assert stacks == {variant.stack_name(variant.stage), variant.logging_stack_name}
    template = synth_settings(variant, bundle_dir, tmp_path / "direct")
    assert not template.find_resources("AWS::CertificateManager::Certificate")
    assert assert_serves_the_domain(template, settings.domain_name) == CERTIFICATE_ARN
    assert alias_records(template) == []
    outputs = template.to_json()["Outputs"]
    assert "Point" in outputs["DnsTarget"]["Description"]
    assert cfn_lint_findings(template, variant.aws_region, tmp_path) == []
