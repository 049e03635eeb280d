"""The site on its own domain name (generated because `domain_name` was given).

CloudFront takes certificates from us-east-1 only. With a Route 53 hosted zone, a
DNS-validated certificate is made there (in the site stack, or from another region in a
`<stack>-certificate` stack in us-east-1) and alias records point the domain at the
distribution; with only `certificate_arn`, DNS is yours (the `DnsTarget` output).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from constructs import Construct

from {{ cookiecutter.package_name }}.settings import Settings

CERTIFICATE_REGION = "us-east-1"


def hosted_zone(scope: Construct, settings: Settings) -> route53.IHostedZone:
    """The zone, referenced by ID and name (no lookup); one reference per stack."""
    existing = scope.node.try_find_child("HostedZone")
    if existing is not None:
        return existing  # type: ignore[return-value]
    return route53.HostedZone.from_hosted_zone_attributes(
        scope,
        "HostedZone",
        hosted_zone_id=settings.hosted_zone_id,
        zone_name=settings.hosted_zone_name,
    )


def dns_validated_certificate(scope: Construct, settings: Settings) -> acm.Certificate:
    return acm.Certificate(
        scope,
        "Certificate",
        domain_name=settings.domain_name,
        validation=acm.CertificateValidation.from_dns(hosted_zone(scope, settings)),
    )


class CertificateStack(Stack):
    """The certificate, in us-east-1, for an app deployed in another region."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, **kwargs: Any):
        super().__init__(
            scope,
            construct_id,
            description=f"Certificate for {settings.domain_name}",
            cross_region_references=True,
            **kwargs,
        )
        self.certificate = dns_validated_certificate(self, settings)


def certificate_for(
    stack: Stack, settings: Settings, certificate_stack: CertificateStack | None
) -> acm.ICertificate:
    """The certificate the distribution serves the domain with."""
    if settings.certificate_arn:
        return acm.Certificate.from_certificate_arn(stack, "Certificate", settings.certificate_arn)
    if certificate_stack is not None:
        return certificate_stack.certificate
    return dns_validated_certificate(stack, settings)


def point_domain_at(
    stack: Stack, settings: Settings, distribution: cloudfront.IDistribution
) -> None:
    """Alias records in the zone, or an output naming the DNS target."""
    if settings.hosted_zone_id:
        zone = hosted_zone(stack, settings)
        target = route53.RecordTarget.from_alias(targets.CloudFrontTarget(distribution))
        for record_type, record in (("A", route53.ARecord), ("AAAA", route53.AaaaRecord)):
            record(
                stack,
                f"Alias{record_type}",
                zone=zone,
                record_name=settings.domain_name,
                target=target,
            )
    CfnOutput(
        stack,
        "DnsTarget",
        description=(
            f"{settings.domain_name} points here (alias records made by this stack)"
            if settings.hosted_zone_id
            else f"Point {settings.domain_name} here: a CNAME, or an alias at the zone apex"
        ),
        value=distribution.distribution_domain_name,
    )
