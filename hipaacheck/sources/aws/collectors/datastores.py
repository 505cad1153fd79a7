"""EFS file systems, DynamoDB tables, ElastiCache replication groups."""

from __future__ import annotations

from ....derive import resource_policy
from ....derive.database import transit_encryption_enforced
from ....models import Resource
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context
from .resource_policies import apply_policy

EFS_CALLS = calls(
    Call("efs", "describe_file_systems", "elasticfilesystem:DescribeFileSystems", (ALL_FIELDS,), paginate=True),
    # No backup policy (PolicyNotFound) is automatic backups off.
    Call(
        "efs",
        "describe_backup_policy",
        "elasticfilesystem:DescribeBackupPolicy",
        ("backup_policy_enabled",),
        frozenset({"PolicyNotFound"}),
    ),
    # No policy answers PolicyNotFound: EFS's default then admits clients of its mount targets.
    Call(
        "efs",
        "describe_file_system_policy",
        "elasticfilesystem:DescribeFileSystemPolicy",
        ("policy",),
        frozenset({"PolicyNotFound"}),
    ),
)
NO_FILE_SYSTEM_POLICY = {"present": False, "public": False, "denies_insecure_transport": False}
DYNAMODB_CALLS = calls(
    Call("dynamodb", "list_tables", "dynamodb:ListTables", (ALL_FIELDS,), paginate=True),
    Call("dynamodb", "describe_table", "dynamodb:DescribeTable", ("sse_type", "kms_key_arn", "deletion_protection")),
    Call("dynamodb", "describe_continuous_backups", "dynamodb:DescribeContinuousBackups", ("point_in_time_recovery",)),
    Call("dynamodb", "list_tags_of_resource", "dynamodb:ListTagsOfResource", ("tags",), paginate=True),
)
ELASTICACHE_CALLS = calls(
    Call(
        "elasticache",
        "describe_replication_groups",
        "elasticache:DescribeReplicationGroups",
        (ALL_FIELDS,),
        paginate=True,
    ),
    Call("elasticache", "list_tags_for_resource", "elasticache:ListTagsForResource", ("tags",)),
)


def collect_efs(ctx: Context) -> list[Resource]:
    listing = ctx.fetch.call(EFS_CALLS["describe_file_systems"], ctx.where.region)
    if listing.error:
        return [placeholder("efs_file_system", ctx.where, listing.error)]
    resources = []
    for fs in listing.data.get("FileSystems", []):
        fs_id = fs.get("FileSystemId")
        arn = fs.get("FileSystemArn") or ctx.where.arn("elasticfilesystem", f"file-system/{fs_id}")
        b = LiveBuilder("efs_file_system", arn, ctx.where)
        b.tags(tag_map(fs.get("Tags")))
        b.set("encrypted", fs.get("Encrypted") is True)
        b.set("kms_key_id", fs.get("KmsKeyId"))
        policy = ctx.fetch.call(EFS_CALLS["describe_backup_policy"], ctx.where.region, FileSystemId=fs_id)
        if not b.failed(EFS_CALLS["describe_backup_policy"], policy):
            status = (policy.data.get("BackupPolicy") or {}).get("Status")
            b.set("backup_policy_enabled", not policy.not_configured and status in ("ENABLED", "ENABLING"))
        _file_system_policy(ctx, b, fs_id, arn)
        resources.append(b.build(fs.get("Name") or fs_id))
    return resources


def _file_system_policy(ctx: Context, b: LiveBuilder, fs_id: str, arn: str) -> None:
    spec = EFS_CALLS["describe_file_system_policy"]
    policy = ctx.fetch.call(spec, ctx.where.region, FileSystemId=fs_id)
    if policy.not_configured:
        apply_policy(b, None, arn, resource_policy.EFS, tls=True, default=NO_FILE_SYSTEM_POLICY)
    elif not b.failed(spec, policy):
        apply_policy(b, policy.data.get("Policy"), arn, resource_policy.EFS, tls=True, default=NO_FILE_SYSTEM_POLICY)


def collect_dynamodb(ctx: Context) -> list[Resource]:
    c, region = DYNAMODB_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["list_tables"], region)
    if listing.error:
        return [placeholder("dynamodb_table", ctx.where, listing.error)]
    resources = []
    for name in listing.data.get("TableNames", []):
        b = LiveBuilder("dynamodb_table", ctx.where.arn("dynamodb", f"table/{name}"), ctx.where)
        b.set("name", name)
        described = ctx.fetch.call(c["describe_table"], region, TableName=name)
        if not b.failed(c["describe_table"], described):
            table = described.data.get("Table") or {}
            b.address = table.get("TableArn") or b.address
            sse = table.get("SSEDescription") or {}
            # No SSEDescription (or one that is not KMS) is the AWS owned key, DynamoDB's default.
            kms = sse.get("SSEType") == "KMS" and sse.get("Status") in ("ENABLED", "ENABLING", "UPDATING")
            b.set("sse_type", "KMS" if kms else "AWS_OWNED")
            if kms:
                b.set("kms_key_arn", sse.get("KMSMasterKeyArn"))
            b.set("deletion_protection", table.get("DeletionProtectionEnabled") is True)
        backups = ctx.fetch.call(c["describe_continuous_backups"], region, TableName=name)
        if not b.failed(c["describe_continuous_backups"], backups):
            description = backups.data.get("ContinuousBackupsDescription") or {}
            pitr = (description.get("PointInTimeRecoveryDescription") or {}).get("PointInTimeRecoveryStatus")
            b.set("point_in_time_recovery", pitr == "ENABLED")
        tags = ctx.fetch.call(c["list_tags_of_resource"], region, ResourceArn=b.address)
        if not b.failed(c["list_tags_of_resource"], tags):
            b.tags(tag_map(tags.data.get("Tags")))
        resources.append(b.build(name))
    return resources


def collect_elasticache(ctx: Context) -> list[Resource]:
    c, region = ELASTICACHE_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["describe_replication_groups"], region)
    if listing.error:
        return [placeholder("elasticache_replication_group", ctx.where, listing.error)]
    resources = []
    for group in listing.data.get("ReplicationGroups", []):
        group_id = group.get("ReplicationGroupId")
        arn = group.get("ARN") or ctx.where.arn("elasticache", f"replicationgroup:{group_id}")
        b = LiveBuilder("elasticache_replication_group", arn, ctx.where)
        b.set("engine", group.get("Engine"))
        b.set("at_rest_encryption", group.get("AtRestEncryptionEnabled") is True)
        mode = group.get("TransitEncryptionMode")
        b.set("transit_encryption", transit_encryption_enforced(group.get("TransitEncryptionEnabled"), mode))
        b.set("transit_encryption_mode", mode)
        b.set("kms_key_id", group.get("KmsKeyId"))
        b.set("auth_token_set", group.get("AuthTokenEnabled") is True)
        b.set("snapshot_retention_limit", group.get("SnapshotRetentionLimit"))
        tags = ctx.fetch.call(c["list_tags_for_resource"], region, ResourceName=arn)
        if not b.failed(c["list_tags_for_resource"], tags):
            b.tags(tag_map(tags.data.get("TagList")))
        resources.append(b.build(group_id))
    return resources


EFS = Collector("efs", ("efs_file_system",), EFS_CALLS, collect_efs)
DYNAMODB = Collector("dynamodb", ("dynamodb_table",), DYNAMODB_CALLS, collect_dynamodb)
ELASTICACHE = Collector("elasticache", ("elasticache_replication_group",), ELASTICACHE_CALLS, collect_elasticache)
