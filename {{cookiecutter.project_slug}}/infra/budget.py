"""The monthly AWS budget, in a stack of its own in us-east-1 (the alarms, when
chosen, are in alarms.py).

AWS Budgets is global, but its CloudFormation type exists only in some regions'
registries: us-east-1, its home, has it, so the budget is made there whatever
the app's region. The stack, `<slug>-budget`, comes with the default stage (a
dependency of its stack, so `make deploy` deploys it first); other stages add
none, since the budget watches the whole account's spend: alerts at 80% of the
amount actually spent and at 100% forecast. A budget without actions costs
nothing. With no `alert_email` it still shows in the Billing console; add an
address later in settings.json and redeploy (see README).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_budgets as budgets
from constructs import Construct

from {{ cookiecutter.package_name }}.settings import Settings

BUDGET_REGION = "us-east-1"
ALERTS = (
    ("ACTUAL", 80.0),  # 80% of the amount already spent this month
    ("FORECASTED", 100.0),  # on course to spend the whole amount
)


class BudgetStack(Stack):
    """The account's monthly budget, named like its stack (`<slug>-budget`): never
    the `<slug>-<stage>` an earlier version's site stack gave it, so an update can
    make this one before the site stack's update deletes that one (budget names
    are unique per account)."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings, **kwargs: Any):
        super().__init__(
            scope,
            construct_id,
            description=f"Monthly AWS budget for {settings.project_name}",
            **kwargs,
        )
        name = settings.budget_stack_name
        amount_usd = settings.monthly_budget_usd
        email = settings.alert_email
        subscribers = (
            [budgets.CfnBudget.SubscriberProperty(subscription_type="EMAIL", address=email)]
            if email
            else []
        )
        budgets.CfnBudget(
            self,
            "MonthlyBudget",
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_name=name,
                budget_type="COST",
                time_unit="MONTHLY",
                budget_limit=budgets.CfnBudget.SpendProperty(amount=amount_usd, unit="USD"),
            ),
            notifications_with_subscribers=[
                budgets.CfnBudget.NotificationWithSubscribersProperty(
                    notification=budgets.CfnBudget.NotificationProperty(
                        notification_type=kind,
                        comparison_operator="GREATER_THAN",
                        threshold=percent,
                        threshold_type="PERCENTAGE",
                    ),
                    subscribers=subscribers,
                )
                for kind, percent in ALERTS
            ]
            if subscribers
            else None,
        )
        CfnOutput(
            self,
            "BudgetAlerts",
            value=(
                f"{name}: {amount_usd:g} USD a month, alerts to {email}"
                if email
                else f"{name}: {amount_usd:g} USD a month, no alert address yet: set "
                "alert_email in settings.json and redeploy"
            ),
        )
