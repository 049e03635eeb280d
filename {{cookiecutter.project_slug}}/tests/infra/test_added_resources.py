"""Resources a project adds to its stack, as a user adds them to infra/site_stack.py
(here a subclass, so the project's own stack stays as it is): `make local` gives the
function each one's local name, URL or ARN, and makes in moto those it serves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Template
from serverless_flask_kit.config import OVERRIDE_VARIABLE

from {{ cookiecutter.package_name }}.settings import load_settings

from infra.function import HANDLER
from infra.site_stack import SiteStack
from local_server.deployment import Deployment, stand_in
from local_server.moto_server import LocalAws
from local_server.stack_resources import make_in_moto

from .stack_helpers import site_stack_for


class ExtendedSiteStack(SiteStack):
    """The site stack with what a project typically adds, passed to the function
    as CDK passes names: environment variables."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        table = dynamodb.Table(
            self,
            "ExampleTable",
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.NUMBER),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
        )
        table.add_global_secondary_index(
            index_name="by-author",
            partition_key=dynamodb.Attribute(name="author", type=dynamodb.AttributeType.STRING),
        )
        queue = sqs.Queue(
            self, "ExampleJobs", fifo=True, visibility_timeout=cdk.Duration.seconds(45)
        )
        uploads = s3.Bucket(self, "ExampleUploads")
        topic = sns.Topic(self, "ExampleAlerts")  # a kind `make local` makes nothing for
        table.grant_read_write_data(self.function)
        queue.grant_send_messages(self.function)
        uploads.grant_read_write(self.function)
        variables = {
            "EXAMPLE_TABLE": table.table_name,
            "EXAMPLE_QUEUE_URL": queue.queue_url,
            "EXAMPLE_QUEUE_ARN": queue.queue_arn,
            "EXAMPLE_BUCKET": uploads.bucket_name,
            "EXAMPLE_TOPIC": topic.topic_arn,
        }
        for name, value in variables.items():
            self.function.add_environment(name, value)
        self.logical_ids = {
            name: self.get_logical_id(construct.node.default_child)  # type: ignore[arg-type]
            for name, construct in [("table", table), ("topic", topic)]
        }


@pytest.fixture(scope="module")
def extended(
    bundle_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], dict[str, str]]:
    """The extended stack's template, and the logical IDs of its table and topic."""
    stack = site_stack_for(
        load_settings(), bundle_dir, tmp_path_factory.mktemp("cdk.out"), ExtendedSiteStack
    )
    template = Template.from_stack(stack).to_json()
    return template, {name: stack.resolve(value) for name, value in stack.logical_ids.items()}


@pytest.fixture(scope="module")
def aws() -> Iterator[LocalAws]:
    # moto keeps its resources per process, not per server: one server, one make_in_moto.
    local = LocalAws(load_settings().aws_region)
    yield local
    local.close()


@pytest.fixture(scope="module")
def environment(extended: tuple[dict[str, Any], dict[str, str]], aws: LocalAws) -> dict[str, str]:
    """The function's environment as `make local` gives it (local_server/__main__.py)."""
    template, _ = extended
    return Deployment.from_template(
        template, HANDLER, make_in_moto(aws, template, HANDLER)
    ).environment


def test_every_reference_in_the_environment_gets_a_value(
    extended: tuple[dict[str, Any], dict[str, str]], environment: dict[str, str]
) -> None:
    _, logical_ids = extended
    assert all(isinstance(value, str) for value in environment.values()), environment
    assert environment["EXAMPLE_TOPIC"] == stand_in(logical_ids["topic"])
    assert environment["EXAMPLE_QUEUE_ARN"].startswith("arn:aws:sqs:")


def test_the_table_is_made_in_moto_with_its_keys_and_indexes(
    extended: tuple[dict[str, Any], dict[str, str]], aws: LocalAws, environment: dict[str, str]
) -> None:
    template, logical_ids = extended
    synthesized = template["Resources"][logical_ids["table"]]["Properties"]
    table = aws.client("dynamodb").describe_table(TableName=environment["EXAMPLE_TABLE"])["Table"]
    assert table["KeySchema"] == synthesized["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(
        synthesized["AttributeDefinitions"], key=str
    )
    [index] = table["GlobalSecondaryIndexes"]
    assert (index["IndexName"], index["KeySchema"]) == (
        "by-author",
        [{"AttributeName": "author", "KeyType": "HASH"}],
    )


def test_the_queue_and_the_buckets_are_made_in_moto(
    aws: LocalAws, environment: dict[str, str]
) -> None:
    sqs_client = aws.client("sqs")
    url = environment["EXAMPLE_QUEUE_URL"]
    attributes = sqs_client.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attributes["FifoQueue"], attributes["VisibilityTimeout"]) == ("true", "45")
    assert attributes["QueueArn"] == environment["EXAMPLE_QUEUE_ARN"]
    sqs_client.send_message(
        QueueUrl=url, MessageBody="job", MessageGroupId="g", MessageDeduplicationId="1"
    )
    [message] = sqs_client.receive_message(QueueUrl=url)["Messages"]
    assert message["Body"] == "job"
    key_bucket = json.loads(environment[OVERRIDE_VARIABLE])["SECRET_KEY_BUCKET"]
    for bucket in (environment["EXAMPLE_BUCKET"], key_bucket):
        aws.client("s3").put_object(Bucket=bucket, Key="k", Body=b"v")
    assert key_bucket != environment["EXAMPLE_BUCKET"]
