"""The site on its own domain (`domain_name` in settings.json).

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
from aws_cdk.assertions import Match, Template

from {{ cookiecutter.package_name }}.settings import load_settings

from infra import app as infra_app
from infra.cdn import VIEWER_REQUEST_FILE
from infra.site_stack import Settings

from .stack_helpers import (
    DISTRIBUTION,
    VIEWER_REQUEST,
    cfn_lint_findings,
    new_app,
    properties,
    synth_settings,
)

DOMAIN = "www.example.com"
ZONE_ID = "Z0123456789ABCDEFGHIJ"
CERTIFICATE_ARN = (
    "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)


def with_zone(settings: Settings, region: str) -> Settings:
    return dataclasses.replace(
        settings,
        aws_region=region,
        domain_name=DOMAIN,
        hosted_zone_id=ZONE_ID,
        hosted_zone_name=DOMAIN.split(".", 1)[-1],
        certificate_arn="",
    )


def with_certificate(settings: Settings) -> Settings:
    return dataclasses.replace(
        settings,
        domain_name=DOMAIN,
        hosted_zone_id="",
        hosted_zone_name="",
        certificate_arn=CERTIFICATE_ARN,
    )


def synth_whole_app(
    settings: Settings, bundle_dir: Path, outdir: Path, monkeypatch: pytest.MonkeyPatch
) -> cdk.App:
    """The CDK app as `make synth` builds it, for `settings`."""
    monkeypatch.setattr(infra_app, "load_settings", lambda: settings)
    app = new_app(outdir, bundle_dir=str(bundle_dir))
    infra_app.add_site_stack(app)
    return app


# Alias records are replaced only by deleting them first: their IDs stay put.
ALIAS_RECORDS = {"A": "AliasAEAD92310", "AAAA": "AliasAAAA067338AF"}


def assert_serves_the_domain(template: Template, domain: str) -> Any:
    """The certificate the distribution serves `domain` with."""
    template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": {
                "Aliases": [domain],
                "ViewerCertificate": {
                    "SslSupportMethod": "sni-only",
                    "MinimumProtocolVersion": "TLSv1.2_2021",
                    "AcmCertificateArn": Match.any_value(),
                },
            }
        },
    )
    config = properties(template, DISTRIBUTION)["DistributionConfig"]
    return config["ViewerCertificate"]["AcmCertificateArn"]


def assert_alias_records_point_at_the_distribution(template: Template, domain: str) -> None:
    template.resource_count_is("AWS::Route53::RecordSet", 2)
    for record_type, logical_id in ALIAS_RECORDS.items():
        assert logical_id in template.find_resources("AWS::Route53::RecordSet")
        template.has_resource_properties(
            "AWS::Route53::RecordSet",
            {
                "Type": record_type,
                "HostedZoneId": ZONE_ID,
                "Name": f"{domain}.",
                "AliasTarget": {
                    "DNSName": {"Fn::GetAtt": [DISTRIBUTION, "DomainName"]},
                    "HostedZoneId": Match.any_value(),
                },
            },
        )


@pytest.fixture(scope="module")
def zone_in_us_east_1(bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The stack with a hosted zone, the app in us-east-1 (one synth for the module)."""
    variant = with_zone(load_settings(), "us-east-1")
    return synth_settings(variant, bundle_dir, tmp_path_factory.mktemp("zone-in-us-east-1"))


def test_the_cloudfront_host_is_redirected_to_the_domain(zone_in_us_east_1: Template) -> None:
    """The viewer-request function gets the domain written into it: every other
    host (the *.cloudfront.net one) is sent there with a 301 (its node tests),
    so the two names never share cached pages."""
    code = properties(zone_in_us_east_1, VIEWER_REQUEST)["FunctionCode"]
    source = VIEWER_REQUEST_FILE.read_text(encoding="utf-8")
    unset = 'var CANONICAL_HOST = "";'
    assert source.count(unset) == 1
    assert code == source.replace(unset, f"var CANONICAL_HOST = {json.dumps(DOMAIN)};")


def test_zone_in_us_east_1_makes_the_certificate_and_records_in_the_stack(
    zone_in_us_east_1: Template, tmp_path: Path
) -> None:
    template = zone_in_us_east_1
    template.resource_count_is("AWS::CertificateManager::Certificate", 1)
    template.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        {
            "DomainName": DOMAIN,
            "ValidationMethod": "DNS",
            "DomainValidationOptions": [{"DomainName": DOMAIN, "HostedZoneId": ZONE_ID}],
        },
    )
    [certificate_id] = template.find_resources("AWS::CertificateManager::Certificate")
    assert assert_serves_the_domain(template, DOMAIN) == {"Ref": certificate_id}
    assert_alias_records_point_at_the_distribution(template, DOMAIN)
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
    certificates.has_resource_properties(
        "AWS::CertificateManager::Certificate", {"DomainName": DOMAIN}
    )
    site_template = Template.from_stack(site)
    site_template.resource_count_is("AWS::CertificateManager::Certificate", 0)
    # The site reads the certificate's ARN from the us-east-1 stack's outputs at deploy time.
    reference = assert_serves_the_domain(site_template, DOMAIN)["Fn::GetStackOutput"]
    assert reference["StackName"] == certificate_stack.stack_name
    assert reference["Region"] == "us-east-1"
    [certificate_id] = certificates.find_resources("AWS::CertificateManager::Certificate")
    exported = certificates.to_json()["Outputs"][reference["OutputName"]]["Value"]
    assert exported == {"Ref": certificate_id}
    assert_alias_records_point_at_the_distribution(site_template, DOMAIN)
    assert cfn_lint_findings(certificates, "us-east-1", tmp_path) == []
    assert cfn_lint_findings(site_template, "eu-west-1", tmp_path) == []


def test_an_existing_certificate_is_used_and_dns_left_to_the_owner(
    settings: Settings, bundle_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    variant = with_certificate(settings)
    app = synth_whole_app(variant, bundle_dir, tmp_path / "cdk.out", monkeypatch)
    stacks = {child.node.id: child for child in app.node.children if isinstance(child, cdk.Stack)}
    # No certificate stack: the site's, the region's API Gateway logging role, the budget.
    budget = {variant.budget_stack_name} if variant.makes_budget(variant.stage) else set()
    assert set(stacks) == {variant.stack_name(variant.stage), variant.logging_stack_name} | budget
    template = Template.from_stack(stacks[variant.stack_name(variant.stage)])
    template.resource_count_is("AWS::CertificateManager::Certificate", 0)
    assert assert_serves_the_domain(template, DOMAIN) == CERTIFICATE_ARN
    template.resource_count_is("AWS::Route53::RecordSet", 0)
    template.has_output("DnsTarget", {"Description": Match.string_like_regexp("^Point ")})
    assert cfn_lint_findings(template, variant.aws_region, tmp_path) == []
