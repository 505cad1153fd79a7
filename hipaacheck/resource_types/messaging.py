"""SQS queues and SNS topics."""

from __future__ import annotations

from .base import Tagged, doc
from .copies_secrets import ResourcePolicy


class SqsQueue(Tagged):
    queue_name: str | None = doc("Queue name.")
    kms_master_key_id: str | None = doc("KMS key for SSE-KMS.")
    sqs_managed_sse: bool | None = doc("SSE-SQS (SQS-owned keys) enabled.")
    encrypted: bool | None = doc("Either SSE-KMS or SSE-SQS is enabled.")
    policy: ResourcePolicy | None = doc("Facts derived from the resource policy (derive/resource_policy.py).")


class SnsTopic(Tagged):
    topic_name: str | None = doc("Topic name.")
    kms_master_key_id: str | None = doc("KMS key for server-side encryption.")
    policy: ResourcePolicy | None = doc("Facts derived from the resource policy (derive/resource_policy.py).")
