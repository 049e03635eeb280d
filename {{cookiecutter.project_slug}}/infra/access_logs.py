"""The access log: one JSON line per request, written by API Gateway.

API Gateway writes it, not the function, so it also records the requests that
never reach the function (throttled ones get 429 and `errorType` THROTTLED;
timeouts 504), and the function spends no time on logging. `path` is the
stage's path, `/<stage>/...`, without the query string. `functionRequestId`
is the request ID API Gateway got back from Lambda, the one the function's own
log lines carry.

Only what is needed to follow traffic: when, method, path, status, response
size and latencies. Never query strings, headers, cookies or bodies, which may
carry secrets, and no IP address (API Gateway sees CloudFront's). Every value
is a JSON string, so that a line stays valid JSON when API Gateway has no
value for a field and writes `-`.

API Gateway writes every access log in a region through one IAM role, the
account's "CloudWatch log role" setting for that region. `ApiLoggingStack`
sets it, once per region for all of this project's stages, which depend on it.
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
