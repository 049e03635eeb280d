"""The static files: a private bucket, filled at deploy time with the
fingerprinted files (build_tools/static_assets.py), which CloudFront's
`/static/*` behaviour reads through origin access control (cdn.py).

- Each file is uploaded under `static/<name>.<hash>.<ext>` with
  `Cache-Control: public, max-age=31536000, immutable`: CloudFront and browsers
  keep it for a year, and a changed file is a new name that the next page
  links to. Nothing is ever invalidated.
- Deploys never delete (prune=False): a page cached before a deploy, at the
  edge or in a browser, still finds the files it links to. Files of earlier
  deploys are never expired by age either: S3 lifecycle rules count an
  object's age from its upload, and a file that has not changed for months is
  still current (its upload is not repeated), so an age rule would delete live
  files. Superseded files stay; they are a few kilobytes per deploy.
- The upload runs in CDK's BucketDeployment function (a Lambda with the AWS
  CLI as a layer) during the deploy, before the function's new code (which
  links to the new names) is rolled out: the function depends on it. It runs
  only when the files change, well inside Lambda's free tier.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import DefaultStackSynthesizer, Duration, RemovalPolicy, Stack, Stage, Token
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct
from serverless_flask_kit.static_files import MANIFEST_NAME, URL_PATH, load_manifest

from build_tools import static_assets

from .checks import acknowledge_static_deployment
from .function import log_group

# Where the files live in the bucket: the URL path, as CloudFront forwards it.
KEY_PREFIX = URL_PATH.strip("/") + "/"


class StaticFiles(Construct):
    """The bucket and the deployment of the fingerprinted files built from `source`."""

    def __init__(self, scope: Construct, construct_id: str, *, source: Path) -> None:
        super().__init__(scope, construct_id)
        output = Path(Stage.of(self).outdir) / f"{Stack.of(self).artifact_id}-static-files"
        self.built = static_assets.build(source, output)
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # Like the secret-key bucket: deleting the stack never deletes files.
            removal_policy=RemovalPolicy.RETAIN,
            lifecycle_rules=[
                s3.LifecycleRule(abort_incomplete_multipart_upload_after=Duration.days(1))
            ],
        )
        self.deployment = s3deploy.BucketDeployment(
            self,
            "Deployment",
            destination_bucket=self.bucket,
            destination_key_prefix=KEY_PREFIX,
            sources=[s3deploy.Source.asset(str(self.built.directory))],
            prune=False,
            cache_control=[s3deploy.CacheControl.from_string(static_assets.CACHE_CONTROL)],
            log_group=log_group(self, "DeploymentLogs"),
        )
        stack = Stack.of(self)
        acknowledge_static_deployment(
            self.deployment.handler_role,
            asset_bucket_name=file_asset_bucket_name(stack),
            static_bucket_id=stack.resolve(stack.get_logical_id(self.bucket.node.default_child)),
        )


def file_asset_bucket_name(stack: Stack) -> str:
    """The CDK bootstrap bucket the deployment copies from, as cdk-nag names it."""
    account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
    qualifier = getattr(stack.synthesizer, "bootstrap_qualifier", None)
    return (
        DefaultStackSynthesizer.DEFAULT_FILE_ASSETS_BUCKET_NAME.replace(
            "${Qualifier}", qualifier or DefaultStackSynthesizer.DEFAULT_QUALIFIER
        )
        .replace("${AWS::AccountId}", account)
        .replace("${AWS::Region}", stack.region)
    )


def check_bundle_manifest(bundle_dir: Path, package_name: str, built: dict[str, str]) -> None:
    """Refuse a Lambda bundle whose pages would link to other files than those deployed."""
    path = bundle_dir / package_name / MANIFEST_NAME
    if path.is_file() and load_manifest(path) != built:
        raise ValueError(
            f"{path} does not match the static files: they changed since the bundle was "
            "built; run `make build`"
        )
