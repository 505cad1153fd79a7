"""AWS Backup from a live (moto) account: plans, vaults, selections, and parity with the backup plan fixture.

The account is the one fixtures/terraform/backup/*.tf describes, seeded through
boto3 (tests/aws/backup_seed.py); the operations moto lacks are answered with
recorded responses in botocore's shapes. Terraform cannot apply the fixture to
moto (CreateBackupSelection and PutBackupVaultAccessPolicy are not
implemented there), so parity is shown on the same scenario seeded by hand:
every backup policy gives the same status on the plan and on the account.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate
from hipaacheck.models import GapKind, Resource
from hipaacheck.policy.loader import load_policies
from hipaacheck.sources.aws.options import ScanOptions
from hipaacheck.sources.aws.runner import scan_account
from hipaacheck.sources.terraform import load_plan_resources

from ..conftest import FIXTURES
from .backup_seed import AWS_MANAGED_KEY, seed_backup_account
from .conftest import REGION, in_process_moto, of_type

BACKUP_POLICIES = {
    "rds-instance-in-backup-plan",
    "rds-cluster-in-backup-plan",
    "dynamodb-table-in-backup-plan",
    "efs-file-system-in-backup-plan",
    "ebs-volume-in-backup-plan",
    "backup-plan-daily-frequency",
    "backup-plan-min-retention",
    "backup-vault-kms-cmk",
    "backup-vault-locked",
    "backup-vault-not-public",
    "efs-backup-policy-enabled",
    "elasticache-snapshot-retention",
}
# fixtures/terraform/backup plan address -> (canonical type, name of the live resource)
PLAN_TO_LIVE = {
    "aws_backup_plan.daily": ("backup_plan", "backup-daily"),
    "aws_backup_plan.weekly": ("backup_plan", "backup-weekly"),
    "aws_backup_vault.locked": ("backup_vault", "backup-locked"),
    "aws_backup_vault.unlocked": ("backup_vault", "backup-unlocked"),
    "aws_db_instance.listed_claims": ("db_instance", "listed-claims"),
    "aws_db_instance.excluded_reports": ("db_instance", "excluded-reports"),
    "aws_rds_cluster.tagged_ledger": ("db_cluster", "tagged-ledger"),
    "aws_dynamodb_table.listed_sessions": ("dynamodb_table", "listed-sessions"),
    "aws_dynamodb_table.orphan_audit": ("dynamodb_table", "orphan-audit"),
    "aws_efs_file_system.tagged_edi": ("efs_file_system", "tagged_edi"),
    "aws_efs_file_system.excluded_scratch": ("efs_file_system", "excluded_scratch"),
    "aws_ebs_volume.tagged_scans": ("ebs_volume", "tagged_scans"),
    "aws_ebs_volume.orphan_tmp": ("ebs_volume", "orphan_tmp"),
    "aws_elasticache_replication_group.sessions_cache": ("elasticache_replication_group", "sessions-cache"),
    "aws_elasticache_replication_group.short_cache": ("elasticache_replication_group", "short-cache"),
}


@pytest.fixture(scope="module")
def scanned() -> Iterator[Any]:
    with in_process_moto():
        recorded = seed_backup_account()
        yield scan_account(ScanOptions(regions=(REGION,), workers=4), recorded.attach)


def one(scanned: Any, type_name: str, name: str) -> Resource:
    found = of_type(scanned.resources, type_name)
    assert name in found, sorted(found)
    return found[name]


def test_the_scan_reads_everything(scanned: Any) -> None:
    assert scanned.notes == []
    for resource in scanned.resources:
        if resource.type in ("backup_plan", "backup_vault") or "backup_plan_protected" in resource.attrs:
            assert not resource.gaps, (resource.address, resource.gaps)


def test_backup_plans(scanned: Any) -> None:
    daily = one(scanned, "backup_plan", "backup-daily").attrs
    assert daily == {
        "name": "backup-daily",
        "rule_count": 2,
        "interval_hours": 4,
        "daily_or_more_often": True,
        "retention_days": 35,
        "retention_forever": False,
        "target_vaults": ["backup-locked"],
        "continuous_backup": True,
        "tags": {},
    }
    weekly = one(scanned, "backup_plan", "backup-weekly").attrs
    assert weekly["interval_hours"] == 168 and weekly["daily_or_more_often"] is False
    assert weekly["retention_days"] == 7 and weekly["continuous_backup"] is False


def test_backup_vaults(scanned: Any) -> None:
    locked = one(scanned, "backup_vault", "backup-locked").attrs
    assert locked["locked"] is True and locked["lock_min_retention_days"] == 35
    assert locked["kms_key_customer_managed"] is True
    assert locked["policy_present"] is True and locked["policy_public"] is False  # a Deny for everyone
    unlocked = one(scanned, "backup_vault", "backup-unlocked").attrs
    assert unlocked["locked"] is False and unlocked["kms_key_arn"] == AWS_MANAGED_KEY
    assert unlocked["kms_key_customer_managed"] is False  # KeyManager AWS: the aws/backup key
    assert unlocked["policy_public"] is True


@pytest.mark.parametrize(
    ("type_name", "name", "protected"),
    [
        ("db_instance", "listed-claims", True),  # wildcard arn:aws:rds:*:*:db:*
        ("db_instance", "excluded-reports", False),  # taken out by NotResources
        ("db_cluster", "tagged-ledger", True),  # ListOfTags backup = daily
        ("dynamodb_table", "listed-sessions", True),  # its ARN
        ("dynamodb_table", "orphan-audit", False),
        ("efs_file_system", "tagged_edi", True),  # Conditions StringLike + StringNotEquals
        ("efs_file_system", "excluded_scratch", False),  # env = dev
        ("ebs_volume", "tagged_scans", True),
        ("ebs_volume", "orphan_tmp", False),
    ],
)
def test_store_protection(scanned: Any, type_name: str, name: str, protected: bool) -> None:
    resource = one(scanned, type_name, name)
    assert resource.attrs["backup_plan_protected"] is protected, resource.notes
    assert resource.notes["backup_plan_protected"]


def test_efs_backup_policy_and_elasticache_retention(scanned: Any) -> None:
    assert one(scanned, "efs_file_system", "tagged_edi").attrs["backup_policy_enabled"] is True
    assert one(scanned, "efs_file_system", "excluded_scratch").attrs["backup_policy_enabled"] is False
    assert one(scanned, "elasticache_replication_group", "sessions-cache").attrs["snapshot_retention_limit"] == 15
    assert one(scanned, "elasticache_replication_group", "short-cache").attrs["snapshot_retention_limit"] == 1


def test_plan_and_live_agree_on_every_backup_policy(scanned: Any) -> None:
    policies = load_policies([builtin_policy_dir()])
    _, plan_resources = load_plan_resources(FIXTURES / "backup" / "plan.json")
    plan = {
        (f.policy_id, f.resource.address): f.status.value
        for f in evaluate(policies, plan_resources)
        if f.policy_id in BACKUP_POLICIES
    }
    live = {
        (f.policy_id, f.resource.type, str(f.resource.name)): f.status.value
        for f in evaluate(policies, scanned.resources)
        if f.policy_id in BACKUP_POLICIES
    }
    compared = 0
    for (policy, address), status in sorted(plan.items()):
        type_name, name = PLAN_TO_LIVE[address]
        assert live.get((policy, type_name, name)) == status, (policy, address, status)
        compared += 1
    assert compared == len(plan) == 23  # 4 plan, 6 vault, 9 store, 2 EFS policy and 2 ElastiCache verdicts
    # Both verdicts occur: the comparison is not of all-pass or all-fail.
    assert {"pass", "fail"} <= set(plan.values())


def test_unread_selections_make_the_stores_error_never_unprotected() -> None:
    """Selections that cannot be read leave protection undecided: error, not false (and not pass)."""
    from hipaacheck.sources.aws.collectors.backup import link_protection
    from hipaacheck.sources.aws.context import Facts

    store = Resource("dynamodb_table", f"arn:aws:dynamodb:{REGION}:123456789012:table/t", "aws", {"tags": {}})
    store.region = REGION
    facts = Facts()
    facts.backup_selections[REGION] = []
    facts.backup_selections_unread[REGION] = "backup:GetBackupSelection denied: no"
    link_protection([store], facts)
    gap = store.gaps["backup_plan_protected"]
    assert gap.kind is GapKind.ERROR and "denied" in gap.reason
    other = Resource("ebs_volume", "arn:aws:ec2:eu-west-1:123456789012:volume/vol-1", "aws", {"tags": {}})
    other.region = "eu-west-1"  # the backup collector recorded nothing for this region
    link_protection([other], facts)
    assert other.gaps["backup_plan_protected"].kind is GapKind.ERROR
