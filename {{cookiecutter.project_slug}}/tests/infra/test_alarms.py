"""The alarms' mails can be delivered: who may publish to the alarm topic
(`enable_alarms` in settings.json)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from aws_cdk.assertions import Match, Template

from {{ cookiecutter.package_name }}.settings import load_settings

from infra.cost import load_prices

from .stack_helpers import synth_settings


@pytest.fixture(scope="module")
def template(bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The stack with alarms on, whatever settings.json says."""
    settings = dataclasses.replace(
        load_settings(), enable_alarms=True, alert_email="ops@example.com"
    )
    return synth_settings(settings, bundle_dir, tmp_path_factory.mktemp("alarms"))


def test_cloudwatch_may_publish_this_stacks_alarms_to_the_topic(template: Template) -> None:
    """`enforce_ssl` replaces SNS's default policy (which let the account's
    services publish) with a lone Deny: without this Allow no alarm mail goes out."""
    [topic] = template.find_resources("AWS::SNS::Topic")
    alarms = list(template.find_resources("AWS::CloudWatch::Alarm"))  # in template order
    assert len(alarms) == load_prices()["assumptions"]["alarms"]  # what `make cost` counts
    allow = {
        "Sid": "CloudWatchAlarmsPublish",
        "Effect": "Allow",
        "Principal": {"Service": "cloudwatch.amazonaws.com"},
        "Action": "sns:Publish",
        "Resource": {"Ref": topic},
        "Condition": {
            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
            "ArnLike": {"aws:SourceArn": [{"Fn::GetAtt": [alarm, "Arn"]} for alarm in alarms]},
        },
    }
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "Topics": [{"Ref": topic}],
            "PolicyDocument": {
                "Statement": Match.exact([Match.object_like({"Effect": "Deny"}), allow])
            },
        },
    )


def test_the_topic_still_refuses_plain_http(template: Template) -> None:
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "sns:Publish",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )
