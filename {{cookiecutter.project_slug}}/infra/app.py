"""The CDK app: one stack per stage, `<project_slug>-<stage>`, in the settings' region.

A stage's stack depends on `<project_slug>-api-logging` (the region's API Gateway
logging role), for a certificate made in us-east-1 for another region on
`<project_slug>-<stage>-certificate`, and for the default stage with a budget on
`<project_slug>-budget` (in us-east-1, budget.py). Context: `stage` (default:
settings.json), `bundle_dir` (default: build/lambda), `origin_secret`
(origin_secret.py). The account stays unresolved, so synth needs no AWS credentials.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk

from {{ cookiecutter.package_name }}.settings import (
    Settings,
    SettingsError,
    check_stage_name,
    load_settings,
)

from .access_logs import ApiLoggingStack
from .budget import BUDGET_REGION, BudgetStack
from .checks import add_checks
from .origin_secret import CONTEXT_KEY, OriginSecretRefs, parameter_prefix
from .site_stack import DEFAULT_BUNDLE_DIR, PROJECT_ROOT, SiteStack

DEFAULT_OUTDIR = PROJECT_ROOT / "cdk.out"
CDK_JSON = PROJECT_ROOT / "cdk.json"


def cdk_json_context() -> dict[str, Any]:
    """cdk.json's context: the feature flags `cdk init` writes for the pinned CDK.

    The CDK CLI hands it to the app; `python -m infra.app` and the tests read it
    here, so every synth builds the same templates."""
    return json.loads(CDK_JSON.read_text(encoding="utf-8"))["context"]


def stage_of(app: cdk.App, default: str) -> str:
    stage = str(app.node.try_get_context("stage") or default)
    check_stage_name(stage)
    return stage


def bundle_dir_of(app: cdk.App) -> Path:
    configured = app.node.try_get_context("bundle_dir")
    return Path(configured).resolve() if configured else DEFAULT_BUNDLE_DIR


def add_site_stack(app: cdk.App) -> SiteStack:
    """Add this project's stack, for the stage the context asks for, to `app`,
    with the stacks it depends on."""
    settings = load_settings()
    stage = stage_of(app, settings.stage)
    name = settings.stack_name(stage)
    account = os.environ.get("CDK_DEFAULT_ACCOUNT")
    environment = cdk.Environment(account=account, region=settings.aws_region)
    dependencies: list[cdk.Stack] = [
        ApiLoggingStack(app, settings.logging_stack_name, env=environment)
    ]
    if settings.makes_budget(stage):
        dependencies.append(
            BudgetStack(
                app,
                settings.budget_stack_name,
                settings=settings,
                env=cdk.Environment(account=account, region=BUDGET_REGION),
            )
        )
    certificate_stack = None
    if needs_certificate_stack(settings):
        from .custom_domain import CERTIFICATE_REGION, CertificateStack

        certificate_stack = CertificateStack(
            app,
            f"{name}-certificate",
            settings=settings,
            env=cdk.Environment(account=account, region=CERTIFICATE_REGION),
        )
        dependencies.append(certificate_stack)
    site = SiteStack(
        app,
        name,
        settings=settings,
        stage=stage,
        bundle_dir=bundle_dir_of(app),
        certificate_stack=certificate_stack,
        origin_secret=OriginSecretRefs.from_context(
            parameter_prefix(settings.project_slug, stage),
            app.node.try_get_context(CONTEXT_KEY),
        ),
        cross_region_references=certificate_stack is not None,
        env=environment,
    )
    for dependency in dependencies:
        site.add_stack_dependency(dependency)
    return site


def needs_certificate_stack(settings: Settings) -> bool:
    """A certificate made here for an app outside us-east-1 needs its own stack there."""
    return bool(
        settings.domain_name
        and settings.hosted_zone_id
        and not settings.certificate_arn
        and settings.aws_region != "us-east-1"
    )


def main() -> int:
    # The CLI says where to write (CDK_OUTDIR); a plain run writes ./cdk.out.
    outdir = None if "CDK_OUTDIR" in os.environ else str(DEFAULT_OUTDIR)
    app = cdk.App(outdir=outdir, context=cdk_json_context())
    add_checks(app)  # cdk-nag: synth fails on a finding not acknowledged in checks.py
    try:
        add_site_stack(app)
    except SettingsError as error:  # an edit to fix, not a bug: no traceback
        for problem in str(error).splitlines():
            print(f"ERROR: {problem}", file=sys.stderr)
        return 1
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
