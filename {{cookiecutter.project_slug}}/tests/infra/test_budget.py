"""The monthly budget: one per project, made with the default stage in a stack of
its own in us-east-1, whatever the app's region (`AWS::Budgets::Budget` is missing
from the CloudFormation registry of many regions, eu-north-1 among them)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from {{ cookiecutter.package_name }}.settings import Settings, SettingsError, load_settings

from infra import app as infra_app

from .stack_helpers import cfn_lint_findings, new_app

REGION_WITHOUT_BUDGETS = "eu-north-1"


def stacks_of(
    settings: Settings, bundle_dir: Path, outdir: Path, **context: str
) -> dict[str, cdk.Stack]:
    """The app's stacks by name, as `make synth` builds them for `settings`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(infra_app, "load_settings", lambda: settings)
        app = new_app(outdir, bundle_dir=str(bundle_dir), **context)
        infra_app.add_site_stack(app)
    return {child.stack_name: child for child in app.node.children if isinstance(child, cdk.Stack)}


def with_budget(settings: Settings, **changes: Any) -> Settings:
    return dataclasses.replace(settings, monthly_budget_usd=5.0, **changes)


@pytest.fixture(scope="module")
def budget_template(bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The budget's stack for the generated settings, with a budget even if they have none."""
    settings = load_settings()
    if settings.monthly_budget_usd <= 0:
        settings = with_budget(settings)
    stacks = stacks_of(settings, bundle_dir, tmp_path_factory.mktemp("budget"))
    return Template.from_stack(stacks[f"{settings.project_slug}-budget"])


def test_in_a_region_without_budgets_the_budget_goes_to_a_us_east_1_stack(
    settings: Settings, bundle_dir: Path, tmp_path: Path
) -> None:
    variant = with_budget(settings, aws_region=REGION_WITHOUT_BUDGETS)
    stacks = stacks_of(variant, bundle_dir, tmp_path / "cdk.out")
    site = stacks[variant.stack_name(variant.stage)]
    site_template = Template.from_stack(site)
    site_template.resource_count_is("AWS::Budgets::Budget", 0)
    budget_stack = stacks[f"{variant.project_slug}-budget"]
    assert budget_stack.region == "us-east-1"
    assert site.region == REGION_WITHOUT_BUDGETS
    assert budget_stack in site.dependencies  # `make deploy` deploys it first
    budget_template = Template.from_stack(budget_stack)
    budget_template.resource_count_is("AWS::Budgets::Budget", 1)
    assert cfn_lint_findings(site_template, REGION_WITHOUT_BUDGETS, tmp_path) == []
    assert cfn_lint_findings(budget_template, "us-east-1", tmp_path) == []
    # The reason it moved: the region's registry has no such type.
    [finding] = cfn_lint_findings(budget_template, REGION_WITHOUT_BUDGETS, tmp_path)
    assert "'AWS::Budgets::Budget' does not exist in 'eu-north-1'" in finding


def test_the_budget_never_takes_a_name_a_site_stack_gave_its_budget(
    budget_template: Template, settings: Settings
) -> None:
    """Budget names are unique per account. Before, the default stage's stack made
    the budget, named like the stack (`<slug>-<stage>`); an update makes the new
    budget before the site stack's update deletes the old one, so the names differ:
    no stage may be called `budget`."""
    [budget] = budget_template.find_resources("AWS::Budgets::Budget").values()
    assert budget["Properties"]["Budget"]["BudgetName"] == f"{settings.project_slug}-budget"
    with pytest.raises(SettingsError, match="stage: 'budget' would share its stack name"):
        Settings.from_mapping({**dataclasses.asdict(settings), "stage": "budget"})


def test_budget_follows_the_settings(budget_template: Template, settings: Settings) -> None:
    amount = settings.monthly_budget_usd or 5.0
    alerts: Any = Match.absent()
    if settings.alert_email:
        subscribers = [{"SubscriptionType": "EMAIL", "Address": settings.alert_email}]
        alerts = [
            {
                "Notification": {"NotificationType": kind, "Threshold": percent},
                "Subscribers": subscribers,
            }
            for kind, percent in (("ACTUAL", 80), ("FORECASTED", 100))
        ]
    else:
        budget_template.has_output(
            "BudgetAlerts", {"Value": Match.string_like_regexp("no alert address yet")}
        )
    budget_template.resource_count_is("AWS::Budgets::Budget", 1)
    budget_template.has_resource_properties(
        "AWS::Budgets::Budget",
        {
            "Budget": {
                "BudgetLimit": {"Amount": amount, "Unit": "USD"},
                "TimeUnit": "MONTHLY",
            },
            "NotificationsWithSubscribers": alerts,
        },
    )


def test_only_the_default_stage_with_an_amount_makes_a_budget(
    settings: Settings, bundle_dir: Path, tmp_path: Path
) -> None:
    budgeted = with_budget(settings)
    other = "qa" if settings.stage != "qa" else "test"
    other_stage = stacks_of(budgeted, bundle_dir, tmp_path / "other", stage=other)
    none = stacks_of(
        dataclasses.replace(settings, monthly_budget_usd=0.0), bundle_dir, tmp_path / "none"
    )
    for stacks in (other_stage, none):
        assert f"{settings.project_slug}-budget" not in stacks
        for stack in stacks.values():
            Template.from_stack(stack).resource_count_is("AWS::Budgets::Budget", 0)


def test_the_budget_mails_its_alerts_itself(
    settings: Settings, bundle_dir: Path, tmp_path: Path
) -> None:
    """AWS Budgets sends EMAIL subscribers its own mail: no SNS topic stands
    between, so no topic policy has to let budgets.amazonaws.com publish."""
    address = "budget@example.com"
    chosen = with_budget(settings, alert_email=address)
    template = Template.from_stack(
        stacks_of(chosen, bundle_dir, tmp_path)[f"{settings.project_slug}-budget"]
    )
    subscribers = [{"SubscriptionType": "EMAIL", "Address": address}]
    template.has_resource_properties(
        "AWS::Budgets::Budget",
        {"NotificationsWithSubscribers": [{"Subscribers": subscribers}] * 2},
    )
    template.resource_count_is("AWS::SNS::Topic", 0)
