"""API Gateway's access log (infra/access_logs.py): what each line records,
and the region's logging role it is written through, shared by the stages."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Capture, Template

from {{ cookiecutter.package_name }}.settings import load_settings

from infra.access_logs import LOGGING_POLICY
from infra.site_stack import Settings

from .stack_helpers import ACCESS_LOGS, Resource, cfn_lint_findings, joined, synth_app

# What a request may carry that must never reach a log line.
NEVER_LOGGED = ("querystring", "header", "cookie", "body", "sourceip", "useragent", "$input")


def test_the_stage_writes_one_json_line_per_request_to_the_access_log(
    template: Template, settings: Settings
) -> None:
    access_log = Capture()
    template.has_resource_properties("AWS::ApiGateway::Stage", {"AccessLogSetting": access_log})
    setting = access_log.as_object()
    # The log group's ARN without the ":*" its GetAtt has (a recommended feature flag).
    refs = {"AWS::AccountId": "123456789012", ACCESS_LOGS: "access"}
    assert joined(setting["DestinationArn"], refs) == (
        f"arn:aws:logs:{settings.aws_region}:123456789012:log-group:access"
    )
    line_format = setting["Format"]
    assert "\n" not in line_format  # one line per request
    fields = json.loads(line_format)  # every value a string: valid even when one is "-"
    assert all(isinstance(value, str) for value in fields.values())
    # API Gateway requires a request ID; these are what following traffic needs.
    assert {
        "requestId": "$context.requestId",
        "method": "$context.httpMethod",
        "path": "$context.path",  # no query string
        "status": "$context.status",
        "latencyMs": "$context.responseLatency",
        "errorType": "$context.error.responseType",  # THROTTLED for a 429
        "functionRequestId": "$context.awsEndpointRequestId",
    }.items() <= fields.items()
    assert not [field for field in NEVER_LOGGED if field in line_format.lower()]


def logging_stack_of(site_stack: cdk.Stack, settings: Settings) -> cdk.Stack:
    [stack] = [
        stack
        for stack in site_stack.dependencies
        if stack.stack_name == settings.logging_stack_name
    ]
    return stack


@pytest.fixture(scope="module")
def logging_template(site_stack: cdk.Stack) -> Template:
    return Template.from_stack(logging_stack_of(site_stack, load_settings()))


def test_the_stage_depends_on_the_regions_logging_stack_not_its_own_role(
    site_stack: cdk.Stack, template: Template, settings: Settings
) -> None:
    logging_stack = logging_stack_of(site_stack, settings)
    assert logging_stack.region == site_stack.region == settings.aws_region
    assert not template.find_resources("AWS::ApiGateway::Account")
    assert "apigateway.amazonaws.com" not in json.dumps(template.find_resources("AWS::IAM::Role"))


def logging_role(logging_template: Template) -> Resource:
    role_arn = Capture()
    logging_template.has_resource_properties(
        "AWS::ApiGateway::Account", {"CloudWatchRoleArn": {"Fn::GetAtt": [role_arn, "Arn"]}}
    )
    return logging_template.to_json()["Resources"][role_arn.as_string()]


def test_api_gateway_logs_through_a_role_with_awss_policy_for_it(
    logging_template: Template,
) -> None:
    role = logging_role(logging_template)["Properties"]
    [statement] = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
    [policy] = role["ManagedPolicyArns"]
    assert json.dumps(policy).endswith(f':iam::aws:policy/{LOGGING_POLICY}"]]}}')
    assert "Policies" not in role
    resources = logging_template.to_json()["Resources"].values()
    assert sorted(resource["Type"] for resource in resources) == [
        "AWS::ApiGateway::Account",
        "AWS::IAM::Role",
    ]


def test_the_logging_role_outlives_the_stack(logging_template: Template) -> None:
    """The region's setting, used by every REST API there that logs, still names it."""
    role = logging_role(logging_template)
    assert role["DeletionPolicy"] == role["UpdateReplacePolicy"] == "Retain"


def test_every_stage_shares_the_one_logging_stack(
    site_stack: cdk.Stack,
    logging_template: Template,
    settings: Settings,
    bundle_dir: Path,
    tmp_path: Path,
) -> None:
    other = synth_app(bundle_dir, tmp_path, stage="qa" if settings.stage != "qa" else "test")
    other_logging_stack = logging_stack_of(other, settings)
    assert other_logging_stack.stack_name == logging_stack_of(site_stack, settings).stack_name
    assert Template.from_stack(other_logging_stack).to_json() == logging_template.to_json()


def test_the_logging_stack_passes_cfn_lint(
    logging_template: Template, settings: Settings, tmp_path: Path
) -> None:
    assert cfn_lint_findings(logging_template, settings.aws_region, tmp_path) == []
