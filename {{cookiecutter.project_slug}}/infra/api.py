"""The REST API in front of the function: a proxy integration that admits
only requests carrying one of the origin secret's API keys."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from {{ cookiecutter.package_name }}.settings import API_GATEWAY_TIMEOUT_SECONDS

from .access_logs import access_log_format
from .deployment import Deployment
from .function import log_group
from .origin_secret import SLOTS, OriginSecretRefs


class SiteApi(apigateway.LambdaRestApi):
    """The access log group (`AccessLogs`) and the keys (`OriginSecret<Slot>`)
    are siblings in `scope`, not children, so their logical IDs do not depend
    on this class: API Gateway refuses a second key with the same value, so a
    key whose logical ID changed could not be replaced."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        function: lambda_.IFunction,
        origin_secret: OriginSecretRefs,
    ) -> None:
        settings = deployment.settings
        access_logs = log_group(scope, "AccessLogs")
        super().__init__(
            scope,
            construct_id,
            handler=function,
            proxy=True,
            rest_api_name=deployment.name,
            description=f"{deployment.description}, served through CloudFront",
            endpoint_configuration=apigateway.EndpointConfiguration(
                types=[apigateway.EndpointType.REGIONAL]
            ),
            # Every body passes through untouched (base64); apig-wsgi decodes it.
            binary_media_types=["*/*"],
            default_method_options=apigateway.MethodOptions(api_key_required=True),
            # The access log needs the region's API Gateway logging role, which
            # ApiLoggingStack sets for every stage (access_logs.py), not each API.
            cloud_watch_role=False,
            integration_options=apigateway.LambdaIntegrationOptions(
                timeout=Duration.seconds(API_GATEWAY_TIMEOUT_SECONDS)
            ),
            deploy_options=apigateway.StageOptions(
                stage_name=deployment.stage,
                throttling_rate_limit=settings.throttle_rate_limit,
                throttling_burst_limit=settings.throttle_burst_limit,
                access_log_destination=apigateway.LogGroupLogDestination(access_logs),
                access_log_format=access_log_format(),
            ),
        )
        self.access_log_group = access_logs
        # RestApi adds an "Endpoint" output of its own: the stack's ApiUrl already is that URL.
        self.node.try_remove_child("Endpoint")
        # API keys work only through a usage plan; it repeats the stage's
        # throttle (per key: CloudFront sends one key) and sets no quota.
        plan = self.add_usage_plan(
            "UsagePlan",
            name=deployment.name,
            description="CloudFront's key (the origin secret)",
            throttle=apigateway.ThrottleSettings(
                rate_limit=settings.throttle_rate_limit,
                burst_limit=settings.throttle_burst_limit,
            ),
            api_stages=[apigateway.UsagePlanPerApiStage(api=self, stage=self.deployment_stage)],
        )
        for slot in SLOTS:
            plan.add_api_key(
                apigateway.ApiKey(
                    scope,
                    f"OriginSecret{slot.title()}",
                    description=f"Origin secret, {slot} slot (infra/origin_secret.py)",
                    value=origin_secret.reference(slot),
                    enabled=True,
                )
            )
