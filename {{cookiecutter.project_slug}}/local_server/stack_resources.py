"""The stack's resources the function's environment names, made in moto for `make
local`: each bucket, DynamoDB table and SQS queue as the synthesized template
defines it (what changes how the app's calls behave: a table's keys and indexes, a
queue's FIFO and timing attributes), under the name the template gives it or its
logical ID. Every other reference gets a stand-in value (deployment.joined)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .deployment import Template, function_variables
from .moto_server import LocalAws

# What CloudFormation gives {"Ref": ...} to a pseudo parameter; moto's account.
PSEUDO_PARAMETERS = {
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
}
BUCKET_NAME_LENGTH = 63
QUEUE_ATTRIBUTES = (
    "ContentBasedDeduplication",
    "DelaySeconds",
    "FifoQueue",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
)
INDEX_KEYS = ("IndexName", "KeySchema", "Projection")

# A resource's values by reference: "<id>" for {"Ref": id}, "<id>.<attribute>"
# for {"Fn::GetAtt": [id, attribute]}.
References = dict[str, str]


def referenced_ids(value: Any) -> Iterator[str]:
    """The logical IDs `value` names with Ref or Fn::GetAtt, at any depth."""
    if isinstance(value, list):
        for item in value:
            yield from referenced_ids(item)
    elif isinstance(value, dict):
        if isinstance(value.get("Ref"), str):
            yield value["Ref"]
        attribute = value.get("Fn::GetAtt")
        if attribute is not None:
            yield (attribute if isinstance(attribute, list) else attribute.split("."))[0]
        for item in value.values():
            yield from referenced_ids(item)


def given_name(properties: Mapping[str, Any], key: str) -> str | None:
    """The name the template sets (a plain string), else None: CloudFormation makes one."""
    name = properties.get(key)
    return name if isinstance(name, str) else None


def is_intrinsic(value: Any) -> bool:
    """Whether `value` is a CloudFormation function ({"Ref": ...}, {"Fn::...": ...})."""
    return isinstance(value, dict) and any(k == "Ref" or k.startswith("Fn::") for k in value)


def literal(properties: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The `keys` of `properties` whose values are plain, not CloudFormation functions."""
    return {
        key: properties[key]
        for key in keys
        if key in properties and not is_intrinsic(properties[key])
    }


def make_bucket(aws: LocalAws, logical_id: str, properties: Mapping[str, Any]) -> References:
    local_name = f"local-{logical_id.lower()}"[:BUCKET_NAME_LENGTH]
    name = given_name(properties, "BucketName") or local_name
    # Every region but us-east-1 must be named when the bucket is made.
    where = {"CreateBucketConfiguration": {"LocationConstraint": aws.region}}
    aws.client("s3").create_bucket(Bucket=name, **({} if aws.region == "us-east-1" else where))
    return {
        logical_id: name,
        f"{logical_id}.Arn": f"arn:aws:s3:::{name}",
        f"{logical_id}.DomainName": f"{name}.s3.amazonaws.com",
        f"{logical_id}.RegionalDomainName": f"{name}.s3.{aws.region}.amazonaws.com",
    }


def make_table(aws: LocalAws, logical_id: str, properties: Mapping[str, Any]) -> References:
    name = given_name(properties, "TableName") or logical_id
    indexes = {
        kind: [literal(index, INDEX_KEYS) for index in properties[kind]]
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes")
        if properties.get(kind)
    }
    # On demand whatever the template says: a local table has no capacity to run out of.
    table = aws.client("dynamodb").create_table(
        TableName=name,
        KeySchema=properties["KeySchema"],
        AttributeDefinitions=properties["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
        **indexes,
    )["TableDescription"]
    return {logical_id: name, f"{logical_id}.Arn": table["TableArn"]}


def make_queue(aws: LocalAws, logical_id: str, properties: Mapping[str, Any]) -> References:
    fifo = properties.get("FifoQueue") is True
    name = given_name(properties, "QueueName") or logical_id + (".fifo" if fifo else "")
    attributes = {
        key: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in literal(properties, QUEUE_ATTRIBUTES).items()
    }
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    return {
        logical_id: url,
        f"{logical_id}.Arn": arn["QueueArn"],
        f"{logical_id}.QueueName": name,
        f"{logical_id}.QueueUrl": url,
    }


MADE_IN_MOTO: dict[str, Callable[[LocalAws, str, Mapping[str, Any]], References]] = {
    "AWS::S3::Bucket": make_bucket,
    "AWS::DynamoDB::Table": make_table,
    "AWS::SQS::Queue": make_queue,
}


def make_in_moto(aws: LocalAws, template: Template, handler: str) -> References:
    """Make in `aws` each resource of a kind moto serves that the function's
    environment names; their values, and the pseudo parameters', by reference."""
    references: References = {**PSEUDO_PARAMETERS, "AWS::Region": aws.region}
    resources = template["Resources"]
    for logical_id in dict.fromkeys(referenced_ids(function_variables(template, handler))):
        resource = resources.get(logical_id)
        make = resource and MADE_IN_MOTO.get(resource["Type"])
        if make:
            references.update(make(aws, logical_id, resource.get("Properties", {})))
    return references
