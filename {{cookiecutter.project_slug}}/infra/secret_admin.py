"""Rotate or revoke the deployed site's session secret key.

rotate: a new key signs new cookies; the old one verifies existing ones for the session
    lifetime (31 days by default). Visitors stay signed in.
revoke: a new key and no old ones: every session cookie stops working at once (the
    response to a leaked key).

Either replaces an unreadable key document (session pages answer 503 meanwhile).
Running instances pick the change up within SECRET_KEY_CACHE_SECONDS (5 min). The
bucket comes from the stage's stack outputs (your AWS credentials), or from `--bucket`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

from serverless_flask_kit.config import DEFAULTS
from serverless_flask_kit.secret_key import (
    KeyDocumentError,
    KeyStore,
    S3KeyStore,
    SecretKeys,
)

from {{ cookiecutter.package_name }}.app import create_app
from {{ cookiecutter.package_name }}.settings import load_settings

BUCKET_OUTPUT = "SecretKeyBucketName"


def rotate(store: KeyStore, now: int, keep_for: int) -> SecretKeys:
    return store.update(lambda keys: keys.rotated(now=now, keep_for=keep_for))


def revoke(store: KeyStore, replace_unreadable: bool = False) -> SecretKeys:
    return store.update(lambda _old: SecretKeys.generate(), replace_unreadable)


def bucket_of_stack(name: str, cloudformation: Any = None) -> str:
    """The secret-key bucket named in the stack's outputs."""
    if cloudformation is None:
        import boto3

        cloudformation = boto3.client("cloudformation", region_name=load_settings().aws_region)
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    for output in stack.get("Outputs", []):
        if output["OutputKey"] == BUCKET_OUTPUT:
            return output["OutputValue"]
    raise LookupError(f"stack {name} has no {BUCKET_OUTPUT} output; is it deployed?")


def session_lifetime_seconds() -> int:
    return int(create_app().permanent_session_lifetime.total_seconds())


def main(argv: Sequence[str] | None = None, s3: Any = None, cloudformation: Any = None) -> int:
    parser = argparse.ArgumentParser(
        prog=__spec__.name if __spec__ else None,
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", choices=["rotate", "revoke"])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--stage", default=load_settings().stage, help="deployed stage")
    where.add_argument("--bucket", help="the secret-key bucket (skips the stack lookup)")
    args = parser.parse_args(argv)

    bucket = args.bucket or bucket_of_stack(load_settings().stack_name(args.stage), cloudformation)
    store = S3KeyStore(bucket, DEFAULTS["SECRET_KEY_OBJECT"], client=s3)
    location = f"s3://{bucket}/{store.key}"
    try:
        if args.action == "rotate":
            keys = rotate(store, now=int(time.time()), keep_for=session_lifetime_seconds())
            print(
                f"Rotated {location}: a new signing key, "
                f"{len(keys.fallbacks)} older key(s) still verify existing sessions."
            )
        else:
            revoke(store)
            print(f"Revoked {location}: every existing session is now invalid.")
    except KeyDocumentError as error:
        # Session pages answer 503 while the document is unreadable: recover.
        print(f"{location} is unreadable ({error}); replacing it.", file=sys.stderr)
        revoke(store, replace_unreadable=True)
        print(f"Replaced {location} with a new key: every existing session is now invalid.")
    print(
        "Running instances switch within SECRET_KEY_CACHE_SECONDS "
        f"({DEFAULTS['SECRET_KEY_CACHE_SECONDS']} s)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
