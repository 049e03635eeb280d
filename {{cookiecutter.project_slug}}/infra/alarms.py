"""CloudWatch alarms (generated because `enable_alarms` was chosen), about $0.10 each a
month, mailing `alert_email` through an SNS topic (confirm the subscription mail after
the first deploy): a 5xx rate of 5% or more, any throttle, any function error, each
over 5 minutes. The topic's policy (HTTPS only) replaces SNS's default one, so it also lets
CloudWatch publish, for this stack's alarms only.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

PERIOD = Duration.minutes(5)
SERVER_ERROR_RATE = 0.05


class SiteAlarms(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        api: apigateway.RestApi,
        function: lambda_.IFunction,
        email: str,
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Alerts", enforce_ssl=True)
        self.topic.add_subscription(subscriptions.EmailSubscription(email))
        notify = actions.SnsAction(self.topic)
        checks = {
            "ServerErrorRate": (
                api.metric_server_error(period=PERIOD, statistic="Average"),
                SERVER_ERROR_RATE,
                "At least 5% of responses were 5xx",
            ),
            "FunctionThrottles": (
                function.metric_throttles(period=PERIOD, statistic="Sum"),
                1,
                "The function was throttled",
            ),
            "FunctionErrors": (
                function.metric_errors(period=PERIOD, statistic="Sum"),
                1,
                "The function failed",
            ),
        }
        self.alarms = []
        for name, (metric, threshold, description) in checks.items():
            alarm = metric.create_alarm(
                self,
                name,
                alarm_description=description,
                threshold=threshold,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            alarm.add_alarm_action(notify)
            self.alarms.append(alarm)
        self.topic.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["sns:Publish"],
                resources=[self.topic.topic_arn],
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {"aws:SourceArn": [alarm.alarm_arn for alarm in self.alarms]},
                },
            )
        )
