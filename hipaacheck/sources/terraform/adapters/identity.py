"""KMS keys and IAM policies (managed, inline on roles/users/groups, and role inline_policy blocks)."""

from __future__ import annotations

from typing import Any

from ....derive.policy_document import DocumentError, identity_policy_facts
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker
from .builder import Builder, known_str, to_bool, to_int

_INLINE_KINDS = {
    "aws_iam_role_policy": ("role-inline", "role"),
    "aws_iam_user_policy": ("user-inline", "user"),
    "aws_iam_group_policy": ("group-inline", "group"),
}


def kms_keys(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_kms_key"):
        b = Builder(plan, resource, "kms_key")
        b.tags()
        enabled = b.take("enabled", "is_enabled", to_bool, default=True)
        if isinstance(enabled, bool):
            b.set("key_state", "Enabled" if enabled else "Disabled")
        b.take("rotation_enabled", "enable_key_rotation", to_bool, default=False)
        b.take("key_spec", "customer_master_key_spec", known_str, default="SYMMETRIC_DEFAULT")
        b.take("key_usage", "key_usage", known_str, default="ENCRYPT_DECRYPT")
        b.take("deletion_window_days", "deletion_window_in_days", to_int)
        _key_origin(b)
        resources.append(b.build())
    for resource in plan.of_type("aws_kms_external_key"):
        # Imported key material (origin EXTERNAL): it cannot rotate automatically.
        b = Builder(plan, resource, "kms_key")
        b.tags()
        enabled = b.take("enabled", "enabled", to_bool)
        if isinstance(enabled, bool):
            b.set("key_state", "Enabled" if enabled else "Disabled")
        b.set("key_spec", "SYMMETRIC_DEFAULT")
        b.take("key_usage", "key_usage", known_str, default="ENCRYPT_DECRYPT")
        b.take("deletion_window_days", "deletion_window_in_days", to_int)
        b.set("origin", "EXTERNAL")
        resources.append(b.build())
    return resources


def _key_origin(b: Builder) -> None:
    """AWS_KMS unless the key lives in a custom key store (CloudHSM, or external when xks_key_id is set)."""
    store = b.resource.raw.get("custom_key_store_id")
    external = b.resource.raw.get("xks_key_id")
    if (store is UNKNOWN or external is UNKNOWN) and b.plan.configured(b.resource, "custom_key_store_id"):
        b.unknown("origin", f"{b.resource.address}.custom_key_store_id is known only after apply")
        return
    if isinstance(store, str) and store:
        b.set("origin", "EXTERNAL_KEY_STORE" if isinstance(external, str) and external else "AWS_CLOUDHSM")
    elif store is None or store is UNKNOWN or store == "":
        b.set("origin", "AWS_KMS")
    else:
        b.error("origin", f"malformed value in the plan ({b.resource.address}.custom_key_store_id)")


def _document_facts(b: Builder, source: PlanResource, raw_path: str, document: Any) -> None:
    if document is UNKNOWN:
        reason = f"{source.address}.policy is known only after apply"
        for path in ("allows_admin", "admin_statements", "allows_not_action"):
            b.unknown(path, reason)
        return
    try:
        facts = identity_policy_facts(document if document is not None else "{}")
    except DocumentError as exc:
        for path in ("allows_admin", "admin_statements", "allows_not_action"):
            b.error(path, f"{source.address}.{raw_path}: {exc}")
        return
    b.set("allows_admin", facts.allows_admin)
    b.set("admin_statements", facts.admin_statements)
    b.set("allows_not_action", facts.allows_not_action)


def iam_policies(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_iam_policy"):
        b = Builder(plan, resource, "iam_policy")
        b.take("policy_name", "name", known_str)
        b.set("kind", "managed")
        _document_facts(b, resource, "policy", resource.raw.get("policy"))
        resources.append(b.build(name=known_str(resource.raw.get("name"))))
    for resource in plan.of_type(*_INLINE_KINDS):
        kind, owner = _INLINE_KINDS[resource.type]
        b = Builder(plan, resource, "iam_policy")
        b.take("policy_name", "name", known_str)
        b.set("kind", kind)
        b.take("attached_to", owner, known_str)
        _document_facts(b, resource, "policy", resource.raw.get("policy"))
        resources.append(b.build(name=known_str(resource.raw.get("name"))))
    for role in plan.of_type("aws_iam_role"):
        blocks = role.raw.get("inline_policy")
        for i, block in enumerate(blocks if isinstance(blocks, list) else []):
            if not isinstance(block, dict) or (
                not block.get("policy") and not role.raw.is_unknown(f"inline_policy.{i}.policy", partial=False)
            ):
                continue
            b = Builder(plan, role, "iam_policy", f"{role.address}.inline_policy[{i}]")
            b.set("policy_name", known_str(block.get("name")))
            b.set("kind", "role-inline")
            b.take("attached_to", "name", known_str)
            _document_facts(b, role, f"inline_policy.{i}.policy", role.raw.get(f"inline_policy.{i}.policy"))
            resources.append(b.build())
    return resources
