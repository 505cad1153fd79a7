"""AWS Backup plans and vaults (164.308(a)(7)(ii)(A),(B)); read from plans and live accounts alike.

The stores' own ``backup_plan_protected`` fields (db_instance, db_cluster,
dynamodb_table, efs_file_system, ebs_volume) come from the backup selections,
matched by derive/backup_selection.py for both sources.
"""

from __future__ import annotations

from .base import Tagged, doc


class BackupPlan(Tagged):
    """An AWS Backup plan, its rules summarised for the checks."""

    name: str | None = doc("Backup plan name.")
    rule_count: int | None = doc("Number of backup rules.")
    interval_hours: int | None = doc(
        "Longest gap in hours between two scheduled runs of the plan's most frequent rule (from the "
        "cron schedule; a rule without one runs daily at 05:00 UTC, AWS Backup's default)."
    )
    daily_or_more_often: bool | None = doc("Some rule's schedule runs at least once every 24 hours.")
    retention_days: int | None = doc(
        "The shortest lifecycle delete_after (days) among the rules that expire their recovery points."
    )
    retention_forever: bool | None = doc("No rule expires its recovery points (no delete_after).")
    continuous_backup: bool | None = doc("Some rule enables continuous backup (point-in-time restore).")
    target_vaults: list[str] | None = doc("Names of the vaults the rules write to.")


class BackupVault(Tagged):
    """An AWS Backup vault."""

    name: str | None = doc("Backup vault name.")
    kms_key_arn: str | None = doc("KMS key encrypting the recovery points.")
    kms_key_customer_managed: bool | None = doc(
        "The vault's key is a customer managed KMS key; false for the AWS managed key aws/backup "
        "(the default when none is given) and for AWS owned keys."
    )
    locked: bool | None = doc(
        "Vault Lock protects the vault (aws_backup_vault_lock_configuration / DescribeBackupVault.Locked)."
    )
    lock_min_retention_days: int | None = doc("Vault Lock's minimum retention in days.")
    policy_present: bool | None = doc("An access policy is attached to the vault.")
    policy_public: bool | None = doc(
        "The vault's access policy allows every principal without a limiting condition "
        "(derive/resource_policy.py, the reader shared with S3); false without a policy."
    )
