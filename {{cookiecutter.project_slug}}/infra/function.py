"""The Lambda function running the Flask app, its role and its log group."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct
from serverless_flask_kit.config import OVERRIDE_VARIABLE

from .deployment import Deployment
from .key_bucket import SECRET_KEY_OBJECT, SecretKeyBucket
from .origin_secret import OriginSecretRefs

HANDLER = "{{ cookiecutter.package_name }}.lambda_handler.handler"
RUNTIMES = {
    "3.12": lambda_.Runtime.PYTHON_3_12,
    "3.13": lambda_.Runtime.PYTHON_3_13,
    "3.14": lambda_.Runtime.PYTHON_3_14,
}
ARCHITECTURES = {
    "arm64": lambda_.Architecture.ARM_64,
    "x86_64": lambda_.Architecture.X86_64,
}
LOG_RETENTION = logs.RetentionDays.ONE_MONTH


def log_group(scope: Construct, construct_id: str) -> logs.LogGroup:
    """A log group kept a month and deleted with the stack."""
    return logs.LogGroup(
        scope, construct_id, retention=LOG_RETENTION, removal_policy=RemovalPolicy.DESTROY
    )


class SiteFunction(lambda_.Function):
    """The app's function, sized by the settings, configured through
    `JSON_CONFIG_OVERRIDE` (config.py).

    Its role (`<id>Role`) and log group (`<id>Logs`) are siblings in `scope`,
    not children, so that their logical IDs, and so the logs, survive
    changes to this class."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        code_dir: Path,
        key_bucket: SecretKeyBucket,
        origin_secret: OriginSecretRefs,
    ) -> None:
        settings = deployment.settings
        if not code_dir.is_dir():
            raise FileNotFoundError(
                f"no Lambda bundle at {code_dir}: run `make build` (python -m build_tools.bundle)"
            )
        logs_group = log_group(scope, f"{construct_id}Logs")
        role = iam.Role(
            scope,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Writes the function's logs; reads and writes the session secret key",
        )
        logs_group.grant_write(role)
        # No s3:ListBucket: S3 then reports the key, before its creation, as 403
        # rather than 404, which the app's key store handles (secret_key.py).
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject"], resources=[key_bucket.key_object_arn]
            )
        )
        config = {
            "SECRET_KEY_BUCKET": key_bucket.bucket_name,
            "SECRET_KEY_OBJECT": SECRET_KEY_OBJECT,
            "STAGE": deployment.stage,
            "ORIGIN_SECRET": origin_secret.accepted_references,
        }
        super().__init__(
            scope,
            construct_id,
            description=deployment.description,
            runtime=RUNTIMES[settings.python_version],
            architecture=ARCHITECTURES[settings.architecture],
            memory_size=settings.lambda_memory_mb,
            timeout=Duration.seconds(settings.lambda_timeout_seconds),
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(code_dir)),
            role=role,
            log_group=logs_group,
            # The runtime writes each log line as JSON with the invocation's
            # request ID (which the access log's functionRequestId names), so
            # the handler does nothing per request for it; Lambda drops lines
            # below the levels before they are stored (and billed).
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel(settings.application_log_level),
            system_log_level_v2=lambda_.SystemLogLevel(settings.system_log_level),
            environment={OVERRIDE_VARIABLE: Stack.of(scope).to_json_string(config)},
        )
