"""The site's AWS resources, one CloudFormation stack per stage.

    visitor -> CloudFront (+ viewer-request function) -> API Gateway REST stage
            -> Lambda (the Flask app) -> S3 (the session secret key)
    visitor -> CloudFront /static/* -> S3 (the fingerprinted static files)

Each concern has its module: key_bucket.py, function.py, api.py, cdn.py,
static_files.py, custom_domain.py (when generated with a domain), alarms.py (when
chosen), origin_secret.py, access_logs.py, checks.py. The budget has a stack of its
own (budget.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_cdk import CfnOutput, Stack, Token
from constructs import Construct

from {{ cookiecutter.package_name }}.settings import Settings

from build_tools.static_assets import source_dir

from .api import SiteApi
from .cdn import SiteCdn
from .checks import acknowledge_accepted_findings
from .deployment import Deployment
from .function import SiteFunction
from .key_bucket import SecretKeyBucket
from .origin_secret import OriginSecretRefs, parameter_prefix
from .static_files import StaticFiles, check_bundle_manifest

if TYPE_CHECKING:
    from .custom_domain import CertificateStack

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUNDLE_DIR = PROJECT_ROOT / "build" / "lambda"


class SiteStack(Stack):
    """Lambda + REST API + CloudFront + the secret-key and static-file buckets, for one stage."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        settings: Settings,
        stage: str,
        bundle_dir: Path = DEFAULT_BUNDLE_DIR,
        certificate_stack: CertificateStack | None = None,
        origin_secret: OriginSecretRefs | None = None,
        **kwargs: Any,
    ) -> None:
        """`origin_secret` says which versions of the stage's origin secret
        parameters to use (`make deploy` reads them); by default the latest."""
        deployment = Deployment(settings, stage)
        super().__init__(scope, construct_id, description=deployment.description, **kwargs)
        if Token.is_unresolved(self.region):
            raise ValueError("SiteStack needs an explicit region (env=Environment(region=...))")
        self.origin_secret = origin_secret or OriginSecretRefs(
            parameter_prefix(settings.project_slug, stage)
        )
        self.bucket = SecretKeyBucket(self, "SecretKeyBucket")
        self.static = StaticFiles(
            self, "Static", source=source_dir(PROJECT_ROOT / settings.package_name)
        )
        check_bundle_manifest(bundle_dir, settings.package_name, self.static.built.manifest)
        self.function = SiteFunction(
            self,
            "Function",
            deployment=deployment,
            code_dir=bundle_dir,
            key_bucket=self.bucket,
            origin_secret=self.origin_secret,
        )
        # New code links to the new files: upload them first.
        self.function.node.add_dependency(self.static.deployment)
        self.api = SiteApi(
            self,
            "Api",
            deployment=deployment,
            function=self.function,
            origin_secret=self.origin_secret,
        )
        certificate = None
        if settings.domain_name:
            from .custom_domain import certificate_for

            certificate = certificate_for(self, settings, certificate_stack)
        self.cdn = SiteCdn(
            self,
            "Cdn",
            deployment=deployment,
            api=self.api,
            static_bucket=self.static.bucket,
            origin_secret=self.origin_secret.sent_reference,
            certificate=certificate,
        )
        if settings.domain_name:
            from .custom_domain import point_domain_at

            point_domain_at(self, settings, self.cdn.distribution)
        if settings.enable_alarms:
            from .alarms import SiteAlarms

            SiteAlarms(
                self, "Alarms", api=self.api, function=self.function, email=settings.alert_email
            )
        self._outputs(settings)
        acknowledge_accepted_findings(
            self, site_function=self.function, custom_domain=bool(settings.domain_name)
        )

    def _outputs(self, settings: Settings) -> None:
        public_host = settings.domain_name or self.cdn.distribution.distribution_domain_name
        outputs = {
            "SiteUrl": ("The site, through CloudFront", f"https://{public_host}"),
            "ApiUrl": ("The API stage (origin)", self.api.url),
            "SecretKeyBucketName": (
                "Holds the session secret key; kept when the stack is deleted",
                self.bucket.bucket_name,
            ),
            "FunctionName": (None, self.function.function_name),
            "LogGroupName": ("The function's logs", self.function.log_group.log_group_name),
            "AccessLogGroupName": (
                "API Gateway's access log: one line per request",
                self.api.access_log_group.log_group_name,
            ),
        }
        for name, (description, value) in outputs.items():
            CfnOutput(self, name, description=description, value=value)
