"""SQS queues and SNS topics."""

from __future__ import annotations

from ....derive.service_defaults import SERVICE_DEFAULTS
from ....models import Resource
from ..plan import Plan
from ..raw import UNKNOWN
from ..references import Linker
from .builder import Builder, known_str, to_bool


def sqs_queues(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_sqs_queue"):
        b = Builder(plan, resource, "sqs_queue")
        b.tags()
        b.take("queue_name", "name", known_str)
        key = b.take("kms_master_key_id", "kms_master_key_id", known_str)
        if key is None and resource.action in ("create", "replace"):
            # A new queue without a KMS key gets SSE-SQS unless the configuration turns it off.
            managed = b.take_or_default(
                "sqs_managed_sse", "sqs_managed_sse_enabled", to_bool, SERVICE_DEFAULTS["sqs.sqs_managed_sse"]
            )
        else:
            managed = b.take("sqs_managed_sse", "sqs_managed_sse_enabled", to_bool)
        if key is UNKNOWN and plan.configured(resource, "kms_master_key_id"):
            b.set("encrypted", True)  # a key reference that resolves at apply: SSE-KMS will be on
        elif key is UNKNOWN or (key is None and managed is UNKNOWN):
            b.unknown("encrypted", f"{resource.address} encryption settings are known only after apply")
        else:
            b.set("encrypted", key is not None or managed is True)
            if key is None and "sqs_managed_sse" in b.notes:
                b.notes["encrypted"] = b.notes["sqs_managed_sse"]
        resources.append(b.build(name=known_str(resource.raw.get("name"))))
    return resources


def sns_topics(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_sns_topic"):
        b = Builder(plan, resource, "sns_topic")
        b.tags()
        b.take("topic_name", "name", known_str)
        b.take("kms_master_key_id", "kms_master_key_id", known_str)
        resources.append(b.build(name=known_str(resource.raw.get("name"))))
    return resources
