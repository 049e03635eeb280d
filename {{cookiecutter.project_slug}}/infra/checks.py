"""cdk-nag's AWS Solutions checks, and every finding this design accepts.

`make synth` and `make deploy` (through app.py) and the tests run the checks:
a finding that is not acknowledged here fails them, warnings included in the
tests. Each acknowledgment names its rule and why the finding is accepted.
"""

from __future__ import annotations

from collections.abc import Iterable

from aws_cdk import Acknowledgment, App, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

PACK = "AwsSolutions"

ACCEPTED_FINDINGS = {
    "AwsSolutions-S1": (
        "The secret-key bucket holds the session key object, which only the function and "
        "make rotate-secret/revoke-secret read and write; the static-file bucket is read by "
        "this distribution only (origin access control), and its requests are CloudFront's. "
        "Server access logs would need another bucket and record every read, for no insight."
    ),
    "AwsSolutions-APIG6": (
        "The access log records every request (access_logs.py); execution logs would add "
        "verbose lines per request to a log group outside the stack that never expires."
    ),
    "AwsSolutions-APIG2": (
        "A proxy integration: every request goes to Flask, which parses and validates its "
        "own input; API Gateway models would duplicate the routes."
    ),
    "AwsSolutions-APIG3": (
        "WAF has a fixed monthly fee. Every method requires an API key that only CloudFront "
        "sends (the origin secret, origin_secret.py), so API Gateway refuses direct calls "
        "before the function runs; the stage throttle caps what reaches the function. "
        "Requests to CloudFront itself are not capped (README, Cost of a flood)."
    ),
    "AwsSolutions-APIG4": (
        "A public website: visitors are anonymous, so there is no authorizer. The API key "
        "requirement admits only this distribution (it identifies CloudFront, it authorizes "
        "no visitor); the app authorizes whatever needs it."
    ),
    "AwsSolutions-COG4": "A public website: no Cognito user pool; see APIG4.",
    "AwsSolutions-CFR1": "A public website for every country: no geo restriction.",
    "AwsSolutions-CFR2": "WAF has a fixed monthly fee; see APIG3.",
    "AwsSolutions-CFR3": (
        "No CloudFront access logs. Standard logging v2 (to CloudWatch Logs, to S3 without "
        "ACLs, or to Firehose; set up beside the distribution, where this rule does not look) "
        "is billed per GB delivered, as CloudWatch vended logs, a line per request, cached "
        "ones included; legacy logging needs an ACL-enabled bucket. The requests CloudFront "
        "forwards to the API are in API Gateway's access log (access_logs.py), and "
        "CloudFront's free default metrics count every request, cached and static ones too "
        "(requests, bytes, 4xx and 5xx rates)."
    ),
}
# On the site function only: CDK's upload function has its own (STATIC_DEPLOYMENT_FINDINGS).
SITE_RUNTIME_FINDING = (
    "AwsSolutions-L1",
    "The site function's runtime is the python_version chosen when the project was "
    "generated (settings.json); a newer one is a deliberate upgrade, not an automatic one.",
)
# Only the default *.cloudfront.net certificate: it always accepts TLS 1.0
# viewers. With a custom domain the distribution requires TLS 1.2.
DEFAULT_CERTIFICATE_FINDING = (
    "AwsSolutions-CFR4",
    "The distribution's *.cloudfront.net certificate always allows TLSv1; with a custom "
    "domain (domain_name) the stack requires TLSv1.2_2021.",
)


# API Gateway's logging role (access_logs.py), and only its one managed policy.
LOGGING_ROLE_FINDING = (
    "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
    "AmazonAPIGatewayPushToCloudWatchLogs]",
    "API Gateway logs every REST API of a region through one role: it gets the policy "
    "AWS defines for that role, not one scoped to this project's log groups.",
)


# The function CDK's BucketDeployment adds to copy the static files into their
# bucket during deploys (static_files.py): on it and its role only, one rule's
# findings per policy, action or resource, so a grant CDK adds later is reviewed.
STATIC_DEPLOYMENT_FINDINGS = {
    "AwsSolutions-L1": (
        "CDK's BucketDeployment chooses the runtime of the function that copies the static "
        "files during deploys, not this project: a newer aws-cdk-lib (uv.lock) brings a "
        "newer one when CDK moves it."
    ),
    "AwsSolutions-IAM4": (
        "The function that copies the static files during deploys (CDK's BucketDeployment) "
        "writes its logs through the AWSLambdaBasicExecutionRole policy AWS defines."
    ),
    "AwsSolutions-IAM5": (
        "CDK's BucketDeployment grants its copier object-level wildcards (s3:GetObject*, "
        "s3:List*, s3:DeleteObject*, ...) on the CDK asset bucket and on the static-file "
        "bucket only; it runs only during deploys and never deletes (prune=False)."
    ),
}


def add_checks(app: App) -> None:
    """Run the AWS Solutions pack over everything `app` synthesizes."""
    Validations.of(app).add_plugins(AwsSolutionsChecks(app))


def acknowledge(scope: IConstruct, findings: Iterable[tuple[str, str]]) -> None:
    """Accept each (rule, reason) finding of the pack in `scope` and below."""
    for rule, reason in findings:
        Validations.of(scope).acknowledge(Acknowledgment(id=f"{PACK}::{rule}", reason=reason))


def acknowledge_accepted_findings(
    stack: Stack, site_function: IConstruct, custom_domain: bool
) -> None:
    findings = dict(ACCEPTED_FINDINGS)
    if not custom_domain:
        findings.update([DEFAULT_CERTIFICATE_FINDING])
    acknowledge(stack, findings.items())
    acknowledge(site_function, [SITE_RUNTIME_FINDING])


BASIC_EXECUTION_POLICY = (
    "Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
)
STATIC_DEPLOYMENT_WILDCARD_ACTIONS = (
    "s3:GetBucket*",
    "s3:GetObject*",
    "s3:List*",
    "s3:Abort*",
    "s3:DeleteObject*",
)


def acknowledge_static_deployment(
    role: IConstruct, asset_bucket_name: str, static_bucket_id: str
) -> None:
    """Accept the BucketDeployment function's findings: its runtime, and on its
    role the managed policy, the wildcard actions, and the object wildcards of the
    CDK asset bucket (named `asset_bucket_name`) and of the static-file bucket
    (logical ID `static_bucket_id`)."""
    l1, iam4, iam5 = (
        STATIC_DEPLOYMENT_FINDINGS[rule]
        for rule in ("AwsSolutions-L1", "AwsSolutions-IAM4", "AwsSolutions-IAM5")
    )
    # BucketDeployment shows its function only as the scope of the role it made there.
    acknowledge(role.node.scope, [("AwsSolutions-L1", l1)])
    wildcards = [f"Action::{action}" for action in STATIC_DEPLOYMENT_WILDCARD_ACTIONS]
    wildcards += [
        f"Resource::arn:aws:s3:::{asset_bucket_name}/*",
        f"Resource::<{static_bucket_id}.Arn>/*",
    ]
    findings = [(f"AwsSolutions-IAM4[{BASIC_EXECUTION_POLICY}]", iam4)]
    findings += [(f"AwsSolutions-IAM5[{wildcard}]", iam5) for wildcard in wildcards]
    acknowledge(role, findings)


def acknowledge_logging_role(stack: Stack) -> None:
    acknowledge(stack, [LOGGING_ROLE_FINDING])
