"""Customer managed KMS keys (AWS managed keys are AWS's to run, as in a plan, which never holds them)."""

from __future__ import annotations

from ....derive.resource_policy import KMS
from ....models import Resource
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context
from .resource_policies import apply_policy

CALLS = calls(
    Call("kms", "list_keys", "kms:ListKeys", (ALL_FIELDS,), paginate=True),
    Call("kms", "list_aliases", "kms:ListAliases", (), paginate=True),
    Call(
        "kms",
        "describe_key",
        "kms:DescribeKey",
        ("enabled", "key_state", "key_spec", "key_usage", "deletion_window_days", "origin", "rotation_enabled", "tags"),
    ),
    Call("kms", "get_key_rotation_status", "kms:GetKeyRotationStatus", ("rotation_enabled",)),
    Call("kms", "list_resource_tags", "kms:ListResourceTags", ("tags",), paginate=True),
    Call("kms", "get_key_policy", "kms:GetKeyPolicy", ("policy",)),
)
C = CALLS


def collect(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    listing = ctx.fetch.call(C["list_keys"], region)
    if listing.error:
        return [placeholder("kms_key", ctx.where, listing.error)]
    aliases = ctx.fetch.call(C["list_aliases"], region)
    names: dict[str, list[str]] = {}
    for alias in aliases.data.get("Aliases", []) if aliases.ok else []:
        if isinstance(alias, dict) and alias.get("TargetKeyId") and alias.get("AliasName"):
            names.setdefault(alias["TargetKeyId"], []).append(alias["AliasName"])
    resources = []
    for key in listing.data.get("Keys", []):
        key_id, arn = key.get("KeyId"), key.get("KeyArn")
        if not key_id:
            continue
        b = LiveBuilder("kms_key", arn or ctx.where.arn("kms", f"key/{key_id}"), ctx.where)
        described = ctx.fetch.call(C["describe_key"], region, KeyId=key_id)
        if b.failed(C["describe_key"], described):
            resources.append(b.build(key_id))
            continue
        meta = described.data.get("KeyMetadata") or {}
        # "alias/aws/" is reserved for AWS managed keys (moto reports KeyManager CUSTOMER for them).
        if meta.get("KeyManager") == "AWS" or any(a.startswith("alias/aws/") for a in names.get(key_id, [])):
            continue
        b.set("enabled", meta.get("Enabled"))
        b.set("key_state", meta.get("KeyState"))
        spec = meta.get("KeySpec") or meta.get("CustomerMasterKeySpec") or "SYMMETRIC_DEFAULT"
        b.set("key_spec", spec)
        b.set("key_usage", meta.get("KeyUsage"))
        b.set("deletion_window_days", meta.get("PendingDeletionWindowInDays"))
        origin = meta.get("Origin") or "AWS_KMS"
        b.set("origin", origin)
        if spec == "SYMMETRIC_DEFAULT" and origin == "AWS_KMS":
            rotation = ctx.fetch.call(C["get_key_rotation_status"], region, KeyId=key_id)
            if not b.failed(C["get_key_rotation_status"], rotation):
                b.set("rotation_enabled", rotation.data.get("KeyRotationEnabled") is True)
        else:
            b.set("rotation_enabled", False)  # automatic rotation does not exist for these keys
        policy = ctx.fetch.call(C["get_key_policy"], region, KeyId=key_id, PolicyName="default")
        if not b.failed(C["get_key_policy"], policy):
            default = {"present": True, "public": False}  # every key has a key policy
            apply_policy(b, policy.data.get("Policy"), b.address, KMS, tls=False, default=default)
        tags = ctx.fetch.call(C["list_resource_tags"], region, KeyId=key_id)
        if not b.failed(C["list_resource_tags"], tags):
            b.tags(tag_map(tags.data.get("Tags"), "TagKey", "TagValue"))
        first_alias = sorted(names.get(key_id, []))[:1]
        resources.append(b.build(first_alias[0] if first_alias else key_id))
    return resources


COLLECTOR = Collector("kms", ("kms_key",), CALLS, collect)
