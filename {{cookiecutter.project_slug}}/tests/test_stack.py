"""The CDK stack, synthesized offline (no AWS account, no network) against a
stand-in Lambda bundle. Values the settings decide are compared with
`load_settings()`, so the checks hold whatever answers the project was
generated with."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template
from flask import Flask
from flask.testing import FlaskClient

from infra.origin_secret import OriginSecretRefs, parameter_prefix
from infra.site_stack import SECRET_KEY_VERSION_DAYS, VIEWER_REQUEST_FILE, Settings

from .stack_helpers import (
    CACHING_DISABLED,
    cfn_lint_findings,
    joined,
    log_group_id,
    logical_id,
    only,
    site_function,
    site_function_id,
    synth_app,
    synth_settings,
)

# CloudFront's managed policies (fixed IDs, the same in every account).
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
ONE_MONTH_IN_DAYS = 30
# Where the app reads its deployed config from (see config.py).
OVERRIDE_VARIABLE = "JSON_CONFIG_OVERRIDE"

# The function


def test_stack_is_named_after_slug_and_stage_in_the_settings_region(
    site_stack: cdk.Stack, settings: Settings
) -> None:
    assert site_stack.stack_name == f"{settings.project_slug}-{settings.stage}"
    assert site_stack.region == settings.aws_region
    assert cdk.Token.is_unresolved(site_stack.account)


def test_function_is_sized_by_the_settings(template: Template, settings: Settings) -> None:
    properties = site_function(template)["Properties"]
    assert properties["Runtime"] == f"python{settings.python_version}"
    assert properties["Architectures"] == [settings.architecture]
    assert properties["MemorySize"] == settings.lambda_memory_mb
    assert properties["Timeout"] == settings.lambda_timeout_seconds
    assert properties["Handler"] == f"{settings.package_name}.lambda_handler.handler"


def test_function_logs_to_its_own_log_group(template: Template) -> None:
    function = site_function(template)["Properties"]
    assert function["LoggingConfig"] == {
        "LogGroup": {"Ref": log_group_id(template, "FunctionLogs")}
    }


def test_log_groups_keep_a_month_and_go_with_the_stack(template: Template) -> None:
    log_groups = template.find_resources("AWS::Logs::LogGroup")
    assert sorted(log_groups) == sorted(
        [log_group_id(template, "FunctionLogs"), log_group_id(template, "AccessLogs")]
    )
    for log_group in log_groups.values():
        assert log_group["Properties"]["RetentionInDays"] == ONE_MONTH_IN_DAYS
        assert log_group["DeletionPolicy"] == "Delete"


def test_function_config_names_the_key_bucket_stage_and_origin_secrets(
    template: Template, settings: Settings, app: Flask
) -> None:
    bucket = logical_id(template, "AWS::S3::Bucket")
    variables = site_function(template)["Properties"]["Environment"]["Variables"]
    config = json.loads(joined(variables[OVERRIDE_VARIABLE], {bucket: "the-bucket"}))
    prefix = parameter_prefix(settings.project_slug, settings.stage)
    assert config == {
        "SECRET_KEY_BUCKET": "the-bucket",
        "SECRET_KEY_OBJECT": app.config["SECRET_KEY_OBJECT"],
        "STAGE": settings.stage,
        # References CloudFormation resolves; see test_origin_secret.py.
        "ORIGIN_SECRET": OriginSecretRefs(prefix).accepted_references,
    }


# The secret-key bucket and what the function may do


def test_secret_key_bucket_is_private_encrypted_and_retained(template: Template) -> None:
    bucket = only(template, "AWS::S3::Bucket")
    assert bucket["DeletionPolicy"] == "Retain"
    assert bucket["UpdateReplacePolicy"] == "Retain"
    properties = bucket["Properties"]
    assert properties["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    rules = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert [rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] for rule in rules] == ["AES256"]


def test_secret_key_bucket_keeps_replaced_keys_for_a_short_while(template: Template) -> None:
    """Versioned, so a key document overwritten by mistake can be restored; old
    versions expire soon, so they cost nothing and a revoked key does not linger."""
    properties = only(template, "AWS::S3::Bucket")["Properties"]
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    [rule] = properties["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": SECRET_KEY_VERSION_DAYS}
    assert 1 <= SECRET_KEY_VERSION_DAYS <= 30


def test_secret_key_bucket_refuses_plain_http(template: Template) -> None:
    statements = only(template, "AWS::S3::BucketPolicy")["Properties"]["PolicyDocument"][
        "Statement"
    ]
    assert any(
        statement["Effect"] == "Deny"
        and statement["Action"] == "s3:*"
        and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for statement in statements
    )


# With a custom domain outside us-east-1, CDK adds a function of its own that
# reads the certificate's ARN across regions; its role is CDK's, checked apart.
CDK_EXPORT_READER = "CustomCrossRegionExportReader"


def iam_statements(template: Template, cdk_reader: bool = False) -> list[dict[str, Any]]:
    """Every statement that grants the stack's own roles (or CDK's reader's) something."""

    def wanted(role_id: str) -> bool:
        return role_id.startswith(CDK_EXPORT_READER) == cdk_reader

    statements = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        if all(wanted(role["Ref"]) for role in policy["Properties"]["Roles"]):
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    for role_id, role in template.find_resources("AWS::IAM::Role").items():
        for policy in role["Properties"].get("Policies", []) if wanted(role_id) else []:
            statements += policy["PolicyDocument"]["Statement"]
    return statements


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_function_role_reaches_only_its_log_group_and_the_key_object(
    template: Template, app: Flask
) -> None:
    bucket = logical_id(template, "AWS::S3::Bucket")
    log_group = log_group_id(template, "FunctionLogs")
    bucket_arn = {"Fn::GetAtt": [bucket, "Arn"]}
    grants = sorted(
        (sorted(as_list(statement["Action"])), json.dumps(statement["Resource"], sort_keys=True))
        for statement in iam_statements(template)
        if statement["Effect"] == "Allow"
    )
    key_object = {"Fn::Join": ["", [bucket_arn, f"/{app.config['SECRET_KEY_OBJECT']}"]]}
    expected = [
        (["logs:CreateLogStream", "logs:PutLogEvents"], {"Fn::GetAtt": [log_group, "Arn"]}),
        # Only the key object: not even ListBucket (secret_key.py copes with the
        # 403 that S3 then gives for a key not created yet).
        (["s3:GetObject", "s3:PutObject"], key_object),
    ]
    assert grants == sorted((actions, json.dumps(res, sort_keys=True)) for actions, res in expected)


def test_no_role_has_wildcards_or_managed_policies(template: Template) -> None:
    for statement in iam_statements(template):
        assert "*" not in as_list(statement["Resource"]), statement
        assert not [action for action in as_list(statement["Action"]) if "*" in action]
    for role_id, role in template.find_resources("AWS::IAM::Role").items():
        if not role_id.startswith(CDK_EXPORT_READER):
            assert "ManagedPolicyArns" not in role["Properties"]


def test_cdk_cross_region_reader_only_reads_its_exports(
    template: Template, settings: Settings
) -> None:
    """Present only with a custom domain outside us-east-1."""
    reads_exports = {"ssm:GetParameters", "ssm:AddTagsToResource", "ssm:RemoveTagsFromResource"}
    for statement in iam_statements(template, cdk_reader=True):
        assert set(as_list(statement["Action"])) <= reads_exports
        assert f"/cdk/exports/{settings.project_slug}-{settings.stage}/*" in json.dumps(
            statement["Resource"]
        )


# API Gateway


def test_api_is_regional_and_passes_every_body_through(template: Template) -> None:
    properties = only(template, "AWS::ApiGateway::RestApi")["Properties"]
    assert properties["EndpointConfiguration"] == {"Types": ["REGIONAL"]}
    assert properties["BinaryMediaTypes"] == ["*/*"]


def test_api_stage_is_named_and_throttled_by_the_settings(
    template: Template, settings: Settings
) -> None:
    properties = only(template, "AWS::ApiGateway::Stage")["Properties"]
    assert properties["StageName"] == settings.stage
    [method_settings] = properties["MethodSettings"]
    assert method_settings["HttpMethod"] == "*"
    assert method_settings["ResourcePath"] == "/*"
    assert method_settings["ThrottlingRateLimit"] == settings.throttle_rate_limit
    assert method_settings["ThrottlingBurstLimit"] == settings.throttle_burst_limit


def test_integration_waits_for_the_function_but_no_longer_than_api_gateway_allows(
    template: Template, settings: Settings
) -> None:
    methods = template.find_resources("AWS::ApiGateway::Method").values()
    assert len(methods) == 2  # the root and {proxy+}, both ANY
    for method in methods:
        integration = method["Properties"]["Integration"]
        assert integration["Type"] == "AWS_PROXY"
        assert settings.lambda_timeout_seconds * 1000 <= integration["TimeoutInMillis"] <= 29_000


# CloudFront


def test_distribution_serves_the_api_stage_over_https(
    template: Template, settings: Settings
) -> None:
    config = only(template, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    [origin] = config["Origins"]
    assert origin["OriginPath"] == f"/{settings.stage}"
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert config["HttpVersion"] == "http2and3"
    assert config["PriceClass"] == settings.price_class
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["Compress"] is True
    assert set(behavior["AllowedMethods"]) >= {"GET", "HEAD", "POST"}
    # Every viewer header but Host, every cookie and the query string reach the
    # origin; API Gateway would refuse the viewer's Host.
    assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER


def test_viewer_request_function_is_attached(template: Template, settings: Settings) -> None:
    function_id = logical_id(template, "AWS::CloudFront::Function")
    properties = only(template, "AWS::CloudFront::Function")["Properties"]
    assert properties["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    if not settings.domain_name:  # with one, see test_custom_domain.py
        assert properties["FunctionCode"] == VIEWER_REQUEST_FILE.read_text(encoding="utf-8")
    assert properties["AutoPublish"] is True
    config = only(template, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["FunctionAssociations"] == [
        {"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": [function_id, "FunctionARN"]}}
    ]


def assert_named_cache_policy(template: Template, settings: Settings) -> None:
    policy_id = logical_id(template, "AWS::CloudFront::CachePolicy")
    config = only(template, "AWS::CloudFront::CachePolicy")["Properties"]["CachePolicyConfig"]
    assert config["MinTTL"] == 0
    assert config["DefaultTTL"] == settings.cache_default_ttl_seconds
    assert config["MaxTTL"] == settings.cache_max_ttl_seconds
    key = config["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "all"}
    # Cookies reach the origin (origin request policy) but stay out of the key.
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["EnableAcceptEncodingGzip"] is True
    assert key["EnableAcceptEncodingBrotli"] is True
    distribution = only(template, "AWS::CloudFront::Distribution")["Properties"]
    behavior = distribution["DistributionConfig"]["DefaultCacheBehavior"]
    assert behavior["CachePolicyId"] == {"Ref": policy_id}


def assert_caching_disabled(template: Template) -> None:
    assert not template.find_resources("AWS::CloudFront::CachePolicy")
    distribution = only(template, "AWS::CloudFront::Distribution")["Properties"]
    behavior = distribution["DistributionConfig"]["DefaultCacheBehavior"]
    assert behavior["CachePolicyId"] == CACHING_DISABLED


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
    names = {only(template, "AWS::CloudFront::Function")["Properties"]["Name"]}
    for policy in template.find_resources("AWS::CloudFront::CachePolicy").values():
        names.add(policy["Properties"]["CachePolicyConfig"]["Name"])
    return names


def test_cloudfront_names_carry_slug_stage_and_region(
    template: Template, settings: Settings
) -> None:
    for name in edge_names(template):
        assert name == f"{settings.project_slug}-{settings.stage}-{settings.aws_region}"
        assert len(name) <= 64


def test_another_stage_gets_its_own_stack_and_names(
    template: Template, settings: Settings, bundle_dir: Path, tmp_path: Path
) -> None:
    other = "qa" if settings.stage != "qa" else "test"
    stack = synth_app(bundle_dir, tmp_path, stage=other)
    other_template = Template.from_stack(stack)
    assert stack.stack_name == settings.stack_name(other)
    assert edge_names(other_template).isdisjoint(edge_names(template))
    assert all(other in name for name in edge_names(other_template))
    stage = only(other_template, "AWS::ApiGateway::Stage")["Properties"]
    assert stage["StageName"] == other
    api = only(other_template, "AWS::ApiGateway::RestApi")["Properties"]
    assert api["Name"] == f"{settings.project_slug}-{other}"
    distribution = only(other_template, "AWS::CloudFront::Distribution")["Properties"]
    assert distribution["DistributionConfig"]["Origins"][0]["OriginPath"] == f"/{other}"


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
    outputs = template.to_json()["Outputs"]
    distribution = logical_id(template, "AWS::CloudFront::Distribution")
    cloudfront_domain = {"Fn::GetAtt": [distribution, "DomainName"]}
    if settings.domain_name:
        assert outputs["SiteUrl"]["Value"] == f"https://{settings.domain_name}"
        assert outputs["DnsTarget"]["Value"] == cloudfront_domain
    else:
        assert outputs["SiteUrl"]["Value"] == {"Fn::Join": ["", ["https://", cloudfront_domain]]}
        assert not template.find_resources("AWS::CertificateManager::Certificate")
        config = only(template, "AWS::CloudFront::Distribution")["Properties"]
        assert "Aliases" not in config["DistributionConfig"]
    assert outputs["FunctionName"]["Value"] == {"Ref": site_function_id(template)}
    assert outputs["LogGroupName"]["Value"] == {"Ref": log_group_id(template, "FunctionLogs")}
    assert outputs["AccessLogGroupName"]["Value"] == {"Ref": log_group_id(template, "AccessLogs")}
    assert outputs["SecretKeyBucketName"]["Value"] == {
        "Ref": logical_id(template, "AWS::S3::Bucket")
    }
    assert "execute-api" in json.dumps(outputs["ApiUrl"]["Value"])


# The whole template


def test_template_passes_cfn_lint(template: Template, settings: Settings, tmp_path: Path) -> None:
    assert cfn_lint_findings(template, settings.aws_region, tmp_path) == []


# Security headers, guardrails, cost


def test_every_response_gets_security_headers(template: Template) -> None:
    policy_id = logical_id(template, "AWS::CloudFront::ResponseHeadersPolicy")
    config = only(template, "AWS::CloudFront::ResponseHeadersPolicy")["Properties"]
    headers = config["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 365 * 86400
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["FrameOptions"] == {"FrameOption": "DENY", "Override": True}
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert all(header["Override"] for header in headers.values())
    distribution = only(template, "AWS::CloudFront::Distribution")["Properties"]
    behavior = distribution["DistributionConfig"]["DefaultCacheBehavior"]
    assert behavior["ResponseHeadersPolicyId"] == {"Ref": policy_id}


def test_the_policy_allows_what_the_demo_pages_load(
    template: Template, client: FlaskClient
) -> None:
    """The pages use only same-origin styles and images, and no inline code."""
    csp = only(template, "AWS::CloudFront::ResponseHeadersPolicy")["Properties"][
        "ResponseHeadersPolicyConfig"
    ]["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "style-src 'self'" in csp and "img-src 'self'" in csp
    for page in ("/", "/session"):
        html = client.get(page).get_data(as_text=True)
        assert "<script" not in html and "<style" not in html and " style=" not in html
        assert "http://" not in html and "https://" not in html  # nothing third-party


def test_budget_follows_the_settings(template: Template, settings: Settings) -> None:
    budgets = template.find_resources("AWS::Budgets::Budget")
    if settings.monthly_budget_usd == 0:
        assert budgets == {}
        return
    budget = only(template, "AWS::Budgets::Budget")["Properties"]
    assert budget["Budget"]["BudgetLimit"] == {"Amount": settings.monthly_budget_usd, "Unit": "USD"}
    assert budget["Budget"]["TimeUnit"] == "MONTHLY"
    alerts = budget.get("NotificationsWithSubscribers", [])
    if not settings.alert_email:
        assert alerts == []
        assert "no alert address yet" in json.dumps(template.to_json()["Outputs"])
        return
    assert sorted(
        (alert["Notification"]["NotificationType"], alert["Notification"]["Threshold"])
        for alert in alerts
    ) == [("ACTUAL", 80), ("FORECASTED", 100)]
    for alert in alerts:
        assert alert["Subscribers"] == [
            {"SubscriptionType": "EMAIL", "Address": settings.alert_email}
        ]


def test_only_the_default_stage_makes_a_budget(
    settings: Settings, bundle_dir: Path, tmp_path: Path
) -> None:
    other = "qa" if settings.stage != "qa" else "test"
    stack = synth_app(bundle_dir, tmp_path, stage=other)
    assert Template.from_stack(stack).find_resources("AWS::Budgets::Budget") == {}


def test_alarms_only_when_chosen(template: Template, settings: Settings) -> None:
    alarms = template.find_resources("AWS::CloudWatch::Alarm")
    if not settings.enable_alarms:
        assert alarms == {}
        assert template.find_resources("AWS::SNS::Topic") == {}
        return
    metrics = sorted(alarm["Properties"]["MetricName"] for alarm in alarms.values())
    assert metrics == ["5XXError", "Errors", "Throttles"]
    topic = logical_id(template, "AWS::SNS::Topic")
    for alarm in alarms.values():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic}]
    subscription = only(template, "AWS::SNS::Subscription")["Properties"]
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == settings.alert_email


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


def test_the_budget_mails_its_alerts_itself(
    settings: Settings, bundle_dir: Path, tmp_path: Path
) -> None:
    """AWS Budgets sends EMAIL subscribers its own mail: no SNS topic stands
    between, so no topic policy has to let budgets.amazonaws.com publish."""
    address = "budget@example.com"
    chosen = dataclasses.replace(settings, monthly_budget_usd=5, alert_email=address)
    template = synth_settings(chosen, bundle_dir, tmp_path)
    budget = only(template, "AWS::Budgets::Budget")["Properties"]
    subscribers = [
        s for alert in budget["NotificationsWithSubscribers"] for s in alert["Subscribers"]
    ]
    assert subscribers == [{"SubscriptionType": "EMAIL", "Address": address}] * 2
    assert "AWS::SNS::Topic" not in json.dumps(budget)
