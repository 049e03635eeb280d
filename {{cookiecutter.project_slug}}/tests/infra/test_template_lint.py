"""`make synth` lints every template the app wrote, each against its own stack's
region (infra/template_lint.py): the stage's and the logging stack in the app's
region, the certificate's and the budget's in us-east-1."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.settings import Settings, load_settings

from infra import app as infra_app
from infra.template_lint import main, templates_by_region

from .stack_helpers import new_app
from .test_custom_domain import with_zone

APP_REGION = "eu-north-1"  # no AWS::Budgets::Budget in its registry


@pytest.fixture(scope="module")
def every_stack(
    bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Settings]:
    """A synth with all four stacks: a zone's certificate and a budget, the app outside
    us-east-1."""
    settings = dataclasses.replace(with_zone(load_settings(), APP_REGION), monthly_budget_usd=5.0)
    outdir = tmp_path_factory.mktemp("cdk.out")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(infra_app, "load_settings", lambda: settings)
        app = new_app(outdir, bundle_dir=str(bundle_dir))
        infra_app.add_site_stack(app)
        app.synth()
    return outdir, settings


def test_each_template_is_linted_for_its_stacks_region(
    every_stack: tuple[Path, Settings], capsys: pytest.CaptureFixture[str]
) -> None:
    outdir, settings = every_stack
    site = settings.stack_name(settings.stage)
    expected = {
        APP_REGION: {site, settings.logging_stack_name},
        "us-east-1": {f"{site}-certificate", settings.budget_stack_name},
    }
    found = templates_by_region(outdir)
    assert {region: {t.name for t in found[region]} for region in found} == {
        region: {f"{name}.template.json" for name in names} for region, names in expected.items()
    }
    assert main([str(outdir)]) == 0
    printed = capsys.readouterr().out
    assert printed.count(" 0 finding(s)") == 4
    assert f"{settings.budget_stack_name}.template.json for us-east-1" in printed


def test_a_template_linted_for_the_wrong_region_fails(
    every_stack: tuple[Path, Settings], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The region is the stack's, read from the manifest: the budget's template in
    the app's region would not deploy, and lint says so."""
    outdir, settings = every_stack
    manifest = json.loads((outdir / "manifest.json").read_text(encoding="utf-8"))
    budget = manifest["artifacts"][settings.budget_stack_name]
    budget["environment"] = f"aws://unknown-account/{APP_REGION}"
    manifest["artifacts"] = {settings.budget_stack_name: budget}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    template = budget["properties"]["templateFile"]
    (tmp_path / template).write_bytes((outdir / template).read_bytes())
    assert main([str(tmp_path)]) == 1
    assert "'AWS::Budgets::Budget' does not exist in 'eu-north-1'" in capsys.readouterr().out
