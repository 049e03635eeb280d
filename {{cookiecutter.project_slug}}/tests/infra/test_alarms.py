"""The alarms' mails can be delivered: who may publish to the alarm topic
(this file is generated only with `enable_alarms`)."""

from __future__ import annotations

from aws_cdk.assertions import Match, Template

from infra.cost import load_prices


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
