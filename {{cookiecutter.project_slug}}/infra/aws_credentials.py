"""Check the AWS credentials before a make target that needs them builds or
synthesizes anything (`make deploy`, `diff`, `bootstrap`, ...).

Without credentials the CDK would synthesize for seconds and then fail with a
message about the stack's account, and boto3 would end in a traceback. This
resolves the credentials with botocore's own chain (environment, profile, SSO,
...) and makes one `sts get-caller-identity` call with short timeouts; on any
failure it prints one line saying what to do and exits 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

# One attempt, each wait short: the answer is needed in seconds, not minutes.
CONNECT_TIMEOUT_SECONDS = 3
READ_TIMEOUT_SECONDS = 5
README_SECTION = 'README.md, "Deploying to AWS", step 1'
SIGN_IN = (
    "run `aws configure sso` (once) and `export AWS_PROFILE=<profile>`,"
    " or `aws sso login` when the session has expired"
)


def problem_line(problem: str) -> str:
    """The one line a tool prints for a credentials problem."""
    return f"AWS credentials: {problem} (see {README_SECTION})."


# What every tool prints when botocore finds no credentials at all.
NO_CREDENTIALS = problem_line(f"none found; {SIGN_IN}")


class CredentialsError(Exception):
    """Credentials are missing or refused: the message, one line, says what to do."""


def caller_identity(region: str) -> dict[str, str]:
    """The account and ARN the current credentials act as; CredentialsError if none."""
    import botocore.session
    from botocore.config import Config
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        ConnectTimeoutError,
        EndpointConnectionError,
        ProfileNotFound,
        ReadTimeoutError,
    )

    config = Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"total_max_attempts": 1},
    )
    try:
        session = botocore.session.get_session()
        if session.get_credentials() is None:
            raise CredentialsError(NO_CREDENTIALS)
        sts = session.create_client("sts", region_name=region, config=config)
        identity = sts.get_caller_identity()
    except ProfileNotFound as error:
        raise CredentialsError(
            problem_line(
                f"{error}: check AWS_PROFILE (`aws configure list-profiles` lists them)"
                " or run `aws configure sso` to create it"
            )
        ) from error
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        raise CredentialsError(problem_line(f"refused by AWS ({code}); {SIGN_IN}")) from error
    except (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError) as error:
        raise CredentialsError(
            problem_line(
                f"could not reach AWS STS in {region} ({error}): check the network or proxy"
            )
        ) from error
    except BotoCoreError as error:
        # Expired SSO tokens, a failing credential_process, a broken config file.
        raise CredentialsError(problem_line(f"{error}; {SIGN_IN}")) from error
    return {"account": identity["Account"], "arn": identity["Arn"]}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", required=True, help="the region the target works in")
    args = parser.parse_args(argv)
    try:
        identity = caller_identity(args.region)
    except CredentialsError as error:
        sys.exit(str(error))
    print(f"AWS account {identity['account']} as {identity['arn']}", file=sys.stderr)


if __name__ == "__main__":
    main()
