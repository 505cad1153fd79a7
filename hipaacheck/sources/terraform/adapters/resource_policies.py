"""Resource policies of queues, topics, keys and file systems, folded into their canonical resources.

The policy is inline (aws_sqs_queue.policy, aws_sns_topic.policy, aws_kms_key.policy) or a
sub-resource (aws_sqs_queue_policy, aws_sns_topic_policy, aws_kms_key_policy,
aws_efs_file_system_policy) joined to its parent like any other; the sub-resource wins.
``derive.resource_policy`` decides what the document means, as it does for the live source.
A resource with no policy gets the service's documented default. The existing adapters of
these types stay as they are: ``with_resource_policy`` wraps them in the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ....derive.policy_document import DocumentError
from ....derive.resource_policy import EFS, KMS, SNS, SQS, ServiceProfile, resource_policy_facts
from ....display import redact
from ....models import Gap, GapKind, Resource
from ....resource_types import RESOURCE_TYPES
from ..plan import Plan, PlanResource
from ..policy_sources import document_for
from ..raw import UNKNOWN
from ..references import Linker, describe
from .builder import Builder
from .joins import Joined, JoinSpec, join

_CHANGING = ("create", "update", "replace", "delete")


@dataclass(frozen=True, slots=True)
class PolicyTarget:
    canonical_type: str
    parent_types: tuple[str, ...]
    inline: str | None  # the parent's own policy attribute
    join: JoinSpec
    service: ServiceProfile
    tls: bool  # the service answers plain HTTP, so a TLS-only Deny matters
    default: dict[str, bool]  # the facts when no policy is written
    default_note: str


@dataclass(slots=True)
class Reading:
    values: dict[str, bool] = field(default_factory=dict)
    gaps: dict[str, Gap] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def _arn(resource: PlanResource) -> str | None:
    arn = resource.raw.get("arn")
    return arn if isinstance(arn, str) and arn.startswith("arn:") else None


def read_policy(
    linker: Linker,
    holder: PlanResource,
    attribute: str,
    parent: PlanResource | None,
    service: ServiceProfile,
    tls: bool,
) -> Reading:
    """The facts of ``holder.attribute``, a policy attached to ``parent`` (None: not known before apply)."""
    fields = ("public", "denies_insecure_transport") if tls else ("public",)
    reading = Reading(values={"present": True})
    if holder.raw.problem:
        reading.gaps = {f: Gap(GapKind.ERROR, f"malformed value in the plan ({holder.raw.problem})") for f in fields}
        return reading
    document: Any = holder.raw.get(attribute)
    deny_uncertain = False
    if document is UNKNOWN and parent is not None:
        rebuilt = document_for(linker, holder, parent)
        if rebuilt is not None:
            document, deny_uncertain = rebuilt.document, rebuilt.deny_uncertain
    if document is UNKNOWN or document is None:
        reason = f"{holder.address}.{attribute} is known only after apply (it is built from values Terraform computes)"
        reading.gaps = {f: Gap(GapKind.UNKNOWN, reason) for f in fields}
        return reading
    arn = _arn(parent) if parent is not None else None
    try:
        facts = resource_policy_facts(document, arn, service)
    except DocumentError as exc:
        reading.gaps = {f: Gap(GapKind.ERROR, f"{holder.address}.{attribute}: {exc}") for f in fields}
        return reading
    reading.values["public"] = facts.public
    if not tls:
        return reading
    if deny_uncertain and not facts.denies_insecure_transport:
        reading.gaps["denies_insecure_transport"] = Gap(
            GapKind.UNKNOWN,
            f"{holder.address}.{attribute}: a Deny statement's resources are built from references known only "
            "after apply",
        )
    elif facts.denies_insecure_transport is None:
        reading.gaps["denies_insecure_transport"] = Gap(
            GapKind.UNKNOWN,
            f"whether {holder.address}.{attribute}'s Deny covers this resource depends on its ARN, known only "
            "after apply",
        )
    else:
        reading.values["denies_insecure_transport"] = facts.denies_insecure_transport
    return reading


def _inline_written(plan: Plan, parent: PlanResource, attribute: str) -> bool:
    value = parent.raw.get(attribute)
    if value is UNKNOWN:
        return plan.configured(parent, attribute)
    return isinstance(value, str) and bool(value.strip())


def _reading(plan: Plan, linker: Linker, target: PolicyTarget, parent: PlanResource, joined: Joined) -> Reading:
    children = joined.children(parent)
    if len(children) > 1:
        reason = f"{describe(tuple(children))} all set this resource's policy: apply order decides which one stays"
        return Reading(gaps={f: Gap(GapKind.UNKNOWN, reason) for f in target.default if f != "present"})
    if children:
        return read_policy(linker, children[0], "policy", parent, target.service, target.tls)
    maybe = joined.maybe(parent)
    if maybe:
        # A policy whose queue/topic is named only at apply may be this one's.
        reason = "; ".join(f"{child.address} may apply to this resource: {u.reason}" for child, u in maybe)
        return Reading(gaps={f: Gap(GapKind.UNKNOWN, reason) for f in target.default if f != "present"})
    if target.inline is not None and _inline_written(plan, parent, target.inline):
        return read_policy(linker, parent, target.inline, parent, target.service, target.tls)
    return Reading(values=dict(target.default), notes={"policy": target.default_note})


def _apply(resource: Resource, reading: Reading) -> None:
    policy = resource.attrs.setdefault("policy", {})
    for key, value in reading.values.items():
        policy[key] = value
    for key, gap in reading.gaps.items():
        policy.pop(key, None)
        resource.gaps[f"policy.{key}"] = gap
    resource.notes.update(reading.notes)


Adapter = Callable[[Plan, Linker], list[Resource]]


def with_resource_policy(adapter: Adapter, target: PolicyTarget) -> Adapter:
    """``adapter``'s resources, each with the facts of its resource policy under ``policy``."""

    def adapt(plan: Plan, linker: Linker) -> list[Resource]:
        resources = adapter(plan, linker)
        parents = {redact(p.address): p for p in plan.of_type(*target.parent_types)}
        joined = join(linker, target.join)
        for resource in resources:
            parent = parents.get(resource.address)
            if parent is None or resource.type != target.canonical_type or "policy" in resource.gaps:
                continue  # not one of ours, or a resource whose every field is already an error
            _apply(resource, _reading(plan, linker, target, parent, joined))
            for child in joined.children(parent):
                if child.action in _CHANGING and resource.action not in _CHANGING:
                    resource.action = "update"
        resources.extend(_orphans(plan, linker, target, joined))
        return resources

    return adapt


def _orphans(plan: Plan, linker: Linker, target: PolicyTarget, joined: Joined) -> list[Resource]:
    """A public policy whose resource is not known before apply fails on its own address."""
    found = []
    for child, unresolved in joined.homeless():
        reading = read_policy(linker, child, "policy", None, target.service, target.tls)
        if reading.values.get("public") is not True:
            continue
        b = Builder(plan, child, target.canonical_type)
        b.set("policy.present", True)
        b.set("policy.public", True)
        for other in RESOURCE_TYPES[target.canonical_type].model_fields:
            if other not in ("policy", "tags"):  # no tags: in the PHI scope of every policy
                b.not_managed(other, f"{child.address} is the policy of a resource not known before apply")
        if target.tls:
            b.not_managed("policy.denies_insecure_transport", f"{child.address}: its resource is not known")
        targets = describe(unresolved.candidates) if unresolved.candidates else "a resource outside this plan"
        found.append(b.build(name=f"policy of one of {targets}"))
    return found


QUEUE = PolicyTarget(
    "sqs_queue",
    ("aws_sqs_queue",),
    "policy",
    JoinSpec("aws_sqs_queue_policy", "queue_url", ("aws_sqs_queue",), ("url", "id")),
    SQS,
    True,
    {"present": False, "public": False, "denies_insecure_transport": False},
    "no queue policy: only principals of the owner account that IAM allows can use the queue; "
    "nothing refuses plain HTTP",
)
TOPIC = PolicyTarget(
    "sns_topic",
    ("aws_sns_topic",),
    "policy",
    JoinSpec("aws_sns_topic_policy", "arn", ("aws_sns_topic",), ("arn", "id")),
    SNS,
    True,
    {"present": True, "public": False, "denies_insecure_transport": False},
    "no topic policy written: SNS applies its default policy (the owner account only, AWS:SourceOwner), "
    "which does not refuse plain HTTP",
)
KEY = PolicyTarget(
    "kms_key",
    ("aws_kms_key", "aws_kms_external_key"),
    "policy",
    JoinSpec("aws_kms_key_policy", "key_id", ("aws_kms_key", "aws_kms_external_key"), ("key_id", "id", "arn")),
    KMS,
    False,
    {"present": True, "public": False},
    "no key policy written: KMS applies the default key policy (the owner account's root principal)",
)
FILE_SYSTEM = PolicyTarget(
    "efs_file_system",
    ("aws_efs_file_system",),
    None,
    JoinSpec("aws_efs_file_system_policy", "file_system_id", ("aws_efs_file_system",), ("id", "arn")),
    EFS,
    True,
    {"present": False, "public": False, "denies_insecure_transport": False},
    "no file system policy: EFS admits any client that reaches a mount target (private VPC addresses), "
    "with or without TLS",
)
