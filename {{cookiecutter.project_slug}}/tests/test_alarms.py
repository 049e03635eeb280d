"""The alarms' mails can be delivered: who may publish to the alarm topic
(this file is generated only with `enable_alarms`)."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template

from .stack_helpers import logical_id, only


def topic_statements(template: Template) -> list[dict[str, Any]]:
    policy = only(template, "AWS::SNS::TopicPolicy")["Properties"]
    assert policy["Topics"] == [{"Ref": logical_id(template, "AWS::SNS::Topic")}]
    return policy["PolicyDocument"]["Statement"]


def test_cloudwatch_may_publish_this_stacks_alarms_to_the_topic(template: Template) -> None:
    """`enforce_ssl` replaces SNS's default policy (which let the account's
    services publish) with a lone Deny: without this Allow no alarm mail goes out."""
    topic = logical_id(template, "AWS::SNS::Topic")
    allows = [s for s in topic_statements(template) if s["Effect"] == "Allow"]
    assert len(allows) == 1, allows
    alarm_arns = allows[0]["Condition"]["ArnLike"]["aws:SourceArn"]
    assert allows == [
        {
            "Sid": "CloudWatchAlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": {"Ref": topic},
            "Condition": {
                "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                "ArnLike": {"aws:SourceArn": alarm_arns},
            },
        }
    ]
    alarms = sorted(template.find_resources("AWS::CloudWatch::Alarm"))
    assert len(alarms) == 3
    assert sorted(arn["Fn::GetAtt"][0] for arn in alarm_arns) == alarms
    assert all(arn["Fn::GetAtt"][1] == "Arn" for arn in alarm_arns)


def test_the_topic_still_refuses_plain_http(template: Template) -> None:
    denies = [s for s in topic_statements(template) if s["Effect"] == "Deny"]
    assert len(denies) == 1
    assert denies[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert denies[0]["Action"] == "sns:Publish"
