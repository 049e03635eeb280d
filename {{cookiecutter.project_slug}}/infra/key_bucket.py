"""The bucket holding the session secret key (one object, read and written by
the function and by `make rotate-secret` / `make revoke-secret`)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct
from serverless_flask_kit.config import DEFAULTS

SECRET_KEY_OBJECT: str = DEFAULTS["SECRET_KEY_OBJECT"]
# Replaced versions of the key document, restorable for this long.
SECRET_KEY_VERSION_DAYS = 7


class SecretKeyBucket(s3.Bucket):
    """Private, encrypted, HTTPS only and versioned.

    Retained when the stack is deleted, so the key is never lost by accident;
    a stack created again makes a new bucket and key (see the README to
    delete the old one)."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(
            scope,
            construct_id,
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

    @property
    def key_object_arn(self) -> str:
        return self.arn_for_objects(SECRET_KEY_OBJECT)
