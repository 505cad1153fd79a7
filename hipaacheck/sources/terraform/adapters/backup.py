"""AWS Backup from a plan: backup_plan, backup_vault, and which stores the selections cover.

``aws_backup_selection`` blocks become derive.backup_selection.Selection
values and every store (RDS instance and cluster, DynamoDB table, EFS, EBS
volume or instance device) a Store whose ARN is a template with holes for
what only apply names (the account, a generated id); the shared matcher
decides ``backup_plan_protected``, as it does for a live account.
A selection's ``resources`` that is known only after apply (references to
the stores' ARNs) names the stores its configuration references; when those
references cannot be pinned to stores, stores whose ARN is not known yet may
be among them (unknown).
"""

from __future__ import annotations

import weakref
from typing import Any

from ....derive.backup_schedule import BadSchedule, interval_hours, rules_summary
from ....derive.backup_selection import (
    HOLE,
    OPERATORS,
    STRING_EQUALS,
    Selection,
    Store,
    TagCondition,
    describe,
    protection,
    tag_condition,
)
from ....derive.policy_document import DocumentError
from ....derive.resource_policy import resource_policy_facts
from ....derive.service_defaults import SERVICE_DEFAULTS
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved
from .builder import Builder, known_str, to_bool, to_int

# Terraform type -> (ARN service, resource part before the identifier, attribute naming it or None).
_ARN_SHAPES: dict[str, tuple[str, str, str | None]] = {
    "aws_db_instance": ("rds", "db:", "identifier"),
    "aws_rds_cluster": ("rds", "cluster:", "cluster_identifier"),
    "aws_dynamodb_table": ("dynamodb", "table/", "name"),
    "aws_efs_file_system": ("elasticfilesystem", "file-system/", None),
    "aws_ebs_volume": ("ec2", "volume/", None),
    "aws_instance": ("ec2", "instance/", None),
}
STORE_TYPES = tuple(_ARN_SHAPES)
_PARTITIONS = (("us-gov-", "aws-us-gov"), ("cn-", "aws-cn"))
_CONDITION_BLOCKS = {"string_equals": OPERATORS[0], "string_like": OPERATORS[1]} | {
    "string_not_equals": OPERATORS[2],
    "string_not_like": OPERATORS[3],
}


def store_of(plan: Plan, resource: PlanResource) -> Store:
    """The store as the matcher sees it: its ARN (a template before apply) and its tags."""
    arn = resource.raw.get("arn")
    if not (isinstance(arn, str) and arn.startswith("arn:")):
        service, prefix, name_attribute = _ARN_SHAPES[resource.type]
        region = plan.provider_region(resource.provider_key)
        partition = next((p for start, p in _PARTITIONS if (region or "").startswith(start)), "aws")
        name = resource.raw.get(name_attribute) if name_attribute else None
        name = name if isinstance(name, str) and name else HOLE
        arn = f"arn:{partition}:{service}:{region or HOLE}:{HOLE}:{prefix}{name}"
    tags = resource.raw.get("tags_all")
    if tags is None:
        tags = resource.raw.get("tags")
    shown: dict[str, str] | None
    if tags is UNKNOWN:
        shown = None
    elif isinstance(tags, dict) and all(isinstance(v, str) for v in tags.values()):
        shown = {str(k): v for k, v in tags.items()}
    else:
        shown = {} if tags is None else None
    return Store(resource.address, arn, shown)


def _named(linker: Linker, selection: PlanResource, attribute: str) -> tuple[tuple[str, ...], frozenset[str], bool]:
    """(literal patterns, stores certainly named, open) for resources / not_resources."""
    value = selection.raw.get(attribute)
    if value is None or (value is UNKNOWN and not linker.plan.configured(selection, attribute)):
        return (), frozenset(), False  # not written: the provider reports the computed empty set as unknown
    if value is not UNKNOWN:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{selection.address}.{attribute} is not a list of ARNs")
        return tuple(value), frozenset(), False
    if not _arns_only(linker.plan.expressions(selection).get(attribute)):
        return (), frozenset(), True
    parent = linker.parent(selection, attribute, STORE_TYPES, ("arn",))
    if isinstance(parent, Unresolved):
        if parent.open:
            return (), frozenset(), True
        return (), frozenset(c.address for c in parent.candidates), False
    if parent is None:
        return (), frozenset(), True
    return (), frozenset({parent.address}), False


def _arns_only(expression: Any) -> bool:
    """Every store the expression names, it names by ARN: ``aws_db_instance.x.arn``, not ``.id``.

    Terraform lists both ``aws_x.y.arn`` and the bare ``aws_x.y``; another attribute of a store is
    not its ARN (AWS Backup matches ARNs), so such a list cannot name the store for certain.
    """
    references = expression.get("references") if isinstance(expression, dict) else None
    for reference in references if isinstance(references, list) else ():
        parts = str(reference).split(".")
        if len(parts) >= 3 and parts[0] in STORE_TYPES and parts[2].split("[")[0] != "arn":
            return False
    return True


def _text(value: Any) -> str | None:
    if value is UNKNOWN:
        return None
    if not isinstance(value, str):
        raise ValueError("a selection condition key or value is not text")
    return value


def _blocks(plan: Plan, selection: PlanResource, path: str) -> list[Any] | None:
    """The blocks at ``path``; None when they are known only after apply."""
    value = selection.raw.get(path)
    if value is UNKNOWN:
        return None if plan.configured(selection, path.split(".")[0]) else []
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{selection.address}.{path} is not a list of blocks")
    return value


# Stands for tag conditions written in the configuration whose values only apply shows.
_UNKNOWN_CONDITION = TagCondition(STRING_EQUALS, HOLE, None)


def _tag_conditions(plan: Plan, selection: PlanResource) -> tuple[tuple[TagCondition, ...], tuple[TagCondition, ...]]:
    raw = selection.raw
    listed: list[TagCondition] = []
    tag_blocks = _blocks(plan, selection, "selection_tag")
    if tag_blocks is None:
        listed.append(_UNKNOWN_CONDITION)
    for i, _block in enumerate(tag_blocks or []):
        kind = raw.get(f"selection_tag.{i}.type")
        if kind is not UNKNOWN and str(kind).upper() != "STRINGEQUALS":
            raise ValueError(f"{selection.address}: selection_tag type {kind!r}")
        key = _text(raw.get(f"selection_tag.{i}.key"))
        listed.append(tag_condition(STRING_EQUALS, key or HOLE, _text(raw.get(f"selection_tag.{i}.value"))))
    conditions: list[TagCondition] = []
    condition_blocks = _blocks(plan, selection, "condition")
    if condition_blocks is None:
        conditions.append(_UNKNOWN_CONDITION)
    for i, _block in enumerate(condition_blocks or []):
        for block_name, operator in _CONDITION_BLOCKS.items():
            entries = _blocks(plan, selection, f"condition.{i}.{block_name}")
            if entries is None:
                conditions.append(_UNKNOWN_CONDITION)
            for j, _entry in enumerate(entries or []):
                path = f"condition.{i}.{block_name}.{j}"
                key = _text(raw.get(f"{path}.key"))
                conditions.append(tag_condition(operator, key or HOLE, _text(raw.get(f"{path}.value"))))
    return tuple(listed), tuple(conditions)


# Read once per plan: every store of five types asks (a plan object is the key, never its contents).
_READ: weakref.WeakKeyDictionary[Plan, list[tuple[Selection, str | None]] | Exception] = weakref.WeakKeyDictionary()


def selections(plan: Plan, linker: Linker) -> list[tuple[Selection, str | None]]:
    """Every selection of the plan with its region; a selection that cannot be read raises ValueError."""
    read = _READ.get(plan)
    if read is None:
        try:
            read = _read_selections(plan, linker)
        except (ValueError, TypeError) as exc:
            read = exc
        _READ[plan] = read
    if isinstance(read, Exception):
        raise read
    return read


def _read_selections(plan: Plan, linker: Linker) -> list[tuple[Selection, str | None]]:
    found: list[tuple[Selection, str | None]] = []
    for resource in plan.of_type("aws_backup_selection"):
        resources, named, open_resources = _named(linker, resource, "resources")
        not_resources, not_named, open_not = _named(linker, resource, "not_resources")
        listed, conditions = _tag_conditions(plan, resource)
        found.append(
            (
                Selection(
                    name=resource.address,
                    resources=resources,
                    not_resources=not_resources,
                    list_of_tags=listed,
                    conditions=conditions,
                    named=named,
                    not_named=not_named,
                    open_resources=open_resources,
                    open_not_resources=open_not,
                ),
                plan.provider_region(resource.provider_key),
            )
        )
    return found


def set_protection(b: Builder, linker: Linker, subject: PlanResource | None = None) -> None:
    """backup_plan_protected on a store (``subject``: the instance whose backup covers a device)."""
    plan, target = b.plan, subject or b.resource
    try:
        in_plan = selections(plan, linker)
    except (ValueError, TypeError) as exc:
        b.error("backup_plan_protected", f"malformed value in the plan ({exc})")
        return
    region = plan.provider_region(target.provider_key)
    # A selection backs up resources of its own Region only.
    regional = [s for s, r in in_plan if r == region or r is None or region is None]
    result = protection(store_of(plan, target), regional)
    if result.protected is None:
        b.unknown("backup_plan_protected", f"{target.address}: {describe(result)}")
        return
    b.set("backup_plan_protected", result.protected)
    b.notes["backup_plan_protected"] = describe(result)


def backup_plans(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_backup_plan"):
        b = Builder(plan, resource, "backup_plan")
        b.tags()
        b.take("name", "name", known_str)
        _rules(b, resource)
        resources.append(b.build(name=known_str(resource.raw.get("name"))))
    return resources


def _rules(b: Builder, resource: PlanResource) -> None:
    rules = resource.raw.get("rule")
    fields = ("rule_count", "interval_hours", "daily_or_more_often", "retention_days", "retention_forever")
    if rules is UNKNOWN:
        for field in (*fields, "continuous_backup", "target_vaults"):
            b.unknown(field, f"{resource.address}.rule is known only after apply")
        return
    if not isinstance(rules, list) or not rules:
        for field in fields:
            b.error(field, f"malformed value in the plan ({resource.address}.rule is not a list of rules)")
        return
    b.set("rule_count", len(rules))
    intervals: list[int] = []
    retention: list[int] = []
    forever = True
    vaults: list[str] = []
    continuous = False
    for i in range(len(rules)):
        raw = resource.raw
        schedule = raw.get(f"rule.{i}.schedule")
        if schedule is UNKNOWN:
            b.unknown("interval_hours", f"{resource.address} rule {i} schedule is known only after apply")
            b.unknown("daily_or_more_often", f"{resource.address} rule {i} schedule is known only after apply")
        else:
            try:
                intervals.append(interval_hours(schedule if isinstance(schedule, str) and schedule else None))
            except BadSchedule as exc:
                b.error("interval_hours", f"{resource.address} rule {i}: schedule not understood ({exc})")
                b.error("daily_or_more_often", f"{resource.address} rule {i}: schedule not understood ({exc})")
        delete_after = to_int(raw.get(f"rule.{i}.lifecycle.0.delete_after"))
        if delete_after is UNKNOWN:
            b.unknown("retention_days", f"{resource.address} rule {i} delete_after is known only after apply")
            b.unknown("retention_forever", f"{resource.address} rule {i} delete_after is known only after apply")
        elif isinstance(delete_after, int) and delete_after > 0:
            retention.append(delete_after)
            forever = False
        vault = raw.get(f"rule.{i}.target_vault_name")
        if isinstance(vault, str) and vault not in vaults:
            vaults.append(vault)
        continuous = continuous or to_bool(raw.get(f"rule.{i}.enable_continuous_backup")) is True
    _summarise(b, intervals, retention, forever)
    b.set("target_vaults", vaults)
    b.set("continuous_backup", continuous)


def _summarise(b: Builder, intervals: list[int], retention: list[int], forever: bool) -> None:
    """The plan-level facts, by the rule the live collector uses too (derive.backup_schedule)."""
    summary = rules_summary(intervals, [*retention] if not forever else [None])
    if "interval_hours" not in b.gaps and "interval_hours" in summary:
        b.set("interval_hours", summary["interval_hours"])
    # One daily rule is enough: a rule known to run daily decides despite an unknown one.
    if summary["daily_or_more_often"]:
        b.gaps.pop("daily_or_more_often", None)
        b.set("daily_or_more_often", True)
    elif "daily_or_more_often" not in b.gaps:
        b.set("daily_or_more_often", False)
    if "retention_days" not in b.gaps:
        b.set("retention_days", summary.get("retention_days"))
        b.set("retention_forever", summary["retention_forever"])


def backup_vaults(plan: Plan, linker: Linker) -> list[Resource]:
    locks = _children(plan, linker, "aws_backup_vault_lock_configuration")
    policies = _children(plan, linker, "aws_backup_vault_policy")
    keys = {k.address for k in plan.of_type("aws_kms_key")}
    resources = []
    for resource in plan.of_type("aws_backup_vault"):
        b = Builder(plan, resource, "backup_vault")
        b.tags()
        b.take("name", "name", known_str)
        _key(b, linker, resource, keys)
        _lock(b, locks.get(resource.address))
        _policy(b, policies.get(resource.address))
        resources.append(b.build(name=known_str(resource.raw.get("name"))))
    return resources


Joined = tuple[PlanResource | None, str | None]  # (the part, or None; why it may join but is not known)


def _children(plan: Plan, linker: Linker, child_type: str) -> dict[str, Joined]:
    joined: dict[str, Joined] = {}
    for child in plan.of_type(child_type):
        parent = linker.parent(child, "backup_vault_name", ("aws_backup_vault",), ("name",))
        if isinstance(parent, Unresolved):
            for candidate in parent.candidates:
                if joined.get(candidate.address, (None, None))[0] is None:
                    joined[candidate.address] = (None, f"{child.address}: {parent.reason}")
        elif parent is not None:
            joined[parent.address] = (child, None)
    return joined


def _key(b: Builder, linker: Linker, resource: PlanResource, keys: set[str]) -> None:
    if b.is_unset("kms_key_arn") and b.action in ("create", "replace"):
        default = SERVICE_DEFAULTS["backup_vault.kms_key"]
        b.default("kms_key_customer_managed", False, default.rule)
        return
    arn = b.take("kms_key_arn", "kms_key_arn", known_str)
    parent = linker.parent(resource, "kms_key_arn", ("aws_kms_key",), ("arn", "key_id", "id"))
    # An aws_kms_key is always customer managed; an alias/aws/... key is AWS managed.
    if isinstance(parent, PlanResource) or (isinstance(parent, Unresolved) and parent.candidates and not parent.open):
        b.set("kms_key_customer_managed", True)
    elif isinstance(arn, str) and (arn.startswith("alias/aws/") or ":alias/aws/" in arn):
        b.set("kms_key_customer_managed", False)
    elif arn is UNKNOWN:
        b.unknown("kms_key_customer_managed", f"{resource.address}.kms_key_arn is known only after apply")
    else:
        b.not_managed("kms_key_customer_managed", f"{resource.address}: the key is not managed by this plan")


def _lock(b: Builder, joined: Joined | None) -> None:
    if joined is None:
        b.set("locked", False)
        return
    lock, maybe = joined
    if lock is None:
        b.unknown("locked", maybe or "a vault lock configuration may join this vault")
        return
    b.absorb(lock, "locked")
    b.set("locked", True)
    b.take("lock_min_retention_days", "min_retention_days", to_int, source=lock)


def _policy(b: Builder, joined: Joined | None) -> None:
    if joined is None:
        b.set("policy_present", False)
        b.set("policy_public", False)
        return
    holder, maybe = joined
    if holder is None:
        b.unknown("policy_present", maybe or "a vault policy may join this vault")
        b.unknown("policy_public", maybe or "a vault policy may join this vault")
        return
    b.absorb(holder, "policy_public")
    b.set("policy_present", True)
    document = holder.raw.get("policy")
    if document is UNKNOWN:
        b.unknown("policy_public", f"{holder.address}.policy is known only after apply")
        return
    try:
        b.set("policy_public", resource_policy_facts(document, None).public)
    except DocumentError as exc:
        b.error("policy_public", f"{holder.address}.policy: {exc}")
