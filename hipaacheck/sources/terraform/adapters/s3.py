"""aws_s3_bucket, its v3-style inline blocks and its v4+ split resources -> s3_bucket.

Both styles give the same canonical bucket. A split resource wins over an
inline block. A sub-resource that is missing means the S3 default (which
for encryption is SSE-S3, not "unencrypted"); a sub-resource whose target
bucket cannot be pinned down before apply makes that field unknown on the
buckets that did not get one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....derive.cloudtrail import object_events_logged
from ....derive.policy_document import DocumentError
from ....derive.resource_policy import resource_policy_facts
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved
from .builder import Builder, known_str, to_bool
from .logs import data_event_trails

_PUBLIC_CANNED = {"public-read", "public-read-write", "authenticated-read"}
_PUBLIC_GRANTEES = ("acs.amazonaws.com/groups/global/AllUsers", "acs.amazonaws.com/groups/global/AuthenticatedUsers")
_PAB_FLAGS = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")

Fold = Callable[[Builder, PlanResource, str], None]


def _fold_encryption(b: Builder, src: PlanResource, prefix: str) -> None:
    rule = f"{prefix}rule.0.apply_server_side_encryption_by_default.0"
    b.take("encryption.algorithm", f"{rule}.sse_algorithm", source=src)
    b.take("encryption.kms_key_id", f"{rule}.kms_master_key_id", known_str, source=src)
    b.take("encryption.bucket_key_enabled", f"{prefix}rule.0.bucket_key_enabled", to_bool, source=src)


def _fold_public_access_block(b: Builder, src: PlanResource, prefix: str) -> None:
    values = [b.take(f"public_access_block.{flag}", flag, to_bool, default=False, source=src) for flag in _PAB_FLAGS]
    b.set("public_access_block.all_enabled", UNKNOWN if UNKNOWN in values else all(v is True for v in values))


_PARTITIONS = (("us-gov-", "aws-us-gov"), ("cn-", "aws-cn"))


def _bucket_arn(plan: Plan, bucket: PlanResource) -> str | None:
    """The bucket's ARN, or one built from its name (arn:aws:s3:::NAME); None before apply names it."""
    arn = bucket.raw.get("arn")
    if isinstance(arn, str) and arn.startswith("arn:"):
        return arn
    name = bucket.raw.get("bucket")
    if not isinstance(name, str) or not name:
        return None
    region = plan.provider_region(bucket.provider_key) or ""
    partition = next((p for prefix, p in _PARTITIONS if region.startswith(prefix)), "aws")
    return f"arn:{partition}:s3:::{name}"


def _fold_policy(b: Builder, src: PlanResource, prefix: str) -> None:
    document = src.raw.get("policy")
    b.set("policy.present", True)
    if document is UNKNOWN:
        reason = f"{src.address}.policy is known only after apply (it is built from values Terraform computes)"
        b.unknown("policy.public", reason)
        b.unknown("policy.denies_insecure_transport", reason)
        return
    try:
        facts = resource_policy_facts(document, _bucket_arn(b.plan, b.resource))
    except DocumentError as exc:
        b.error("policy.public", f"{src.address}.policy: {exc}")
        b.error("policy.denies_insecure_transport", f"{src.address}.policy: {exc}")
        return
    b.set("policy.public", facts.public)
    if facts.denies_insecure_transport is None:
        b.unknown(
            "policy.denies_insecure_transport",
            f"whether {src.address}.policy's Deny covers the bucket's objects depends on the bucket name, "
            "known only after apply",
        )
    else:
        b.set("policy.denies_insecure_transport", facts.denies_insecure_transport)


def _fold_acl(b: Builder, src: PlanResource, prefix: str) -> None:
    canned = b.take("acl.canned", "acl", source=src)
    grants_attribute = "grant" if src.type == "aws_s3_bucket" else "access_control_policy"
    grants = src.raw.get("grant" if src.type == "aws_s3_bucket" else "access_control_policy.0.grant")
    if grants is UNKNOWN and not b.plan.configured(src, grants_attribute):
        grants = []  # the provider computes the grants from the canned ACL; none were written
    if canned is not None and canned is not UNKNOWN and not isinstance(canned, str):
        b.error("acl.public", f"malformed value in the plan ({src.address} acl is not a string)")
        return
    if grants is not None and grants is not UNKNOWN and not isinstance(grants, list):
        b.error("acl.public", f"malformed value in the plan ({src.address} grants are not a list)")
        return
    if canned in _PUBLIC_CANNED:
        b.set("acl.public", True)
        return
    if canned is UNKNOWN or grants is UNKNOWN:
        b.unknown("acl.public", f"{src.address} ACL is known only after apply")
        return
    public = canned in _PUBLIC_CANNED
    for grant in grants if isinstance(grants, list) else []:
        grantees = grant.get("grantee") if isinstance(grant, dict) else None
        for grantee in grantees if isinstance(grantees, list) else [grant]:
            uri = grantee.get("uri") if isinstance(grantee, dict) else None
            if isinstance(uri, str) and uri.endswith(_PUBLIC_GRANTEES):
                public = True
    b.set("acl.public", public)


def _fold_versioning(b: Builder, src: PlanResource, prefix: str) -> None:
    if src.type == "aws_s3_bucket":
        b.take("versioning.enabled", "versioning.0.enabled", to_bool, source=src)
        b.take("versioning.mfa_delete", "versioning.0.mfa_delete", to_bool, source=src)
        return
    status = src.raw.get("versioning_configuration.0.status")
    if status is UNKNOWN:
        b.unknown("versioning.enabled", f"{src.address} versioning status is known only after apply")
    else:
        b.set("versioning.enabled", status == "Enabled")
    mfa = src.raw.get("versioning_configuration.0.mfa_delete")
    b.set("versioning.mfa_delete", mfa == "Enabled" if isinstance(mfa, str) else mfa)


def _fold_logging(b: Builder, src: PlanResource, prefix: str) -> None:
    # target_bucket is required: a logging configuration that exists logs somewhere,
    # even when that bucket's name is known only after apply.
    target = src.raw.get(f"{prefix}target_bucket")
    if target is not None and target is not UNKNOWN and not isinstance(target, str):
        b.error("logging", f"malformed value in the plan ({src.address} target_bucket is not a bucket name)")
        return
    b.take("logging.target_bucket", f"{prefix}target_bucket", known_str, source=src)
    b.set("logging.enabled", True)


def _fold_object_lock(b: Builder, src: PlanResource, prefix: str) -> None:
    if src.type == "aws_s3_bucket":
        b.take("object_lock.enabled", "object_lock_enabled", to_bool, source=src)
        b.take("object_lock.mode", "object_lock_configuration.0.rule.0.default_retention.0.mode", source=src)
        return
    b.set("object_lock.enabled", True)
    b.take("object_lock.mode", "rule.0.default_retention.0.mode", source=src)


def _fold_replication(b: Builder, src: PlanResource, prefix: str) -> None:
    rules = src.raw.get(f"{prefix}rules" if src.type == "aws_s3_bucket" else "rule")
    if rules is UNKNOWN:
        b.unknown("replication_enabled", f"{src.address} replication rules are known only after apply")
        return
    if rules is not None and not isinstance(rules, list):
        b.error("replication_enabled", f"malformed value in the plan ({src.address} replication rules are not a list)")
        return
    b.set("replication_enabled", any(isinstance(r, dict) and r.get("status") == "Enabled" for r in rules or []))


# field -> (split resource type, fold, inline attribute on aws_s3_bucket, inline prefix, default)
_PARTS: dict[str, tuple[str, Fold, str, str, Any]] = {
    "encryption": (
        "aws_s3_bucket_server_side_encryption_configuration",
        _fold_encryption,
        "server_side_encryption_configuration",
        "server_side_encryption_configuration.0.",
        {"algorithm": "AES256"},
    ),
    "public_access_block": (
        "aws_s3_bucket_public_access_block",
        _fold_public_access_block,
        "",
        "",
        {"all_enabled": False},
    ),
    "policy": (
        "aws_s3_bucket_policy",
        _fold_policy,
        "policy",
        "",
        {"present": False, "public": False, "denies_insecure_transport": False},
    ),
    "acl": ("aws_s3_bucket_acl", _fold_acl, "acl", "", {"canned": "private", "public": False}),
    "versioning": ("aws_s3_bucket_versioning", _fold_versioning, "versioning", "", {"enabled": False}),
    "logging": ("aws_s3_bucket_logging", _fold_logging, "logging", "logging.0.", {"enabled": False}),
    "object_lock": (
        "aws_s3_bucket_object_lock_configuration",
        _fold_object_lock,
        "object_lock_configuration",
        "",
        {"enabled": False},
    ),
    "replication_enabled": (
        "aws_s3_bucket_replication_configuration",
        _fold_replication,
        "replication_configuration",
        "replication_configuration.0.",
        False,
    ),
}


def s3_buckets(plan: Plan, linker: Linker) -> list[Resource]:
    buckets = plan.of_type("aws_s3_bucket")
    if not buckets:
        return []
    builders = {bucket.address: Builder(plan, bucket, "s3_bucket") for bucket in buckets}
    done: dict[str, set[str]] = {address: set() for address in builders}
    for bucket in buckets:
        b = builders[bucket.address]
        b.take("bucket", "bucket", known_str)
        b.tags()
        for field, (_, fold, inline, prefix, _) in _PARTS.items():
            if inline and _inline_configured(plan, bucket, inline):
                fold(b, bucket, prefix)
                done[bucket.address].add(field)
    unresolved: dict[str, str] = {}
    for field, (split_type, fold, _, _, _) in _PARTS.items():
        for child in plan.of_type(split_type):
            parent = linker.parent(child, "bucket", ("aws_s3_bucket",), ("bucket", "id"))
            if isinstance(parent, Unresolved):
                unresolved.setdefault(field, parent.reason)
            elif parent is not None:
                target = builders[parent.address]
                # A split resource replaces whatever the inline block said.
                _clear(target, field)
                fold(target, child, "")
                target.absorb(child, field)
                done[parent.address].add(field)
    receivers = _log_receivers(plan, linker, buckets)
    resources = []
    for bucket in buckets:
        b = builders[bucket.address]
        b.set("receives_logs", bucket.address in receivers)
        _object_level_logging(plan, b)
        for field, (_, _, _, _, default) in _PARTS.items():
            if field in done[bucket.address]:
                continue
            if field in unresolved:
                b.unknown(field, unresolved[field])
            elif isinstance(default, dict):
                for key, value in default.items():
                    b.set(f"{field}.{key}", value)
            else:
                b.set(field, default)
        resources.append(b.build(name=known_str(b.attrs.get("bucket"))))
    return resources


# (resource type, attribute naming a destination bucket)
_LOG_SENDERS = (
    ("aws_s3_bucket_logging", "target_bucket"),
    ("aws_s3_bucket", "logging.0.target_bucket"),
    ("aws_cloudtrail", "s3_bucket_name"),
    ("aws_lb", "access_logs.0.bucket"),
)


def _log_receivers(plan: Plan, linker: Linker, buckets: list[PlanResource]) -> set[str]:
    """Addresses of buckets in this plan that other resources deliver logs to."""
    receivers: set[str] = set()
    by_name: dict[str, str] = {}
    for bucket in buckets:
        name = bucket.raw.get("bucket")
        if isinstance(name, str):
            by_name.setdefault(name, bucket.address)
    for sender_type, attribute in _LOG_SENDERS:
        for sender in plan.of_type(sender_type):
            if "." in attribute:  # a nested block: only its known value can name the bucket
                name = sender.raw.get(attribute)
                if isinstance(name, str) and name in by_name:
                    receivers.add(by_name[name])
                continue
            parent = linker.parent(sender, attribute, ("aws_s3_bucket",), ("bucket", "id"))
            if isinstance(parent, PlanResource):
                receivers.add(parent.address)
    return receivers


def _object_level_logging(plan: Plan, b: Builder) -> None:
    """Some trail in the plan records the bucket's object reads and writes (derive.cloudtrail decides)."""
    if not plan.of_type("aws_cloudtrail"):
        gone = plan.deleted("aws_cloudtrail", pure=True)
        if gone:  # the plan deletes every trail it manages: nothing records the bucket's objects
            b.set("object_level_logging", False)
            b.notes["object_level_logging"] = "this plan deletes " + ", ".join(t.address for t in gone)
        else:
            b.not_managed("object_level_logging", "not managed by this plan (it has no aws_cloudtrail)")
        return
    trails = data_event_trails(plan, plan.provider_region(b.resource.provider_key))
    name = b.attrs.get("bucket")
    logged = object_events_logged(name if isinstance(name, str) else "", trails)
    if logged is None or (logged is False and not isinstance(name, str)):
        b.unknown(
            "object_level_logging", "the bucket's name or the trails' data event selectors are known only after apply"
        )
    else:
        b.set("object_level_logging", logged)


def _inline_configured(plan: Plan, bucket: PlanResource, attribute: str) -> bool:
    """An inline block counts when it has a value; provider 5.x computes empty ones we must ignore."""
    value = bucket.raw.get(attribute)
    if value is UNKNOWN:
        return plan.configured(bucket, attribute)
    if attribute == "acl":
        return (isinstance(value, str) and bool(value)) or bool(bucket.raw.get("grant"))
    if attribute == "policy":
        return isinstance(value, str) and bool(value.strip())
    return isinstance(value, list) and bool(value) and any(v for v in value)


def _clear(b: Builder, field: str) -> None:
    b.attrs.pop(field, None)
    for path in [p for p in b.gaps if p == field or p.startswith(field + ".")]:
        del b.gaps[path]
