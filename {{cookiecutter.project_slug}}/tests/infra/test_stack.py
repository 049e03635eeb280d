"""The CDK stack, synthesized offline (no AWS account, no network) against a
stand-in Lambda bundle. Values the settings decide are compared with
`load_settings()`, so the checks hold whatever answers the project was
generated with."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Capture, Match, Template
from flask import Flask
from flask.testing import FlaskClient

from infra.cdn import VIEWER_REQUEST_FILE
from infra.key_bucket import SECRET_KEY_VERSION_DAYS
from infra.origin_secret import OriginSecretRefs, parameter_prefix
from infra.site_stack import Settings

from .stack_helpers import (
    ACCESS_LOGS,
    ALL_VIEWER_EXCEPT_HOST_HEADER,
    API,
    BUCKET,
    CACHE_POLICY,
    CACHING_DISABLED,
    DISTRIBUTION,
    FUNCTION,
    FUNCTION_LOGS,
    FUNCTION_ROLE,
    ORIGIN_SECRET_KEYS,
    SECURITY_HEADERS,
    VIEWER_REQUEST,
    as_list,
    cfn_lint_findings,
    function_config,
    synth_app,
    synth_settings,
)

ONE_MONTH_IN_DAYS = 30


def test_stateful_resources_keep_their_logical_ids(template: Template) -> None:
    """A new logical ID replaces the resource: the key bucket is retained (a
    second one would be made, with a new key), the distribution takes minutes
    and a new domain name, the log groups lose their logs, and an API key with
    the same value as a live one is refused."""
    pinned = {
        BUCKET: "AWS::S3::Bucket",
        DISTRIBUTION: "AWS::CloudFront::Distribution",
        FUNCTION_LOGS: "AWS::Logs::LogGroup",
        ACCESS_LOGS: "AWS::Logs::LogGroup",
        **dict.fromkeys(ORIGIN_SECRET_KEYS, "AWS::ApiGateway::ApiKey"),
    }
    for logical_id, resource_type in pinned.items():
        assert logical_id in template.find_resources(resource_type), logical_id


# The function


def test_stack_is_named_after_slug_and_stage_in_the_settings_region(
    site_stack: cdk.Stack, settings: Settings
) -> None:
    assert site_stack.stack_name == f"{settings.project_slug}-{settings.stage}"
    assert site_stack.region == settings.aws_region
    assert cdk.Token.is_unresolved(site_stack.account)


def test_function_is_sized_by_the_settings(template: Template, settings: Settings) -> None:
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "Handler": f"{settings.package_name}.lambda_handler.handler",
            "Runtime": f"python{settings.python_version}",
            "Architectures": [settings.architecture],
            "MemorySize": settings.lambda_memory_mb,
            "Timeout": settings.lambda_timeout_seconds,
            "LoggingConfig": {"LogGroup": {"Ref": FUNCTION_LOGS}},
        },
    )


def test_function_logs_json_at_the_settings_levels(template: Template, settings: Settings) -> None:
    """Lambda's own JSON format: the runtime writes every app log line as JSON
    with the request ID, and drops lines below the levels."""
    template.has_resource_properties(
        "AWS::Lambda::Function",
        {
            "LoggingConfig": {
                "LogFormat": "JSON",
                "ApplicationLogLevel": settings.application_log_level,
                "SystemLogLevel": settings.system_log_level,
                "LogGroup": {"Ref": FUNCTION_LOGS},
            }
        },
    )


def test_log_groups_keep_a_month_and_go_with_the_stack(template: Template) -> None:
    template.resource_count_is("AWS::Logs::LogGroup", 3)  # function, access log, static upload
    template.all_resources(
        "AWS::Logs::LogGroup",
        {"Properties": {"RetentionInDays": ONE_MONTH_IN_DAYS}, "DeletionPolicy": "Delete"},
    )


def test_function_config_names_the_key_bucket_stage_and_origin_secrets(
    template: Template, settings: Settings, app: Flask
) -> None:
    prefix = parameter_prefix(settings.project_slug, settings.stage)
    assert function_config(template) == {
        "SECRET_KEY_BUCKET": "the-bucket",
        "SECRET_KEY_OBJECT": app.config["SECRET_KEY_OBJECT"],
        "STAGE": settings.stage,
        # References CloudFormation resolves; see test_origin_secret.py.
        "ORIGIN_SECRET": OriginSecretRefs(prefix).accepted_references,
    }


# The secret-key bucket and what the function may do


def test_secret_key_bucket_is_private_encrypted_and_retained(template: Template) -> None:
    # The static files' bucket is test_static_files'; a project may add more.
    assert BUCKET in template.find_resources(
        "AWS::S3::Bucket",
        {
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "PublicAccessBlockConfiguration": {
                    "BlockPublicAcls": True,
                    "BlockPublicPolicy": True,
                    "IgnorePublicAcls": True,
                    "RestrictPublicBuckets": True,
                },
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                    ]
                },
            },
        },
    )


def test_secret_key_bucket_keeps_replaced_keys_for_a_short_while(template: Template) -> None:
    """Versioned, so a key document overwritten by mistake can be restored; old
    versions expire soon, so they cost nothing and a revoked key does not linger."""
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "VersioningConfiguration": {"Status": "Enabled"},
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Status": "Enabled",
                        "NoncurrentVersionExpiration": {"NoncurrentDays": SECRET_KEY_VERSION_DAYS},
                    }
                ]
            },
        },
    )
    assert 1 <= SECRET_KEY_VERSION_DAYS <= 30


def test_secret_key_bucket_refuses_plain_http(template: Template) -> None:
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": BUCKET},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Action": "s3:*",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            },
        },
    )


# CDK's static file upload (its grants are checked in test_static_files).
CDK_STATIC_UPLOAD = "CustomCDKBucketDeployment"


def iam_statements(template: Template) -> list[dict[str, Any]]:
    """Every statement that grants the stack's own roles something."""

    def wanted(role_id: str) -> bool:
        return not role_id.startswith(CDK_STATIC_UPLOAD)

    statements = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if all(wanted(role["Ref"]) for role in policy["Properties"]["Roles"]):
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    for role_id, role in template.find_resources("AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []) if wanted(role_id) else []:
            statements += policy["PolicyDocument"]["Statement"]
    return statements


def granted(statements: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Each (action, resource as JSON) the Allow statements grant: CDK may merge a
    project's grants into the statements of the stack's own."""
    return {
        (action, json.dumps(resource, sort_keys=True))
        for statement in statements
        if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
        for resource in as_list(statement["Resource"])
    }


def mentions(resource: str, *logical_ids: str) -> bool:
    """Whether `resource` (as JSON) refers to any of `logical_ids`."""
    return any(f'"{logical_id}"' in resource for logical_id in logical_ids)


def test_function_role_reaches_only_its_log_group_and_the_key_object(
    template: Template, app: Flask
) -> None:
    logs = {"Fn::GetAtt": [FUNCTION_LOGS, "Arn"]}
    # Only the key object: not even ListBucket (secret_key.py
    # copes with the 403 that S3 then gives for a key not created yet).
    key_object = {
        "Fn::Join": ["", [{"Fn::GetAtt": [BUCKET, "Arn"]}, f"/{app.config['SECRET_KEY_OBJECT']}"]]
    }
    expected = granted(
        [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": logs,
            },
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": key_object},
        ]
    )
    [role_policy] = template.find_resources(
        "AWS::IAM::Policy", {"Properties": {"Roles": [{"Ref": FUNCTION_ROLE}]}}
    ).values()
    assert expected <= granted(role_policy["Properties"]["PolicyDocument"]["Statement"])
    every_grant = granted(iam_statements(template))
    # Nothing else grants the stack's own roles anything on the log group or the key bucket,
    assert {g for g in every_grant if mentions(g[1], FUNCTION_LOGS, BUCKET)} == expected
    # nor anything outside the stack (the resources a project adds are in it).
    resources = template.to_json()["Resources"]
    assert {g for g in every_grant if not mentions(g[1], *resources)} == set()


def test_no_role_has_wildcards_or_managed_policies(template: Template) -> None:
    for statement in iam_statements(template):
        assert "*" not in as_list(statement["Resource"]), statement
        assert not [action for action in as_list(statement["Action"]) if "*" in action]
    for role_id, role in template.find_resources("AWS::IAM::Role").items():
        if not role_id.startswith(CDK_STATIC_UPLOAD):
            assert "ManagedPolicyArns" not in role["Properties"]


# API Gateway


def test_api_is_regional_and_passes_every_body_through(template: Template) -> None:
    template.resource_count_is("AWS::ApiGateway::RestApi", 1)
    template.has_resource_properties(
        "AWS::ApiGateway::RestApi",
        {"EndpointConfiguration": {"Types": ["REGIONAL"]}, "BinaryMediaTypes": ["*/*"]},
    )


def test_api_stage_is_named_and_throttled_by_the_settings(
    template: Template, settings: Settings
) -> None:
    template.resource_count_is("AWS::ApiGateway::Stage", 1)
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": settings.stage,
            "MethodSettings": [
                {
                    "HttpMethod": "*",
                    "ResourcePath": "/*",
                    "ThrottlingRateLimit": settings.throttle_rate_limit,
                    "ThrottlingBurstLimit": settings.throttle_burst_limit,
                }
            ],
        },
    )


def test_integration_waits_for_the_function_but_no_longer_than_api_gateway_allows(
    template: Template, settings: Settings
) -> None:
    template.resource_count_is("AWS::ApiGateway::Method", 2)  # the root and {proxy+}, both ANY
    template.all_resources_properties(
        "AWS::ApiGateway::Method",
        {"HttpMethod": "ANY", "Integration": {"Type": "AWS_PROXY", "TimeoutInMillis": 29_000}},
    )
    assert settings.lambda_timeout_seconds * 1000 <= 29_000


# CloudFront


def test_distribution_serves_the_api_stage_over_https(
    template: Template, settings: Settings
) -> None:
    template.resource_count_is("AWS::CloudFront::Distribution", 1)
    template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": {
                "Origins": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "OriginPath": f"/{settings.stage}",
                                "CustomOriginConfig": {"OriginProtocolPolicy": "https-only"},
                            }
                        )
                    ]
                ),
                "HttpVersion": "http2and3",
                "PriceClass": settings.price_class,
                "DefaultCacheBehavior": {
                    "ViewerProtocolPolicy": "redirect-to-https",
                    "Compress": True,
                    "AllowedMethods": Match.array_with(["GET", "HEAD", "POST"]),
                    # Every viewer header but Host, every cookie and the query
                    # string reach the origin; API Gateway would refuse the viewer's Host.
                    "OriginRequestPolicyId": ALL_VIEWER_EXCEPT_HOST_HEADER,
                },
            }
        },
    )


def test_viewer_request_function_is_attached(template: Template, settings: Settings) -> None:
    template.resource_count_is("AWS::CloudFront::Function", 1)
    template.has_resource_properties(
        "AWS::CloudFront::Function",
        {
            "FunctionConfig": {"Runtime": "cloudfront-js-2.0"},
            "AutoPublish": True,
            # With a domain the code differs: see test_custom_domain.py.
            "FunctionCode": Match.any_value()
            if settings.domain_name
            else VIEWER_REQUEST_FILE.read_text(encoding="utf-8"),
        },
    )
    template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": {
                "DefaultCacheBehavior": {
                    "FunctionAssociations": [
                        {
                            "EventType": "viewer-request",
                            "FunctionARN": {"Fn::GetAtt": [VIEWER_REQUEST, "FunctionARN"]},
                        }
                    ]
                }
            }
        },
    )


def cache_policy_id_is(template: Template, policy: Any) -> None:
    template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {"DistributionConfig": {"DefaultCacheBehavior": {"CachePolicyId": policy}}},
    )


def assert_named_cache_policy(template: Template, settings: Settings) -> None:
    template.has_resource_properties(
        "AWS::CloudFront::CachePolicy",
        {
            "CachePolicyConfig": {
                "MinTTL": 0,
                "DefaultTTL": settings.cache_default_ttl_seconds,
                "MaxTTL": settings.cache_max_ttl_seconds,
                "ParametersInCacheKeyAndForwardedToOrigin": {
                    "QueryStringsConfig": {"QueryStringBehavior": "all"},
                    # Cookies reach the origin (origin request policy) but stay out of the key.
                    "CookiesConfig": {"CookieBehavior": "none"},
                    "HeadersConfig": {"HeaderBehavior": "none"},
                    "EnableAcceptEncodingGzip": True,
                    "EnableAcceptEncodingBrotli": True,
                },
            }
        },
    )
    cache_policy_id_is(template, {"Ref": CACHE_POLICY})


def assert_caching_disabled(template: Template) -> None:
    template.resource_count_is("AWS::CloudFront::CachePolicy", 0)
    cache_policy_id_is(template, CACHING_DISABLED)


def test_cache_policy_follows_the_settings(template: Template, settings: Settings) -> None:
    if settings.cache_max_ttl_seconds == 0:
        assert_caching_disabled(template)
    else:
        assert_named_cache_policy(template, settings)


@pytest.mark.parametrize(("default_ttl", "max_ttl"), [(0, 0), (0, 60), (30, 86400)])
def test_cache_policy_for_other_ttls(
    settings: Settings,
    bundle_dir: Path,
    tmp_path: Path,
    default_ttl: int,
    max_ttl: int,
) -> None:
    variant = dataclasses.replace(
        settings, cache_default_ttl_seconds=default_ttl, cache_max_ttl_seconds=max_ttl
    )
    template = synth_settings(variant, bundle_dir, tmp_path)
    if max_ttl == 0:
        # CloudFront refuses a policy that caches nothing yet has cache-key values.
        assert_caching_disabled(template)
    else:
        assert_named_cache_policy(template, variant)


# Names, stages, outputs


def edge_names(template: Template) -> set[str]:
    """Names CloudFront needs unique across the whole account."""
    functions = template.find_resources("AWS::CloudFront::Function").values()
    policies = template.find_resources("AWS::CloudFront::CachePolicy").values()
    return {f["Properties"]["Name"] for f in functions} | {
        p["Properties"]["CachePolicyConfig"]["Name"] for p in policies
    }


def test_cloudfront_names_carry_slug_stage_and_region(
    template: Template, settings: Settings
) -> None:
    name = f"{settings.project_slug}-{settings.stage}-{settings.aws_region}"
    assert edge_names(template) == {name}
    assert len(name) <= 64


def test_another_stage_gets_its_own_stack_and_names(
    template: Template, settings: Settings, bundle_dir: Path, tmp_path: Path
) -> None:
    other = "qa" if settings.stage != "qa" else "test"
    stack = synth_app(bundle_dir, tmp_path, stage=other)
    other_template = Template.from_stack(stack)
    assert stack.stack_name == settings.stack_name(other)
    assert edge_names(other_template) == {f"{settings.project_slug}-{other}-{settings.aws_region}"}
    other_template.has_resource_properties("AWS::ApiGateway::Stage", {"StageName": other})
    other_template.has_resource_properties(
        "AWS::ApiGateway::RestApi", {"Name": f"{settings.project_slug}-{other}"}
    )
    other_template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": {
                "Origins": Match.array_with([Match.object_like({"OriginPath": f"/{other}"})])
            }
        },
    )


@pytest.mark.parametrize("stage", ["Prod", "1st", "dev-", "a-stage-name-too-long", "dev_1"])
def test_a_bad_stage_in_the_context_is_refused(
    bundle_dir: Path, tmp_path: Path, stage: str
) -> None:
    with pytest.raises(ValueError, match="stage"):
        synth_app(bundle_dir, tmp_path, stage=stage)


def test_a_missing_bundle_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="make build"):
        synth_app(tmp_path / "no-bundle", tmp_path / "cdk.out")


def test_outputs_name_what_a_deployer_needs(template: Template, settings: Settings) -> None:
    cloudfront_domain = {"Fn::GetAtt": [DISTRIBUTION, "DomainName"]}
    if settings.domain_name:
        template.has_output("SiteUrl", {"Value": f"https://{settings.domain_name}"})
        template.has_output("DnsTarget", {"Value": cloudfront_domain})
    else:
        template.has_output(
            "SiteUrl", {"Value": {"Fn::Join": ["", ["https://", cloudfront_domain]]}}
        )
        template.resource_count_is("AWS::CertificateManager::Certificate", 0)
        template.has_resource_properties(
            "AWS::CloudFront::Distribution", {"DistributionConfig": {"Aliases": Match.absent()}}
        )
    template.has_output("FunctionName", {"Value": {"Ref": FUNCTION}})
    template.has_output("LogGroupName", {"Value": {"Ref": FUNCTION_LOGS}})
    template.has_output("AccessLogGroupName", {"Value": {"Ref": ACCESS_LOGS}})
    template.has_output("SecretKeyBucketName", {"Value": {"Ref": BUCKET}})
    template.has_output(
        "ApiUrl",
        {
            "Value": {
                "Fn::Join": [
                    "",
                    Match.array_with([{"Ref": API}, Match.string_like_regexp(r"\.execute-api\.")]),
                ]
            }
        },
    )


# The whole template


def test_template_passes_cfn_lint(template: Template, settings: Settings, tmp_path: Path) -> None:
    assert cfn_lint_findings(template, settings.aws_region, tmp_path) == []


# Security headers, guardrails, cost


def security_headers(template: Template) -> dict[str, Any]:
    headers = Capture()
    template.has_resource_properties(
        "AWS::CloudFront::ResponseHeadersPolicy",
        {"ResponseHeadersPolicyConfig": {"SecurityHeadersConfig": headers}},
    )
    return headers.as_object()


def test_every_response_gets_security_headers(template: Template) -> None:
    headers = security_headers(template)
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 365 * 86400
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert all(header["Override"] for header in headers.values())
    template.has_resource_properties(
        "AWS::CloudFront::Distribution",
        {
            "DistributionConfig": {
                "DefaultCacheBehavior": {"ResponseHeadersPolicyId": {"Ref": SECURITY_HEADERS}}
            }
        },
    )


def test_the_policy_allows_what_the_demo_pages_load(
    template: Template, client: FlaskClient
) -> None:
    """The pages use only same-origin styles and images, and no inline code."""
    csp = security_headers(template)["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "style-src 'self'" in csp and "img-src 'self'" in csp
    for page in ("/", "/session"):
        html = client.get(page).get_data(as_text=True)
        assert "<script" not in html and "<style" not in html and " style=" not in html
        assert "http://" not in html and "https://" not in html  # nothing third-party


def test_alarms_only_when_chosen(template: Template, settings: Settings) -> None:
    if not settings.enable_alarms:
        template.resource_count_is("AWS::CloudWatch::Alarm", 0)
        template.resource_count_is("AWS::SNS::Topic", 0)
        return
    [topic] = template.find_resources("AWS::SNS::Topic")
    template.resource_count_is("AWS::CloudWatch::Alarm", 3)
    for metric in ("5XXError", "Errors", "Throttles"):
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm", {"MetricName": metric, "AlarmActions": [{"Ref": topic}]}
        )
    template.has_resource_properties(
        "AWS::SNS::Subscription", {"Protocol": "email", "Endpoint": settings.alert_email}
    )


# Resource types that cost money every month whether or not anyone visits.
FIXED_FEE_TYPES = {
    "AWS::SecretsManager::Secret",
    "AWS::KMS::Key",
    "AWS::WAFv2::WebACL",
    "AWS::WAF::WebACL",
    "AWS::EC2::NatGateway",
    "AWS::EC2::VPCEndpoint",
    "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "AWS::Route53::HostedZone",
    "AWS::CloudWatch::Alarm",
    "AWS::CloudWatch::Dashboard",
    "AWS::RDS::DBInstance",
    "AWS::Lambda::EventInvokeConfig",
    "AWS::ApiGateway::ClientCertificate",
}


def fixed_fee_resources(template: Template) -> set[str]:
    resources = template.to_json()["Resources"].values()
    found = {resource["Type"] for resource in resources} & FIXED_FEE_TYPES
    for resource in resources:
        properties = resource.get("Properties", {})
        if "ProvisionedConcurrencyConfig" in properties:
            found.add(f"{resource['Type']} with provisioned concurrency")
        if resource["Type"] == "AWS::ApiGateway::Stage" and properties.get("CacheClusterEnabled"):
            found.add("API Gateway cache cluster")
    return found


def test_nothing_with_a_fixed_monthly_fee_unless_chosen(
    template: Template, settings: Settings
) -> None:
    allowed = {"AWS::CloudWatch::Alarm"} if settings.enable_alarms else set()
    assert fixed_fee_resources(template) == allowed


def readme_outputs() -> set[str]:
    """The output names in the README's table of them."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme.split("| Output | What it is |", 1)[1].split("\n\n", 1)[0]
    first_cells = [row.split("|")[1] for row in table.splitlines() if row.count("|") > 2]
    return {name for cell in first_cells for name in re.findall(r"`(\w+)`", cell)}


def test_the_readme_lists_the_outputs_the_stacks_have(
    site_stack: cdk.Stack, settings: Settings
) -> None:
    """`make deploy` prints the outputs of each stack it deploys: the stage's and
    the budget's (us-east-1) have them."""
    optional = {
        "DnsTarget": bool(settings.domain_name),
        "BudgetAlerts": settings.makes_budget(settings.stage),
    }
    budget = [s for s in site_stack.dependencies if s.stack_name == settings.budget_stack_name]
    synthesized = {
        name
        for stack in [site_stack, *budget]
        for name in Template.from_stack(stack).to_json()["Outputs"]
    }
    listed = readme_outputs()
    assert synthesized <= listed
    assert listed - synthesized == {name for name, present in optional.items() if not present}
