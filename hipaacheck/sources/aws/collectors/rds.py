"""RDS instances and clusters; tls_enforced from the (cluster) parameter group via derive.database."""

from __future__ import annotations

from typing import Any

from ....derive.database import default_tls_enforced, tls_enforced_by_parameters
from ....models import Resource
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, Result, calls
from ..context import Collector, Context

CALLS = calls(
    Call("rds", "describe_db_instances", "rds:DescribeDBInstances", (ALL_FIELDS,), paginate=True),
    Call("rds", "describe_db_clusters", "rds:DescribeDBClusters", (ALL_FIELDS,), paginate=True),
    # A default group moto does not model answers DBParameterGroupNotFound; real AWS always has them.
    Call(
        "rds",
        "describe_db_parameters",
        "rds:DescribeDBParameters",
        ("tls_enforced",),
        frozenset({"DBParameterGroupNotFound"}),
        paginate=True,
    ),
    Call(
        "rds",
        "describe_db_cluster_parameters",
        "rds:DescribeDBClusterParameters",
        ("tls_enforced",),
        frozenset({"DBParameterGroupNotFound"}),
        paginate=True,
    ),
)
C = CALLS
# DescribeDBInstances/Clusters also list DocumentDB and Neptune, which share the RDS API but are other
# services (other TLS parameters, other Terraform resources): docdb_cluster covers DocumentDB; Neptune
# is not a db_cluster or db_instance either, as in the plan adapters (aws_neptune_cluster is not read).
NOT_RDS_ENGINES = frozenset({"docdb", "neptune"})


def _common(b: LiveBuilder, item: dict[str, Any], identifier: str) -> None:
    b.tags(tag_map(item.get("TagList")))
    b.set("identifier", item.get(identifier))
    b.set("engine", item.get("Engine"))
    b.set("engine_version", item.get("EngineVersion"))
    b.set("storage_encrypted", item.get("StorageEncrypted") is True)
    b.set("kms_key_id", item.get("KmsKeyId"))
    b.set("backup_retention_period", item.get("BackupRetentionPeriod"))
    b.set("deletion_protection", item.get("DeletionProtection") is True)
    b.set("log_exports", [str(x) for x in item.get("EnabledCloudwatchLogsExports") or []])
    b.set("iam_auth_enabled", item.get("IAMDatabaseAuthenticationEnabled") is True)


def _tls(ctx: Context, b: LiveBuilder, spec: Call, group: str | None, engine: Any, version: Any) -> None:
    if not isinstance(engine, str):
        return
    version_text = version if isinstance(version, str) else None
    if not group:
        b.set("tls_enforced", default_tls_enforced(engine, version_text))
        return
    param = (
        "DBClusterParameterGroupName" if spec.operation == "describe_db_cluster_parameters" else "DBParameterGroupName"
    )
    result: Result = ctx.fetch.call(spec, ctx.where.region, **{param: group})
    if b.failed(spec, result):
        return
    if result.not_configured:
        if group.startswith("default."):
            b.set("tls_enforced", default_tls_enforced(engine, version_text))
        else:
            b.error(["tls_enforced"], f"parameter group {group!r} was not found")
        return
    values = {
        str(p["ParameterName"]): str(p["ParameterValue"])
        for p in result.data.get("Parameters", [])
        if isinstance(p, dict) and "ParameterName" in p and p.get("ParameterValue") is not None
    }
    b.set("tls_enforced", tls_enforced_by_parameters(engine, version_text, values))


def collect_instances(ctx: Context) -> list[Resource]:
    listing = ctx.fetch.call(C["describe_db_instances"], ctx.where.region)
    if listing.error:
        return [placeholder("db_instance", ctx.where, listing.error)]
    resources = []
    for item in listing.data.get("DBInstances", []):
        if item.get("Engine") in NOT_RDS_ENGINES:
            continue
        ident = item.get("DBInstanceIdentifier")
        b = LiveBuilder("db_instance", item.get("DBInstanceArn") or ctx.where.arn("rds", f"db:{ident}"), ctx.where)
        b.set("publicly_accessible", item.get("PubliclyAccessible") is True)
        if item.get("DBClusterIdentifier"):
            # Aurora members: storage, backups and TLS are the cluster's, as in the plan adapter.
            b.tags(tag_map(item.get("TagList")))
            b.set("identifier", ident)
            b.set("engine", item.get("Engine"))
            b.set("cluster_identifier", item["DBClusterIdentifier"])
        else:
            _common(b, item, "DBInstanceIdentifier")
            b.set("multi_az", item.get("MultiAZ") is True)
            groups = [g.get("DBParameterGroupName") for g in item.get("DBParameterGroups") or [] if isinstance(g, dict)]
            b.set("parameter_group", groups[0] if groups else None)
            _tls(
                ctx,
                b,
                C["describe_db_parameters"],
                groups[0] if groups else None,
                item.get("Engine"),
                item.get("EngineVersion"),
            )
        resources.append(b.build(ident))
    return resources


def collect_clusters(ctx: Context) -> list[Resource]:
    listing = ctx.fetch.call(C["describe_db_clusters"], ctx.where.region)
    if listing.error:
        return [placeholder("db_cluster", ctx.where, listing.error)]
    resources = []
    for item in listing.data.get("DBClusters", []):
        if item.get("Engine") in NOT_RDS_ENGINES:
            continue
        ident = item.get("DBClusterIdentifier")
        b = LiveBuilder("db_cluster", item.get("DBClusterArn") or ctx.where.arn("rds", f"cluster:{ident}"), ctx.where)
        _common(b, item, "DBClusterIdentifier")
        group = item.get("DBClusterParameterGroup")
        b.set("parameter_group", group)
        _tls(ctx, b, C["describe_db_cluster_parameters"], group, item.get("Engine"), item.get("EngineVersion"))
        resources.append(b.build(ident))
    return resources


def collect(ctx: Context) -> list[Resource]:
    return collect_instances(ctx) + collect_clusters(ctx)


COLLECTOR = Collector("rds", ("db_instance", "db_cluster"), CALLS, collect)
