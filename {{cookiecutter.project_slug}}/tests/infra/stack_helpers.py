"""Synthesizing the CDK app in tests: offline, against a stand-in bundle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk.assertions import Template
from serverless_flask_kit.config import OVERRIDE_VARIABLE

from infra.app import add_site_stack, cdk_json_context
from infra.site_stack import Settings, SiteStack
from infra.template_lint import findings
from local_server.deployment import joined

Resource = dict[str, Any]

# CloudFront's managed policies (fixed IDs, the same in every account).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"

# Logical IDs, derived from construct paths only: the same in every project and
# stage. A changed one replaces the resource on the next deploy.
BUCKET = "SecretKeyBucketE219D54E"
DISTRIBUTION = "CdnDistribution149FA6C8"
FUNCTION = "Function76856677"
FUNCTION_ROLE = "FunctionRole111A5701"
FUNCTION_LOGS = "FunctionLogsAE28C13D"
ACCESS_LOGS = "AccessLogs8B620ECA"
API = "ApiF70053CD"
USAGE_PLAN = "ApiUsagePlanDBBE8AB1"
ORIGIN_SECRET_KEYS = ("OriginSecretBlueA3A79A85", "OriginSecretGreenED1EB4FA")
VIEWER_REQUEST = "CdnViewerRequest187CE90A"
CACHE_POLICY = "CdnCachePolicy957D7474"
SECURITY_HEADERS = "CdnSecurityHeaders18AFCA21"
STATIC_BUCKET = "StaticBucket42064B42"
STATIC_DEPLOYMENT = "StaticDeploymentCustomResource7207CD2A"


def as_list(value: Any) -> list[Any]:
    """An IAM policy's Action or Resource (one value or a list) as a list."""
    return value if isinstance(value, list) else [value]


def properties(template: Template, logical_id: str) -> Resource:
    """A resource's properties, for tests that compute with them (e.g. a model
    of CloudFront's cache) rather than match them."""
    return template.to_json()["Resources"][logical_id]["Properties"]


def function_config(template: Template) -> Resource:
    """The config the stack gives the function, the bucket's name as "the-bucket"."""
    variables = properties(template, FUNCTION)["Environment"]["Variables"]
    return json.loads(joined(variables[OVERRIDE_VARIABLE], {BUCKET: "the-bucket"}))


def deployed_static_files(stack: cdk.Stack, template: Template) -> Path:
    """The directory the stack's BucketDeployment uploads (its staged asset)."""
    [key] = properties(template, STATIC_DEPLOYMENT)["SourceObjectKeys"]
    return Path(cdk.Stage.of(stack).outdir) / f"asset.{key.removesuffix('.zip')}"


def new_app(outdir: Path, **context: str) -> cdk.App:
    """An app with cdk.json's context (feature flags), as `make synth` makes it."""
    return cdk.App(outdir=str(outdir), context={**cdk_json_context(), **context})


def synth_app(bundle_dir: Path, outdir: Path, **context: str) -> SiteStack:
    return add_site_stack(new_app(outdir, bundle_dir=str(bundle_dir), **context))


def site_stack_for(
    settings: Settings, bundle_dir: Path, outdir: Path, stack_class: type[SiteStack] = SiteStack
) -> SiteStack:
    """A `stack_class` (the site stack, or one that adds to it) for `settings`, alone in
    an app of its own, in the settings' region and default stage."""
    return stack_class(
        new_app(outdir),
        "Variant",
        settings=settings,
        stage=settings.stage,
        bundle_dir=bundle_dir,
        env=cdk.Environment(region=settings.aws_region),
    )


def synth_settings(settings: Settings, bundle_dir: Path, outdir: Path) -> Template:
    """The stack for arbitrary settings (paths the generated ones may not take)."""
    return Template.from_stack(site_stack_for(settings, bundle_dir, outdir))


def cfn_lint_findings(template: Template, region: str, work_dir: Path) -> list[str]:
    """What cfn-lint says about `template`, as `make synth` lints it."""
    path = work_dir / "stack.template.json"
    path.write_text(json.dumps(template.to_json(), ensure_ascii=False), encoding="utf-8")
    return findings(path, region)
