"""SQS queues and SNS topics."""

from __future__ import annotations

from ....derive import resource_policy
from ....models import Resource
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context
from .resource_policies import apply_policy

SQS_CALLS = calls(
    Call("sqs", "list_queues", "sqs:ListQueues", (ALL_FIELDS,), paginate=True),
    Call(
        "sqs",
        "get_queue_attributes",
        "sqs:GetQueueAttributes",
        ("kms_master_key_id", "sqs_managed_sse", "encrypted", "policy"),
    ),
    Call("sqs", "list_queue_tags", "sqs:ListQueueTags", ("tags",)),
)
SNS_CALLS = calls(
    Call("sns", "list_topics", "sns:ListTopics", (ALL_FIELDS,), paginate=True),
    Call("sns", "get_topic_attributes", "sns:GetTopicAttributes", ("kms_master_key_id", "policy")),
    Call("sns", "list_tags_for_resource", "sns:ListTagsForResource", ("tags",)),
)

# No queue policy: the owner account only, nothing refuses plain HTTP. A topic always has a policy
# (SNS writes an owner-only default), which does not refuse plain HTTP.
NO_QUEUE_POLICY = {"present": False, "public": False, "denies_insecure_transport": False}
DEFAULT_TOPIC_POLICY = {"present": True, "public": False, "denies_insecure_transport": False}


def collect_queues(ctx: Context) -> list[Resource]:
    c, region = SQS_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["list_queues"], region)
    if listing.error:
        return [placeholder("sqs_queue", ctx.where, listing.error)]
    resources = []
    for url in listing.data.get("QueueUrls", []):
        name = str(url).rstrip("/").rsplit("/", 1)[-1]
        b = LiveBuilder("sqs_queue", ctx.where.arn("sqs", name), ctx.where)
        b.set("queue_name", name)
        attributes = ctx.fetch.call(c["get_queue_attributes"], region, QueueUrl=url, AttributeNames=["All"])
        if not b.failed(c["get_queue_attributes"], attributes):
            values = attributes.data.get("Attributes") or {}
            b.address = values.get("QueueArn") or b.address
            key = values.get("KmsMasterKeyId") or None
            managed = str(values.get("SqsManagedSseEnabled", "false")).lower() == "true"
            b.set("kms_master_key_id", key)
            b.set("sqs_managed_sse", managed)
            b.set("encrypted", key is not None or managed)
            apply_policy(b, values.get("Policy"), b.address, resource_policy.SQS, tls=True, default=NO_QUEUE_POLICY)
        tags = ctx.fetch.call(c["list_queue_tags"], region, QueueUrl=url)
        if not b.failed(c["list_queue_tags"], tags):
            b.tags(tag_map(tags.data.get("Tags") or {}))
        resources.append(b.build(name))
    return resources


def collect_topics(ctx: Context) -> list[Resource]:
    c, region = SNS_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["list_topics"], region)
    if listing.error:
        return [placeholder("sns_topic", ctx.where, listing.error)]
    resources = []
    for topic in listing.data.get("Topics", []):
        arn = str(topic.get("TopicArn"))
        name = arn.rsplit(":", 1)[-1]
        b = LiveBuilder("sns_topic", arn, ctx.where)
        b.set("topic_name", name)
        attributes = ctx.fetch.call(c["get_topic_attributes"], region, TopicArn=arn)
        if not b.failed(c["get_topic_attributes"], attributes):
            values = attributes.data.get("Attributes") or {}
            b.set("kms_master_key_id", values.get("KmsMasterKeyId") or None)
            apply_policy(b, values.get("Policy"), arn, resource_policy.SNS, tls=True, default=DEFAULT_TOPIC_POLICY)
        tags = ctx.fetch.call(c["list_tags_for_resource"], region, ResourceArn=arn)
        if not b.failed(c["list_tags_for_resource"], tags):
            b.tags(tag_map(tags.data.get("Tags")))
        resources.append(b.build(name))
    return resources


SQS = Collector("sqs", ("sqs_queue",), SQS_CALLS, collect_queues)
SNS = Collector("sns", ("sns_topic",), SNS_CALLS, collect_topics)
