"""AWS Backup plans and vaults, and the selections that decide the stores' backup_plan_protected.

Which stores are protected is read from the backup selections
(ListBackupSelections + GetBackupSelection) and matched to the collected
stores by derive.backup_selection, the matcher the plan adapter uses, not
from ListProtectedResources: that lists resources that *have a recovery
point* (including on-demand backups, and resources since removed from every
plan), while the question is whether a plan *will keep* backing the store up.
The same matcher on both sides also keeps plan and live verdicts equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ....derive.backup_schedule import BadSchedule, interval_hours, rules_summary
from ....derive.backup_selection import (
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
from ....models import Gap, GapKind, Resource
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context, Facts

_RULE_FIELDS = (
    "rule_count",
    "interval_hours",
    "daily_or_more_often",
    "retention_days",
    "retention_forever",
    "continuous_backup",
    "target_vaults",
)
CALLS = calls(
    Call("backup", "list_backup_plans", "backup:ListBackupPlans", (ALL_FIELDS,), paginate=True),
    Call("backup", "get_backup_plan", "backup:GetBackupPlan", _RULE_FIELDS),
    Call(
        "backup",
        "list_backup_selections",
        "backup:ListBackupSelections",
        (),
        paginate=True,
        note="which stores each plan backs up (the stores' backup_plan_protected)",
    ),
    Call(
        "backup",
        "get_backup_selection",
        "backup:GetBackupSelection",
        (),
        note="a selection's resources, exclusions and tag conditions (the stores' backup_plan_protected)",
    ),
    Call("backup", "list_tags", "backup:ListTags", ("tags",)),
    Call("backup", "list_backup_vaults", "backup:ListBackupVaults", (ALL_FIELDS,), paginate=True),
    Call(
        "backup",
        "describe_backup_vault",
        "backup:DescribeBackupVault",
        ("kms_key_arn", "kms_key_customer_managed", "locked", "lock_min_retention_days"),
    ),
    Call(
        "backup",
        "get_backup_vault_access_policy",
        "backup:GetBackupVaultAccessPolicy",
        ("policy_present", "policy_public"),
        frozenset({"ResourceNotFoundException"}),
    ),
    Call("kms", "describe_key", "kms:DescribeKey", ("kms_key_customer_managed",)),
)
C = CALLS

# Canonical store types whose backup_plan_protected the selections decide.
STORE_TYPES = ("db_instance", "db_cluster", "dynamodb_table", "efs_file_system", "ebs_volume")


def _conditions(raw: Any) -> tuple[TagCondition, ...]:
    found: list[TagCondition] = []
    for operator, entries in (raw or {}).items():
        for entry in entries or []:
            found.append(tag_condition(str(operator), str(entry["ConditionKey"]), str(entry["ConditionValue"])))
    return tuple(found)


def selection_from_api(name: str, raw: dict[str, Any]) -> Selection:
    """A GetBackupSelection ``BackupSelection`` as the shared matcher's Selection. Raises on a bad shape."""
    listed = []
    for entry in raw.get("ListOfTags") or []:
        if str(entry.get("ConditionType", "STRINGEQUALS")).upper() != "STRINGEQUALS":
            raise ValueError(f"ListOfTags condition type {entry.get('ConditionType')!r}")
        listed.append(tag_condition(STRING_EQUALS, str(entry["ConditionKey"]), str(entry["ConditionValue"])))
    return Selection(
        name=name,
        resources=tuple(str(r) for r in raw.get("Resources") or []),
        not_resources=tuple(str(r) for r in raw.get("NotResources") or []),
        list_of_tags=tuple(listed),
        conditions=_conditions(raw.get("Conditions")),
    )


def _selections(ctx: Context, plan_id: Any, plan_name: Any) -> list[Selection]:
    """Every selection of one plan; raises _Unread when one cannot be read."""
    region = ctx.where.region
    listing = ctx.fetch.call(C["list_backup_selections"], region, BackupPlanId=plan_id)
    if listing.error:
        raise _Unread(listing.error)
    found = []
    for member in listing.data.get("BackupSelectionsList") or []:
        got = ctx.fetch.call(
            C["get_backup_selection"], region, BackupPlanId=plan_id, SelectionId=member.get("SelectionId")
        )
        if got.error:
            raise _Unread(got.error)
        raw = got.data.get("BackupSelection") or {}
        found.append(selection_from_api(f"{plan_name}/{raw.get('SelectionName')}", raw))
    return found


def _plan(ctx: Context, item: dict[str, Any]) -> Resource:
    region, plan_id = ctx.where.region, item.get("BackupPlanId")
    arn = item.get("BackupPlanArn") or ctx.where.arn("backup", f"backup-plan:{plan_id}")
    name = item.get("BackupPlanName") or plan_id
    b = LiveBuilder("backup_plan", arn, ctx.where)
    b.set("name", name)
    got = ctx.fetch.call(C["get_backup_plan"], region, BackupPlanId=plan_id)
    if not b.failed(C["get_backup_plan"], got):
        _rules(b, (got.data.get("BackupPlan") or {}).get("Rules") or [])
    tags = ctx.fetch.call(C["list_tags"], region, ResourceArn=arn)
    if not b.failed(C["list_tags"], tags):
        b.tags(tag_map(tags.data.get("Tags")))
    return b.build(name)


class _Unread(Exception):
    """A selection could not be read: no store of the region can be called unprotected."""


def _rules(b: LiveBuilder, rules: list[dict[str, Any]]) -> None:
    intervals: list[int] = []
    retentions: list[int | None] = []
    vaults: list[str] = []
    try:
        for rule in rules:
            intervals.append(interval_hours(rule.get("ScheduleExpression")))
    except BadSchedule as exc:
        b.error(["interval_hours", "daily_or_more_often"], f"schedule not understood ({exc})")
    for rule in rules:
        days = (rule.get("Lifecycle") or {}).get("DeleteAfterDays")
        retentions.append(days if isinstance(days, int) and days > 0 else None)
        vault = rule.get("TargetBackupVaultName")
        if isinstance(vault, str) and vault not in vaults:
            vaults.append(vault)
    b.set("rule_count", len(rules))
    summary = rules_summary(intervals, retentions)
    for field, value in summary.items():
        if field not in b.gaps:
            b.set(field, value)
    b.set("target_vaults", vaults)
    b.set("continuous_backup", any(rule.get("EnableContinuousBackup") is True for rule in rules))


def _vault(ctx: Context, item: dict[str, Any]) -> Resource:
    region, name = ctx.where.region, item.get("BackupVaultName")
    arn = item.get("BackupVaultArn") or ctx.where.arn("backup", f"backup-vault:{name}")
    b = LiveBuilder("backup_vault", arn, ctx.where)
    b.set("name", name)
    described = ctx.fetch.call(C["describe_backup_vault"], region, BackupVaultName=name)
    if not b.failed(C["describe_backup_vault"], described):
        vault = described.data
        b.set("locked", vault.get("Locked") is True)
        b.set("lock_min_retention_days", vault.get("MinRetentionDays"))
        _key(ctx, b, vault.get("EncryptionKeyArn"), vault.get("EncryptionKeyType"))
    policy = ctx.fetch.call(C["get_backup_vault_access_policy"], region, BackupVaultName=name)
    if not b.failed(C["get_backup_vault_access_policy"], policy):
        document = None if policy.not_configured else policy.data.get("Policy")
        b.set("policy_present", document is not None)
        try:
            b.set("policy_public", False if document is None else resource_policy_facts(document, arn).public)
        except DocumentError as exc:
            b.error(["policy_public"], f"unexpected vault access policy from AWS ({exc})")
    tags = ctx.fetch.call(C["list_tags"], region, ResourceArn=arn)
    if not b.failed(C["list_tags"], tags):
        b.tags(tag_map(tags.data.get("Tags")))
    return b.build(name)


def _key(ctx: Context, b: LiveBuilder, key_arn: Any, key_type: Any) -> None:
    b.set("kms_key_arn", key_arn)
    if key_type == "AWS_OWNED_KMS_KEY":
        b.set("kms_key_customer_managed", False)
        return
    if not isinstance(key_arn, str) or not key_arn:
        b.error(["kms_key_customer_managed"], "DescribeBackupVault named no encryption key")
        return
    described = ctx.fetch.call(C["describe_key"], ctx.where.region, KeyId=key_arn)
    if not b.failed(C["describe_key"], described):
        manager = (described.data.get("KeyMetadata") or {}).get("KeyManager")
        b.set("kms_key_customer_managed", manager == "CUSTOMER")


def collect(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    resources: list[Resource] = []
    plans = ctx.fetch.call(C["list_backup_plans"], region)
    if plans.error:
        resources.append(placeholder("backup_plan", ctx.where, plans.error))
        _record(ctx.facts, region, None, plans.error)
    else:
        selections: list[Selection] = []
        unread: str | None = None
        for item in plans.data.get("BackupPlansList") or []:
            resources.append(_plan(ctx, item))
            try:
                selections.extend(_selections(ctx, item.get("BackupPlanId"), item.get("BackupPlanName")))
            except _Unread as exc:
                unread = unread or str(exc)
        _record(ctx.facts, region, selections, unread)
    vaults = ctx.fetch.call(C["list_backup_vaults"], region)
    if vaults.error:
        resources.append(placeholder("backup_vault", ctx.where, vaults.error))
    else:
        resources.extend(_vault(ctx, item) for item in vaults.data.get("BackupVaultList") or [])
    return resources


def _record(facts: Facts, region: str, selections: list[Selection] | None, unread: str | None) -> None:
    with facts.lock:
        if selections is not None:
            facts.backup_selections[region] = selections
        if unread is not None:
            facts.backup_selections_unread[region] = unread


COLLECTOR = Collector("backup", ("backup_plan", "backup_vault"), CALLS, collect)


def link_protection(resources: Sequence[Resource], facts: Facts) -> None:
    """backup_plan_protected on every collected store, from its region's selections (run after collection)."""
    instances = {r.address: r for r in resources if r.type == "ec2_instance"}
    for store in resources:
        if store.type not in STORE_TYPES or store.gap_for("backup_plan_protected") is not None:
            continue
        if store.type == "db_instance" and store.attrs.get("cluster_identifier"):
            continue  # an Aurora member is backed up with its cluster, as in the plan adapter
        region = store.region or ""
        unread = facts.backup_selections_unread.get(region)
        selections = facts.backup_selections.get(region)
        candidates = [_store(store)]
        attached = instances.get(str(store.attrs.get("attached_to") or ""))
        if store.type == "ebs_volume" and attached is not None:
            candidates.append(_store(attached))  # an EC2 backup includes every attached volume
        results = [protection(c, selections or []) for c in candidates]
        result = next((r for r in results if r.protected), results[0])
        if result.protected:
            store.attrs["backup_plan_protected"] = True
            store.notes["backup_plan_protected"] = describe(result)
        elif selections is None or unread is not None:
            reason = unread or f"AWS Backup selections were not read in {region}"
            store.gaps["backup_plan_protected"] = Gap(GapKind.ERROR, f"backup selections could not be read ({reason})")
        elif result.protected is None:
            store.gaps["backup_plan_protected"] = Gap(GapKind.ERROR, describe(result))
        else:
            store.attrs["backup_plan_protected"] = False
            store.notes["backup_plan_protected"] = describe(result)


def _store(resource: Resource) -> Store:
    tags = None if resource.gap_for("tags") is not None else dict(resource.attrs.get("tags") or {})
    return Store(resource.address, resource.address, tags)
