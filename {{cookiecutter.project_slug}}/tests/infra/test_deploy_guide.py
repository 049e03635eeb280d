"""The scoped bootstrap policy in docs/deploy-from-github.md lets CloudFormation
build every kind of resource the stacks hold.

The richest settings are synthesized: a custom domain with the app outside
us-east-1, alarms and a budget, so every stack and resource type the project
can make. For each type the policy must grant one of the actions of the type's
own service that CloudFormation's handler needs to create it, and one it needs
to delete it (the registry schemas cfn-lint ships). That is a floor, not a
proof: it catches a new kind of resource that the policy forgot.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from {{ cookiecutter.package_name }}.settings import load_settings

from build_tools.tools import PROJECT_ROOT
from infra import app as infra_app

from .stack_helpers import as_list, new_app
from .test_custom_domain import with_zone

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


def execution_policy() -> dict[str, Any]:
    """The guide's JSON block that bootstraps with: the one granting the functions."""
    opened = GUIDE.read_text(encoding="utf-8").split("```json\n")[1:]
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


@pytest.fixture(scope="module")
def richest_templates(
    bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, Any]]:
    settings = dataclasses.replace(
        with_zone(load_settings(), "eu-west-1"),
        enable_alarms=True,
        alert_email="ops@example.com",
        monthly_budget_usd=5.0,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(infra_app, "load_settings", lambda: settings)
        app = new_app(tmp_path_factory.mktemp("richest"), bundle_dir=str(bundle_dir))
        infra_app.add_site_stack(app)
        return [stack.template for stack in app.synth().stacks]


def test_the_policy_lets_cloudformation_create_and_delete_every_resource_type(
    richest_templates: list[dict[str, Any]],
) -> None:
    policy = execution_policy()
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
    richest_templates: list[dict[str, Any]],
) -> None:
    """With the app outside us-east-1 the distribution takes the certificate's ARN
    from the certificate stack's outputs, read with the execution role."""
    policy = execution_policy()
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
