"""Synthesizing the CDK app in tests: offline, against a stand-in bundle."""

from __future__ import annotations

import json
from contextlib import chdir
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template
from cfnlint.api import ManualArgs, lint_file

from infra.app import add_site_stack, cdk_json_context
from infra.site_stack import HANDLER, PROJECT_ROOT, Settings, SiteStack

Resource = dict[str, Any]

# CloudFront's managed CachingDisabled policy (fixed ID, the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def joined(value: Any, refs: dict[str, str]) -> Any:
    """A value built with Fn::Join/Select/Split, each {"Ref": id} replaced by refs[id]."""
    if isinstance(value, str | int):
        return value
    if "Ref" in value:
        return refs[value["Ref"]]
    if "Fn::Select" in value:
        index, items = value["Fn::Select"]
        return joined(items, refs)[index]
    if "Fn::Split" in value:
        separator, text = value["Fn::Split"]
        return joined(text, refs).split(separator)
    separator, parts = value["Fn::Join"]
    return separator.join(joined(part, refs) for part in parts)


def new_app(outdir: Path, **context: str) -> cdk.App:
    """An app with cdk.json's context (feature flags), as `make synth` makes it."""
    return cdk.App(outdir=str(outdir), context={**cdk_json_context(), **context})


def synth_app(bundle_dir: Path, outdir: Path, **context: str) -> SiteStack:
    return add_site_stack(new_app(outdir, bundle_dir=str(bundle_dir), **context))


def synth_settings(settings: Settings, bundle_dir: Path, outdir: Path) -> Template:
    """The stack for arbitrary settings (paths the generated ones may not take)."""
    app = new_app(outdir)
    stack = SiteStack(
        app,
        "Variant",
        settings=settings,
        stage=settings.stage,
        bundle_dir=bundle_dir,
        env=cdk.Environment(region=settings.aws_region),
    )
    return Template.from_stack(stack)


def only(template: Template, resource_type: str) -> Resource:
    found = template.find_resources(resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))


def site_function_id(template: Template) -> str:
    """The site's Lambda function (CDK may add helper functions of its own,
    e.g. to read a certificate ARN across regions)."""
    found = template.find_resources("AWS::Lambda::Function", {"Properties": {"Handler": HANDLER}})
    assert len(found) == 1, f"expected one function with handler {HANDLER}, found {sorted(found)}"
    return next(iter(found))


def site_function(template: Template) -> Resource:
    return template.to_json()["Resources"][site_function_id(template)]


def log_group_id(template: Template, construct_id: str) -> str:
    """One of the stack's log groups, "FunctionLogs" or "AccessLogs"."""
    found = [
        logical
        for logical in template.find_resources("AWS::Logs::LogGroup")
        if logical.startswith(construct_id)
    ]
    assert len(found) == 1, f"expected one {construct_id} log group, found {found}"
    return found[0]


def logical_id(template: Template, resource_type: str) -> str:
    found = template.find_resources(resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found))


def cfn_lint_findings(template: Template, region: str, work_dir: Path) -> list[str]:
    """What cfn-lint says about `template`, with the project's .cfnlintrc."""
    path = work_dir / "stack.template.json"
    path.write_text(json.dumps(template.to_json(), ensure_ascii=False), encoding="utf-8")
    with chdir(PROJECT_ROOT):  # cfn-lint reads .cfnlintrc (ignored rules) from here
        return [str(match) for match in lint_file(path, ManualArgs(regions=[region]))]
