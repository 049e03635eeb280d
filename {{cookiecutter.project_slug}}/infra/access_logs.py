"""The access log: one JSON line per request, written by API Gateway.

Written by API Gateway, it also records requests that never reach the function
(throttled: 429, timeouts: 504), and costs the function nothing. It holds what is needed
to follow traffic, never query strings, headers, cookies or bodies, which may carry
secrets; every value is a JSON string, so a line stays JSON when a field is `-`.
`ApiLoggingStack` sets the region's API Gateway logging role, once for all stages.
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from constructs import Construct

from .checks import acknowledge_logging_role

Field = apigateway.AccessLogField

FIELDS = {
    "requestId": Field.context_request_id(),
    "extendedRequestId": Field.context_extended_request_id(),
    "time": Field.context_request_time_epoch(),
    "method": Field.context_http_method(),
    "path": Field.context_path(),
    "status": Field.context_status(),
    "responseBytes": Field.context_response_length(),
    "latencyMs": Field.context_response_latency(),
    "functionLatencyMs": Field.context_integration_latency(),
    "errorType": Field.context_error_response_type(),
    "functionRequestId": Field.context_aws_endpoint_request_id(),
}
# The policy AWS defines for the role: the setting serves every REST API in the
# region, not only this project's, so the role is not scoped to its log groups.
LOGGING_POLICY = "service-role/AmazonAPIGatewayPushToCloudWatchLogs"


def access_log_format() -> apigateway.AccessLogFormat:
    return apigateway.AccessLogFormat.custom(json.dumps(FIELDS, separators=(",", ":")))


class ApiLoggingStack(Stack):
    """The region's API Gateway logging role, shared by this project's stages.

    Deploying it points the region's setting at this role, replacing any role
    set before (which then goes unused; the setting holds one). Deleting the
    stack keeps the role: the setting, and so every REST API in the region
    that logs, still uses it.
    """

    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            description="API Gateway's CloudWatch Logs role for this region (access logs)",
            **kwargs,
        )
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway writes the region's API logs with it",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(LOGGING_POLICY)],
        )
        role.apply_removal_policy(RemovalPolicy.RETAIN)
        apigateway.CfnAccount(self, "Setting", cloud_watch_role_arn=role.role_arn)
        CfnOutput(self, "RoleArn", description="API Gateway's logging role", value=role.role_arn)
        acknowledge_logging_role(self)
