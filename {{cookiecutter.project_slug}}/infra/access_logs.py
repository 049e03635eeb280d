"""The access log: one JSON line per request, written by API Gateway.

API Gateway writes it, not the function, so it also records the requests that
never reach the function (throttled ones get 429 and `errorType` THROTTLED;
timeouts 504), and the function's warm path spends no time on logging (see
the template's benchmark). `functionRequestId` is the Lambda request ID that
the function's own log lines carry.

Only what is needed to follow traffic: when, method, path (without the query
string), status, size and latencies. Never query strings, headers, cookies or
bodies, which may carry secrets, and no IP address (API Gateway sees
CloudFront's). Every value is a JSON string, so that a line stays valid JSON
when API Gateway has no value for a field and writes `-`.

API Gateway writes to CloudWatch Logs through one role per account and region
(the account's "CloudWatch log role" setting). The stack sets it, with the
policy AWS defines for that role, and keeps the role when the stack is
deleted: other APIs, or this project's other stages, may log through it.
"""

from __future__ import annotations

import json

from aws_cdk import aws_apigateway as apigateway

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


def access_log_format() -> apigateway.AccessLogFormat:
    return apigateway.AccessLogFormat.custom(json.dumps(FIELDS, separators=(",", ":")))
