"""The site's AWS resources, one CloudFormation stack per stage.

    visitor -> CloudFront (+ viewer-request function) -> API Gateway REST stage
            -> Lambda (the Flask app) -> S3 (the session secret key)

Everything is sized by the generated settings (`settings.json`); see
`cdn.py` for how CloudFront caches and what it forwards, `custom_domain.py`
for the site's own domain (when generated with one), `guardrails.py` for the
budget, `alarms.py` for the alarms (when chosen) and `access_logs.py` for what
API Gateway logs of each request.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack, Token
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from constructs import Construct

from {{ cookiecutter.package_name }}.config import DEFAULTS, OVERRIDE_VARIABLE
from {{ cookiecutter.package_name }}.settings import Settings

from .access_logs import access_log_format
from .cdn import SiteCdn
from .checks import acknowledge_accepted_findings
from .guardrails import monthly_budget
from .origin_secret import SLOTS, OriginSecretRefs, parameter_prefix

if TYPE_CHECKING:
    from .custom_domain import CertificateStack

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUNDLE_DIR = PROJECT_ROOT / "build" / "lambda"
VIEWER_REQUEST_FILE = Path(__file__).with_name("viewer_request.js")
HANDLER = "{{ cookiecutter.package_name }}.lambda_handler.handler"
# The one S3 object the function may read and write.
SECRET_KEY_OBJECT: str = DEFAULTS["SECRET_KEY_OBJECT"]

RUNTIMES = {
    "3.12": lambda_.Runtime.PYTHON_3_12,
    "3.13": lambda_.Runtime.PYTHON_3_13,
    "3.14": lambda_.Runtime.PYTHON_3_14,
}
ARCHITECTURES = {
    "arm64": lambda_.Architecture.ARM_64,
    "x86_64": lambda_.Architecture.X86_64,
}
# API Gateway's default (and, without a quota increase, maximum) integration
# timeout. A Lambda timeout at or below it means the function, not API
# Gateway, decides when a request has taken too long; the margin above the
# function's own timeout absorbs a cold start.
API_INTEGRATION_TIMEOUT_SECONDS = 29
LOG_RETENTION = logs.RetentionDays.ONE_MONTH
# Replaced versions of the secret-key document, restorable for this long.
SECRET_KEY_VERSION_DAYS = 7


def edge_name(settings: Settings, stage: str, region: str) -> str:
    """The name of the account-wide CloudFront resources (function, cache
    policy) of one deployment: unique per project, stage and region."""
    return f"{settings.project_slug}-{stage}-{region}"


class SiteStack(Stack):
    """Lambda + REST API + CloudFront + the secret-key bucket, for one stage."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        stage: str,
        bundle_dir: Path = DEFAULT_BUNDLE_DIR,
        viewer_request_file: Path = VIEWER_REQUEST_FILE,
        certificate_stack: CertificateStack | None = None,
        origin_secret: OriginSecretRefs | None = None,
        **kwargs: Any,
    ) -> None:
        """`origin_secret` says which versions of the stage's origin secret
        parameters to use (`make deploy` reads them); by default the latest."""
        super().__init__(
            scope,
            construct_id,
            description=f"{settings.project_name} ({stage})",
            **kwargs,
        )
        if Token.is_unresolved(self.region):
            raise ValueError("SiteStack needs an explicit region (env=Environment(region=...))")
        if settings.lambda_timeout_seconds > API_INTEGRATION_TIMEOUT_SECONDS:
            raise ValueError(
                f"lambda_timeout_seconds must be at most {API_INTEGRATION_TIMEOUT_SECONDS}"
            )
        if not bundle_dir.is_dir():
            raise FileNotFoundError(
                f"no Lambda bundle at {bundle_dir}: run `make build` (python -m build_tools.bundle)"
            )

        # In SSM Parameter Store, referenced, never copied (origin_secret.py):
        # CloudFront sends one slot, API Gateway and the function accept both.
        self.origin_secret = origin_secret or OriginSecretRefs(
            parameter_prefix(settings.project_slug, stage)
        )
        self.bucket = self._secret_key_bucket()
        self.log_group = self._log_group("FunctionLogs")
        self.access_log_group = self._log_group("AccessLogs")
        self.function = self._function(settings, stage, bundle_dir)
        self.api = self._api(settings, stage)
        certificate = None
        if settings.domain_name:
            from .custom_domain import certificate_for

            certificate = certificate_for(self, settings, certificate_stack)
        self.cdn = SiteCdn(
            self,
            "Cdn",
            api=self.api,
            origin_path=f"/{stage}",
            name=edge_name(settings, stage, self.region),
            price_class=settings.price_class,
            default_ttl_seconds=settings.cache_default_ttl_seconds,
            max_ttl_seconds=settings.cache_max_ttl_seconds,
            viewer_request_file=viewer_request_file,
            origin_secret=self.origin_secret.sent_reference,
            domain_names=[settings.domain_name] if settings.domain_name else None,
            certificate=certificate,
        )
        if settings.domain_name:
            from .custom_domain import point_domain_at

            point_domain_at(self, settings, self.cdn.distribution)
        # One budget per account is free: only the default stage makes it.
        if settings.monthly_budget_usd > 0 and stage == settings.stage:
            monthly_budget(
                self,
                name=settings.stack_name(stage),
                amount_usd=settings.monthly_budget_usd,
                email=settings.alert_email,
            )
        if settings.enable_alarms:
            from .alarms import SiteAlarms

            SiteAlarms(
                self, "Alarms", api=self.api, function=self.function, email=settings.alert_email
            )
        self._outputs(settings)
        acknowledge_accepted_findings(self, custom_domain=bool(settings.domain_name))

    def _secret_key_bucket(self) -> s3.Bucket:
        # Retained when the stack is deleted, so the key is never lost by accident.
        # A stack created again makes a new bucket (and key): the old one is left
        # unused. See the README to delete it.
        return s3.Bucket(
            self,
            "SecretKeyBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.RETAIN,
            versioned=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    noncurrent_version_expiration=Duration.days(SECRET_KEY_VERSION_DAYS)
                )
            ],
        )

    def _log_group(self, construct_id: str) -> logs.LogGroup:
        return logs.LogGroup(
            self, construct_id, retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
        )

    def _function(self, settings: Settings, stage: str, bundle_dir: Path) -> lambda_.Function:
        role = iam.Role(
            self,
            "FunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Writes the function's logs; reads and writes the session secret key",
        )
        self.log_group.grant_write(role)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[self.bucket.arn_for_objects(SECRET_KEY_OBJECT)],
            )
        )
        # No s3:ListBucket: S3 then reports the key, before its creation, as 403
        # rather than 404, which the app's key store handles (secret_key.py).
        config = {
            "SECRET_KEY_BUCKET": self.bucket.bucket_name,
            "SECRET_KEY_OBJECT": SECRET_KEY_OBJECT,
            "STAGE": stage,
            "ORIGIN_SECRET": self.origin_secret.accepted_references,
        }
        return lambda_.Function(
            self,
            "Function",
            description=f"{settings.project_name} ({stage})",
            runtime=RUNTIMES[settings.python_version],
            architecture=ARCHITECTURES[settings.architecture],
            memory_size=settings.lambda_memory_mb,
            timeout=Duration.seconds(settings.lambda_timeout_seconds),
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(bundle_dir)),
            role=role,
            log_group=self.log_group,
            environment={OVERRIDE_VARIABLE: self.to_json_string(config)},
        )

    def _api(self, settings: Settings, stage: str) -> apigateway.LambdaRestApi:
        api = apigateway.LambdaRestApi(
            self,
            "Api",
            handler=self.function,
            proxy=True,
            rest_api_name=settings.stack_name(stage),
            description=f"{settings.project_name} ({stage}), served through CloudFront",
            endpoint_configuration=apigateway.EndpointConfiguration(
                types=[apigateway.EndpointType.REGIONAL]
            ),
            # Every body passes through untouched (base64); apig-wsgi decodes it.
            binary_media_types=["*/*"],
            # A request without one of the origin secret's API keys (only
            # CloudFront has one) gets 403 from API Gateway: no Lambda call.
            default_method_options=apigateway.MethodOptions(api_key_required=True),
            # The access log needs the region's API Gateway logging role, which
            # ApiLoggingStack sets for every stage (access_logs.py), not each API.
            cloud_watch_role=False,
            integration_options=apigateway.LambdaIntegrationOptions(
                timeout=Duration.seconds(API_INTEGRATION_TIMEOUT_SECONDS)
            ),
            deploy_options=apigateway.StageOptions(
                stage_name=stage,
                throttling_rate_limit=settings.throttle_rate_limit,
                throttling_burst_limit=settings.throttle_burst_limit,
                access_log_destination=apigateway.LogGroupLogDestination(self.access_log_group),
                access_log_format=access_log_format(),
            ),
        )
        # API keys work only through a usage plan; it repeats the stage's
        # throttle (per key: CloudFront sends one key) and sets no quota.
        plan = api.add_usage_plan(
            "UsagePlan",
            name=settings.stack_name(stage),
            description="CloudFront's key (the origin secret)",
            throttle=apigateway.ThrottleSettings(
                rate_limit=settings.throttle_rate_limit,
                burst_limit=settings.throttle_burst_limit,
            ),
            api_stages=[apigateway.UsagePlanPerApiStage(api=api, stage=api.deployment_stage)],
        )
        for slot in SLOTS:
            plan.add_api_key(
                apigateway.ApiKey(
                    self,
                    f"OriginSecret{slot.title()}",
                    description=f"Origin secret, {slot} slot (infra/origin_secret.py)",
                    value=self.origin_secret.reference(slot),
                    enabled=True,
                )
            )
        return api

    def _outputs(self, settings: Settings) -> None:
        public_host = settings.domain_name or self.cdn.distribution.distribution_domain_name
        CfnOutput(
            self,
            "SiteUrl",
            description="The site, through CloudFront",
            value=f"https://{public_host}",
        )
        CfnOutput(self, "ApiUrl", description="The API stage (origin)", value=self.api.url)
        CfnOutput(
            self,
            "SecretKeyBucketName",
            description="Holds the session secret key; kept when the stack is deleted",
            value=self.bucket.bucket_name,
        )
        CfnOutput(self, "FunctionName", value=self.function.function_name)
        CfnOutput(
            self,
            "LogGroupName",
            description="The function's logs",
            value=self.log_group.log_group_name,
        )
        CfnOutput(
            self,
            "AccessLogGroupName",
            description="API Gateway's access log: one line per request",
            value=self.access_log_group.log_group_name,
        )
