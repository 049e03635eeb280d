"""Each opt-in of settings.json adds exactly the resources it names to a stack
with every opt-in off, and nothing else."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from {{ cookiecutter.package_name }}.settings import load_settings

from infra.site_stack import Settings

from .stack_helpers import synth_settings

# In us-east-1 a domain's certificate is made in the site stack itself.
EVERY_OPT_IN_OFF: dict[str, Any] = {
    "aws_region": "us-east-1",
    "enable_alarms": False,
    "alert_email": "",
    "domain_name": "",
    "hosted_zone_id": "",
    "hosted_zone_name": "",
    "certificate_arn": "",
}
OPT_INS: dict[str, tuple[dict[str, Any], set[str]]] = {
    "alarms": (
        {"enable_alarms": True, "alert_email": "ops@example.com"},
        {"AWS::CloudWatch::Alarm", "AWS::SNS::Topic", "AWS::SNS::TopicPolicy",
         "AWS::SNS::Subscription"},
    ),
    "domain": (
        {
            "domain_name": "www.example.com",
            "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
            "hosted_zone_name": "example.com",
        },
        {"AWS::CertificateManager::Certificate", "AWS::Route53::RecordSet"},
    ),
}  # fmt: skip


def resource_types(template: Template) -> set[str]:
    return {resource["Type"] for resource in template.to_json()["Resources"].values()}


@pytest.fixture(scope="module")
def every_opt_in_off() -> Settings:
    return dataclasses.replace(load_settings(), **EVERY_OPT_IN_OFF)


@pytest.fixture(scope="module")
def without_opt_ins(
    every_opt_in_off: Settings, bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> set[str]:
    return resource_types(
        synth_settings(every_opt_in_off, bundle_dir, tmp_path_factory.mktemp("no-opt-ins"))
    )


def test_without_opt_ins_there_are_no_alarms_certificates_or_records(
    without_opt_ins: set[str],
) -> None:
    for _, adds in OPT_INS.values():
        assert not adds & without_opt_ins


@pytest.mark.parametrize("opt_in", OPT_INS)
def test_each_opt_in_adds_only_what_it_names(
    opt_in: str,
    every_opt_in_off: Settings,
    without_opt_ins: set[str],
    bundle_dir: Path,
    tmp_path: Path,
) -> None:
    edits, adds = OPT_INS[opt_in]
    variant = dataclasses.replace(every_opt_in_off, **edits)
    with_opt_in = resource_types(synth_settings(variant, bundle_dir, tmp_path))
    assert with_opt_in - without_opt_ins == adds
    assert without_opt_ins <= with_opt_in
