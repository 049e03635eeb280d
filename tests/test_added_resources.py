"""A project's first resources of its own: a DynamoDB table, an SQS queue and an S3
bucket added to a fresh bake's infra/site_stack.py, as a user adds them, each granted
to the function and passed in its environment. With no edit to the project's
machinery (local_server/, the stack tests and their helpers), its own suite passes
and `make local`'s setup makes each one in moto."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from .baking import bake, run, run_project_tests

ANCHOR = "        # New code links to the new files: upload them first.\n"
IMPORTS = (
    "from aws_cdk import aws_dynamodb as dynamodb\n"
    "from aws_cdk import aws_iam as iam\n"
    "from aws_cdk import aws_s3 as s3\n"
    "from aws_cdk import aws_sqs as sqs\n"
)
# What cdk-nag asks of each (infra/checks.py): point-in-time recovery, a
# dead-letter queue, TLS only, no public access; the object wildcard acknowledged.
RESOURCES = """\
        guestbook = dynamodb.Table(
            self,
            "GuestbookTable",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
        )
        guestbook.grant_read_write_data(self.function)
        self.function.add_environment("GUESTBOOK_TABLE", guestbook.table_name)
        failed_jobs = sqs.Queue(self, "FailedJobs", enforce_ssl=True)
        jobs = sqs.Queue(
            self,
            "Jobs",
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(queue=failed_jobs, max_receive_count=3),
        )
        jobs.grant_send_messages(self.function)
        self.function.add_environment("JOBS_QUEUE_URL", jobs.queue_url)
        uploads = s3.Bucket(
            self,
            "Uploads",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
        )
        self.function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject", "s3:PutObject"],
                resources=[uploads.arn_for_objects("*")],
            )
        )
        uploads_id = self.resolve(self.get_logical_id(uploads.node.default_child))
        acknowledge(
            self.function.role,
            [(f"AwsSolutions-IAM5[Resource::<{uploads_id}.Arn>/*]", "Reads and writes uploads.")],
        )
        self.function.add_environment("UPLOADS_BUCKET", uploads.bucket_name)
"""
# The deploy guide's execution policy grants the stack's resource types one by
# one: its test names those a new type needs.
GUIDE_STATEMENTS = [
    {
        "Sid": "GuestbookTable",
        "Effect": "Allow",
        "Action": [
            "dynamodb:CreateTable",
            "dynamodb:DeleteTable",
            "dynamodb:DescribeContinuousBackups",
            "dynamodb:DescribeTable",
            "dynamodb:UpdateContinuousBackups",
        ],
        "Resource": "arn:aws:dynamodb:*:ACCOUNT_ID:table/{prefix}*",
    },
    {
        "Sid": "JobQueues",
        "Effect": "Allow",
        "Action": [
            "sqs:CreateQueue",
            "sqs:DeleteQueue",
            "sqs:GetQueueAttributes",
            "sqs:SetQueueAttributes",
        ],
        "Resource": "arn:aws:sqs:*:ACCOUNT_ID:{prefix}*",
    },
]
# `make local`'s setup (local_server/__main__.py), run in the project against a stand-in bundle.
LOCAL_SETUP = """
import json, pathlib, sys
from local_server.deployment import Deployment, synthesize
from local_server.moto_server import LocalAws
from local_server.stack_resources import make_in_moto
bundle = pathlib.Path(sys.argv[1])
synthesized = synthesize(bundle)
aws = LocalAws("us-east-1")
template, handler = synthesized["template"], synthesized["handler"]
references = make_in_moto(aws, template, handler)
environment = Deployment.from_template(template, handler, references).environment
table = aws.client("dynamodb").describe_table(TableName=environment["GUESTBOOK_TABLE"])["Table"]
aws.client("sqs").send_message(QueueUrl=environment["JOBS_QUEUE_URL"], MessageBody="job")
aws.client("s3").put_object(Bucket=environment["UPLOADS_BUCKET"], Key="k", Body=b"v")
print(json.dumps({"environment": environment, "keys": table["KeySchema"]}))
aws.close()
"""


def add_resources(project: Path, stack_prefix: str) -> None:
    """The user's edit: the resources in the stack, their types in the deploy guide's policy."""
    stack = project / "infra" / "site_stack.py"
    source = stack.read_text(encoding="utf-8")
    source = source.replace(
        "from constructs import Construct\n", f"{IMPORTS}from constructs import Construct\n"
    )
    source = source.replace(
        "from .checks import acknowledge_accepted_findings\n",
        "from .checks import acknowledge, acknowledge_accepted_findings\n",
    )
    assert ANCHOR in source
    stack.write_text(source.replace(ANCHOR, RESOURCES + ANCHOR), encoding="utf-8")
    guide = project / "docs" / "deploy-from-github.md"
    text = guide.read_text(encoding="utf-8")
    opening = '  "Statement": [\n'
    at = text.rindex(opening, 0, text.index('"Sid": "Functions"')) + len(opening)
    added = "".join(
        textwrap.indent(json.dumps(statement, indent=2), "    ") + ",\n"
        for statement in GUIDE_STATEMENTS
    )
    guide.write_text(
        text[:at] + added.replace("{prefix}", stack_prefix) + text[at:], encoding="utf-8"
    )


def test_a_project_s_own_resources_work_with_no_edit_to_its_machinery(
    cookies_session: Any, tmp_path: Path
) -> None:
    project, context = bake(cookies_session)
    add_resources(project, f"{context['project_slug']}-{context['stage']}-")
    result = run_project_tests(project)
    assert result.returncode == 0, result.stdout[-5000:]

    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "handler.py").write_text("def handler(event, context):\n    return {}\n")
    kit = {"PYTHONPATH": str(project / "kit" / "src")}
    setup = run([sys.executable, "-c", LOCAL_SETUP, str(bundle)], cwd=project, env=kit)
    assert setup.returncode == 0, setup.stderr[-3000:]
    made = json.loads(setup.stdout.strip().splitlines()[-1])
    assert [key["AttributeName"] for key in made["keys"]] == ["pk", "sk"]
    assert made["environment"]["JOBS_QUEUE_URL"].startswith("http://127.0.0.1:")
