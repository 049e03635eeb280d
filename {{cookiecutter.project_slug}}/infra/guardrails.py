"""A monthly AWS budget (the alarms, when chosen, are in alarms.py).

It is free (an account's first two budgets cost nothing) and watches
the whole account's spend: alerts at 80% of the amount actually spent and at
100% forecast. It is created with the default stage only, so extra stages do
not add budgets that would cost $0.02 a day each. With no `alert_email` it
still shows in the Billing console; add an address later in settings.json and
redeploy (see README).
"""

from __future__ import annotations

from aws_cdk import CfnOutput
from aws_cdk import aws_budgets as budgets
from constructs import Construct

from {{ cookiecutter.package_name }}.settings import Settings

ALERTS = (
    ("ACTUAL", 80.0),  # 80% of the amount already spent this month
    ("FORECASTED", 100.0),  # on course to spend the whole amount
)


def monthly_budget(scope: Construct, settings: Settings, stage: str) -> None:
    """The budget, if the settings ask for one and `stage` is the default one."""
    if settings.monthly_budget_usd <= 0 or stage != settings.stage:
        return
    name = settings.stack_name(stage)
    amount_usd = settings.monthly_budget_usd
    email = settings.alert_email
    subscribers = (
        [budgets.CfnBudget.SubscriberProperty(subscription_type="EMAIL", address=email)]
        if email
        else []
    )
    budgets.CfnBudget(
        scope,
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
        scope,
        "BudgetAlerts",
        value=(
            f"{name}: {amount_usd:g} USD a month, alerts to {email}"
            if email
            else f"{name}: {amount_usd:g} USD a month, no alert address yet: set alert_email "
            "in settings.json and redeploy"
        ),
    )
