"""The CDK app: one stack, `<project_slug>-<stage>`, in the settings' region.

    npx cdk synth [-c stage=prod] [-c bundle_dir=path]   # what `make synth` runs
    python -m infra.app                                  # the same, without the CLI

The stage defaults to the one in settings.json; the Lambda code comes from
build/lambda (`make build`) unless the `bundle_dir` context says otherwise.
The account stays unresolved (taken from CDK_DEFAULT_ACCOUNT when the CLI
knows it), so synth needs no AWS credentials.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import aws_cdk as cdk

from {{ cookiecutter.package_name }}.settings import load_settings

from .site_stack import DEFAULT_BUNDLE_DIR, PROJECT_ROOT, SiteStack

# As the template's own validation: a-z, 0-9 and '-', at most 16 characters.
STAGE_PATTERN = re.compile(r"[a-z][a-z0-9-]{0,15}")
DEFAULT_OUTDIR = PROJECT_ROOT / "cdk.out"


def stack_name(project_slug: str, stage: str) -> str:
    return f"{project_slug}-{stage}"


def stage_of(app: cdk.App, default: str) -> str:
    stage = str(app.node.try_get_context("stage") or default)
    if not STAGE_PATTERN.fullmatch(stage) or stage.endswith("-"):
        raise ValueError(
            f"stage {stage!r}: use a-z, 0-9 and '-', start with a letter, "
            "not end with '-', at most 16 characters"
        )
    return stage


def bundle_dir_of(app: cdk.App) -> Path:
    configured = app.node.try_get_context("bundle_dir")
    return Path(configured).resolve() if configured else DEFAULT_BUNDLE_DIR


def add_site_stack(app: cdk.App) -> SiteStack:
    """Add this project's stack, for the stage the context asks for, to `app`."""
    settings = load_settings()
    stage = stage_of(app, settings.stage)
    return SiteStack(
        app,
        stack_name(settings.project_slug, stage),
        settings=settings,
        stage=stage,
        bundle_dir=bundle_dir_of(app),
        env=cdk.Environment(
            account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
            region=settings.aws_region,
        ),
    )


def main() -> None:
    # The CLI says where to write (CDK_OUTDIR); a plain run writes ./cdk.out.
    outdir = None if "CDK_OUTDIR" in os.environ else str(DEFAULT_OUTDIR)
    app = cdk.App(outdir=outdir)
    add_site_stack(app)
    app.synth()


if __name__ == "__main__":
    main()
