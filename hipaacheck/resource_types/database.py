"""RDS instances and clusters, DynamoDB tables, ElastiCache replication groups."""

from __future__ import annotations

from .base import Tagged, doc


class DbCommon(Tagged):
    identifier: str | None = doc("DB instance or cluster identifier.")
    engine: str | None = doc("Engine, e.g. postgres, mysql, aurora-postgresql.")
    engine_version: str | None = doc("Engine version.")
    storage_encrypted: bool | None = doc("Storage encryption at rest.")
    kms_key_id: str | None = doc("KMS key for storage encryption.")
    backup_retention_period: int | None = doc("Days automated backups are kept (0 = off).")
    deletion_protection: bool | None = doc("Deletion protection enabled.")
    log_exports: list[str] | None = doc("Log types exported to CloudWatch Logs.")
    iam_auth_enabled: bool | None = doc("IAM database authentication enabled.")
    parameter_group: str | None = doc("Name of the (cluster) parameter group.")
    tls_enforced: bool | None = doc(
        "The parameter group forces TLS: rds.force_ssl = 1 (PostgreSQL, SQL Server) or "
        "require_secure_transport = 1/ON (MySQL, MariaDB). Default groups: PostgreSQL 15+ "
        "forces TLS, others do not."
    )
    backup_plan_protected: bool | None = doc(
        "An AWS Backup plan's selection covers it (by ARN, wildcard or tags; derive/backup_selection.py)."
    )


class DbInstance(DbCommon):
    publicly_accessible: bool | None = doc("The instance has a public endpoint.")
    multi_az: bool | None = doc("Multi-AZ deployment.")
    cluster_identifier: str | None = doc(
        "Set for Aurora cluster members; storage, backup and TLS settings then live on the cluster."
    )


class DbCluster(DbCommon):
    pass


class DynamoDbTable(Tagged):
    name: str | None = doc("Table name.")
    sse_type: str | None = doc("KMS (AWS or customer managed KMS key) or AWS_OWNED (the default).")
    kms_key_arn: str | None = doc("Customer managed KMS key, when one is set.")
    point_in_time_recovery: bool | None = doc("Continuous backups (PITR) enabled.")
    deletion_protection: bool | None = doc("Deletion protection enabled.")
    backup_plan_protected: bool | None = doc(
        "An AWS Backup plan's selection covers it (by ARN, wildcard or tags; derive/backup_selection.py)."
    )


class ElasticacheReplicationGroup(Tagged):
    engine: str | None = doc("redis or valkey.")
    at_rest_encryption: bool | None = doc("Encryption at rest enabled.")
    transit_encryption: bool | None = doc(
        "In-transit (TLS) encryption enabled in required mode; preferred mode also accepts plaintext."
    )
    transit_encryption_mode: str | None = doc("required or preferred (required when unset at create).")
    kms_key_id: str | None = doc("KMS key for encryption at rest.")
    auth_token_set: bool | None = doc("An AUTH token is configured (its value is never read).")
    snapshot_retention_limit: int | None = doc("Days automatic snapshots are kept (0 = no automatic snapshots).")
