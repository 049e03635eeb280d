"""The scoped bootstrap policy in docs/deploy-from-github.md lets CloudFormation
build every kind of resource the stacks hold.

The richest settings are synthesized: a custom domain with the app outside
us-east-1, alarms and a budget, so every stack and resource type the project
can make. For each type the policy must grant one of the actions of the type's
own service that CloudFormation's handler needs to create it, and one it needs
to delete it (the registry schemas cfn-lint ships). That is a floor, not a
proof: it catches a new kind of resource that the policy forgot.

Where a resource's ARN holds its name, the policy grants this project's stages
and nothing of another project whose slug starts with this one's.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import cx_api
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from {{ cookiecutter.package_name }}.settings import Settings, load_settings

from build_tools.tools import PROJECT_ROOT
from infra import app as infra_app

from .stack_helpers import as_list, new_app
from .test_custom_domain import ZONE_ID, with_zone

GUIDE = PROJECT_ROOT / "docs" / "deploy-from-github.md"
# IAM's prefix for a CloudFormation namespace, where it is not the namespace lower-cased.
IAM_PREFIXES = {"CertificateManager": "acm"}
# Every type the richest settings add to the defaults' stacks.
OPT_IN_TYPES = {
    "AWS::CertificateManager::Certificate",
    "AWS::CloudWatch::Alarm",
    "AWS::Route53::RecordSet",
    "AWS::SNS::Topic",
}
# What the guide asks to replace with settings.json's hosted_zone_id.
ZONE_PLACEHOLDER = "HOSTED_ZONE_ID"
# CloudFormation names what a stack does not name: `<stack>-<logical ID>-<random>`.
RANDOM_SUFFIX = "1A2B3C4D5E6F"
# Each type whose ARN holds the resource's name: an action creating it, its ARN.
NAMED_ARNS = {
    "AWS::Budgets::Budget": ("budgets:ModifyBudget", "arn:aws:budgets::ACCOUNT_ID:budget/{name}"),
    "AWS::CloudFront::Function": (
        "cloudfront:CreateFunction",
        "arn:aws:cloudfront::ACCOUNT_ID:function/{name}",
    ),
    "AWS::CloudWatch::Alarm": (
        "cloudwatch:PutMetricAlarm",
        "arn:aws:cloudwatch:{region}:ACCOUNT_ID:alarm:{name}",
    ),
    "AWS::IAM::Role": ("iam:CreateRole", "arn:aws:iam::ACCOUNT_ID:role/{name}"),
    "AWS::Lambda::Function": (
        "lambda:CreateFunction",
        "arn:aws:lambda:{region}:ACCOUNT_ID:function:{name}",
    ),
    "AWS::Logs::LogGroup": (
        "logs:CreateLogGroup",
        "arn:aws:logs:{region}:ACCOUNT_ID:log-group:{name}",
    ),
    "AWS::S3::Bucket": ("s3:CreateBucket", "arn:aws:s3:::{name}"),
    "AWS::SNS::Topic": ("sns:CreateTopic", "arn:aws:sns:{region}:ACCOUNT_ID:{name}"),
}


def execution_policy(settings: Settings) -> dict[str, Any]:
    """The guide's JSON block that bootstraps with (the one granting the functions),
    its hosted zone placeholder replaced as the guide says."""
    guide = GUIDE.read_text(encoding="utf-8").replace(ZONE_PLACEHOLDER, settings.hosted_zone_id)
    opened = guide.split("```json\n")[1:]
    blocks = [json.loads(block.split("```", 1)[0]) for block in opened]
    [policy] = [
        block
        for block in blocks
        if any(s.get("Sid") == "Functions" for s in block.get("Statement", []))
    ]
    return policy


def grants(policy: dict[str, Any], action: str, resource: str | None = None) -> bool:
    return any(
        statement["Effect"] == "Allow"
        and any(fnmatch.fnmatchcase(action, a) for a in as_list(statement["Action"]))
        and (
            resource is None
            or any(fnmatch.fnmatchcase(resource, r) for r in as_list(statement["Resource"]))
        )
        for statement in policy["Statement"]
    )


def values(tree: Any) -> Iterator[Any]:
    """Every value in a template, nested ones included."""
    yield tree
    children = tree.values() if isinstance(tree, dict) else tree if isinstance(tree, list) else []
    for child in children:
        yield from values(child)


def physical_name(stack_name: str, logical_id: str, resource: dict[str, Any]) -> str:
    """The name a resource gets: the stack's, or CloudFormation's (lower-case for buckets)."""
    given = resource.get("Properties", {})
    explicit = given.get("Name") or given.get("Budget", {}).get("BudgetName")
    if explicit:
        return explicit
    generated = f"{stack_name}-{logical_id}-{RANDOM_SUFFIX}"
    return generated.lower() if resource["Type"] == "AWS::S3::Bucket" else generated


@pytest.fixture(scope="module")
def richest_settings() -> Settings:
    return dataclasses.replace(
        with_zone(load_settings(), "eu-west-1"),
        enable_alarms=True,
        alert_email="ops@example.com",
        monthly_budget_usd=5.0,
    )


@pytest.fixture(scope="module")
def richest_stacks(
    richest_settings: Settings, bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[cx_api.CloudFormationStackArtifact]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(infra_app, "load_settings", lambda: richest_settings)
        app = new_app(tmp_path_factory.mktemp("richest"), bundle_dir=str(bundle_dir))
        infra_app.add_site_stack(app)
        return app.synth().stacks


@pytest.fixture(scope="module")
def richest_templates(
    richest_stacks: list[cx_api.CloudFormationStackArtifact],
) -> list[dict[str, Any]]:
    return [stack.template for stack in richest_stacks]


def test_the_policy_lets_cloudformation_create_and_delete_every_resource_type(
    richest_settings: Settings, richest_templates: list[dict[str, Any]]
) -> None:
    policy = execution_policy(richest_settings)
    kinds = {r["Type"] for template in richest_templates for r in template["Resources"].values()}
    assert OPT_IN_TYPES | {"AWS::Budgets::Budget"} <= kinds
    missing = []
    for kind in sorted(kinds):
        if kind.startswith("Custom::"):  # CloudFormation invokes CDK's function for it
            if not grants(policy, "lambda:InvokeFunction"):
                missing.append(f"{kind}: lambda:InvokeFunction")
            continue
        namespace = kind.split("::")[1]
        prefix = IAM_PREFIXES.get(namespace, namespace.lower()) + ":"
        handlers = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", kind).schema
        for handler in ("create", "delete"):
            needed = handlers["handlers"][handler]["permissions"]
            own = [action for action in needed if action.startswith(prefix)]
            if not any(grants(policy, action) for action in own):
                missing.append(f"{kind} {handler}: one of {own}")
    assert missing == []


def test_the_policy_lets_cloudformation_read_the_certificate_stacks_outputs(
    richest_settings: Settings, richest_templates: list[dict[str, Any]]
) -> None:
    """With the app outside us-east-1 the distribution takes the certificate's ARN
    from the certificate stack's outputs, read with the execution role; another
    project's stacks stay unread."""
    policy = execution_policy(richest_settings)
    slug = richest_settings.project_slug
    references = [
        value["Fn::GetStackOutput"]
        for template in richest_templates
        for value in values(template)
        if isinstance(value, dict) and "Fn::GetStackOutput" in value
    ]
    assert references
    for reference in references:
        stack = f"stack/{reference['StackName']}/0a1b2c3d"
        arn = f"arn:aws:cloudformation:{reference['Region']}:ACCOUNT_ID:{stack}"
        assert grants(policy, "cloudformation:DescribeStacks", arn), arn
        other = arn.replace(f"stack/{slug}-", f"stack/{slug}-other-")
        assert not grants(policy, "cloudformation:DescribeStacks", other), other


def test_the_policy_grants_named_resources_of_this_project_only(
    richest_settings: Settings, richest_stacks: list[cx_api.CloudFormationStackArtifact]
) -> None:
    """Every resource whose ARN holds its name is granted by name; the same
    resource of a project whose slug is this one's plus `-other` is not (a bare
    `<slug>-*` would grant it)."""
    policy = execution_policy(richest_settings)
    slug = richest_settings.project_slug
    checked, wrong = set(), []
    for stack in richest_stacks:
        other_stack = stack.stack_name.replace(f"{slug}-", f"{slug}-other-", 1)
        for logical_id, resource in stack.template["Resources"].items():
            if resource["Type"] not in NAMED_ARNS:
                continue
            action, arn_format = NAMED_ARNS[resource["Type"]]
            name = physical_name(stack.stack_name, logical_id, resource)
            other_name = name.replace(stack.stack_name, other_stack)
            region = stack.environment.region
            ours = arn_format.format(region=region, name=name)
            theirs = arn_format.format(region=region, name=other_name)
            checked.add(resource["Type"])
            if not grants(policy, action, ours):
                wrong.append(f"denied: {action} on {ours}")
            if grants(policy, action, theirs):
                wrong.append(f"granted: {action} on {theirs}")
    assert checked == set(NAMED_ARNS)
    assert wrong == []


def test_the_policy_changes_records_in_the_settings_zone_only(
    richest_settings: Settings, richest_templates: list[dict[str, Any]]
) -> None:
    policy = execution_policy(richest_settings)
    zones = {
        resource["Properties"]["HostedZoneId"]
        for template in richest_templates
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::Route53::RecordSet"
    }
    assert zones == {ZONE_ID}
    change = "route53:ChangeResourceRecordSets"
    assert grants(policy, change, f"arn:aws:route53:::hostedzone/{ZONE_ID}")
    assert not grants(policy, change, "arn:aws:route53:::hostedzone/Z9OTHERZONE0000000000")
