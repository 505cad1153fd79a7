"""Redshift clusters, OpenSearch/Elasticsearch domains, DocumentDB clusters.

Parameter groups are read with the same derive functions as the plan adapters; a default group
that cannot be described falls back to the service default those functions encode.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ....derive.containers import (
    AUDIT_LOGS,
    DEFAULT_GROUP_PREFIX,
    docdb_tls_enabled,
    opensearch_https_tls12,
    redshift_require_ssl,
)
from ....models import Resource
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, Result, calls
from ..context import Collector, Context

REDSHIFT_CALLS = calls(
    Call("redshift", "describe_clusters", "redshift:DescribeClusters", (ALL_FIELDS,), paginate=True),
    Call(
        "redshift",
        "describe_cluster_parameters",
        "redshift:DescribeClusterParameters",
        ("require_ssl",),
        frozenset({"ClusterParameterGroupNotFound"}),
        paginate=True,
    ),
    Call("redshift", "describe_logging_status", "redshift:DescribeLoggingStatus", ("audit_logging",)),
)
OPENSEARCH_CALLS = calls(
    # ListDomainNames and DescribeDomain answer for OpenSearch and Elasticsearch domains alike.
    Call("opensearch", "list_domain_names", "es:ListDomainNames", (ALL_FIELDS,)),
    Call("opensearch", "describe_domain", "es:DescribeDomain", (ALL_FIELDS,)),
    Call("opensearch", "list_tags", "es:ListTags", ("tags",)),
)
DOCDB_CALLS = calls(
    # The same listing as the rds collector (the fetcher runs it once); DocumentDB clusters are
    # the ones with engine docdb.
    Call("rds", "describe_db_clusters", "rds:DescribeDBClusters", (ALL_FIELDS,), paginate=True),
    Call(
        "rds",
        "describe_db_cluster_parameters",
        "rds:DescribeDBClusterParameters",
        ("tls_enabled",),
        frozenset({"DBParameterGroupNotFound"}),
        paginate=True,
    ),
)


def _from_group(
    ctx: Context,
    b: LiveBuilder,
    spec: Call,
    group: str | None,
    field: str,
    derive: Callable[[Mapping[str, str]], bool],
    **params: Any,
) -> None:
    """Fold a parameter group's values onto ``field``; a default group that is not found is its defaults."""
    if not group:
        b.set(field, derive({}))
        return
    result: Result = ctx.fetch.call(spec, ctx.where.region, **params)
    if b.failed(spec, result):
        return
    if result.not_configured:
        if group.startswith(DEFAULT_GROUP_PREFIX):
            b.set(field, derive({}))
        else:
            b.error([field], f"parameter group {group!r} was not found")
        return
    values = {
        str(p["ParameterName"]): str(p["ParameterValue"])
        for p in result.data.get("Parameters", [])
        if isinstance(p, dict) and "ParameterName" in p and p.get("ParameterValue") is not None
    }
    b.set(field, derive(values))


def collect_redshift(ctx: Context) -> list[Resource]:
    c, region = REDSHIFT_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["describe_clusters"], region)
    if listing.error:
        return [placeholder("redshift_cluster", ctx.where, listing.error)]
    resources = []
    for cluster in listing.data.get("Clusters", []):
        ident = str(cluster.get("ClusterIdentifier"))
        b = LiveBuilder("redshift_cluster", ctx.where.arn("redshift", f"cluster:{ident}"), ctx.where)
        b.tags(tag_map(cluster.get("Tags")))
        b.set("identifier", ident)
        b.set("encrypted", cluster.get("Encrypted") is True)
        b.set("kms_key_id", cluster.get("KmsKeyId"))
        b.set("publicly_accessible", cluster.get("PubliclyAccessible") is True)
        groups = [
            g.get("ParameterGroupName") for g in cluster.get("ClusterParameterGroups") or [] if isinstance(g, dict)
        ]
        group = groups[0] if groups else None
        b.set("parameter_group", group)
        spec = c["describe_cluster_parameters"]
        _from_group(ctx, b, spec, group, "require_ssl", redshift_require_ssl, ParameterGroupName=group)
        status = ctx.fetch.call(c["describe_logging_status"], region, ClusterIdentifier=ident)
        if not b.failed(c["describe_logging_status"], status):
            b.set("audit_logging", status.data.get("LoggingEnabled") is True)
        resources.append(b.build(ident))
    return resources


def collect_opensearch(ctx: Context) -> list[Resource]:
    c, region = OPENSEARCH_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["list_domain_names"], region)
    if listing.error:
        return [placeholder("opensearch_domain", ctx.where, listing.error)]
    resources = []
    for entry in listing.data.get("DomainNames", []):
        name = str(entry.get("DomainName"))
        b = LiveBuilder("opensearch_domain", ctx.where.arn("es", f"domain/{name}"), ctx.where)
        b.set("name", name)
        described = ctx.fetch.call(c["describe_domain"], region, DomainName=name)
        if not b.failed(c["describe_domain"], described):
            _domain(b, described.data.get("DomainStatus") or {}, entry.get("EngineType"))
            tags = ctx.fetch.call(c["list_tags"], region, ARN=b.address)
            if not b.failed(c["list_tags"], tags):
                b.tags(tag_map(tags.data.get("TagList")))
        resources.append(b.build(name))
    return resources


def _domain(b: LiveBuilder, status: dict[str, Any], engine_type: Any) -> None:
    b.address = status.get("ARN") or b.address
    version = str(status.get("EngineVersion") or "")
    engine = engine_type or (
        "Elasticsearch" if version.startswith("Elasticsearch") or version[:1].isdigit() else "OpenSearch"
    )
    b.set("engine", str(engine))
    at_rest = status.get("EncryptionAtRestOptions") or {}
    b.set("encrypt_at_rest", at_rest.get("Enabled") is True)
    b.set("kms_key_id", at_rest.get("KmsKeyId"))
    b.set("node_to_node_encryption", (status.get("NodeToNodeEncryptionOptions") or {}).get("Enabled") is True)
    endpoint = status.get("DomainEndpointOptions") or {}
    enforce = endpoint.get("EnforceHTTPS") is True
    policy = endpoint.get("TLSSecurityPolicy")
    b.set("enforce_https", enforce)
    b.set("tls_security_policy", policy)
    b.set("https_tls12", opensearch_https_tls12(enforce, policy if isinstance(policy, str) else None))
    vpc = status.get("VPCOptions") or {}
    b.set("in_vpc", bool(vpc.get("VPCId") or vpc.get("SubnetIds")))
    audit = (status.get("LogPublishingOptions") or {}).get(AUDIT_LOGS) or {}
    b.set("audit_logs", audit.get("Enabled") is True)


def collect_docdb(ctx: Context) -> list[Resource]:
    c = DOCDB_CALLS
    listing = ctx.fetch.call(c["describe_db_clusters"], ctx.where.region)
    if listing.error:
        return [placeholder("docdb_cluster", ctx.where, listing.error)]
    resources = []
    for cluster in listing.data.get("DBClusters", []):
        if cluster.get("Engine") != "docdb":
            continue
        ident = str(cluster.get("DBClusterIdentifier"))
        b = LiveBuilder(
            "docdb_cluster", cluster.get("DBClusterArn") or ctx.where.arn("rds", f"cluster:{ident}"), ctx.where
        )
        b.tags(tag_map(cluster.get("TagList")))
        b.set("identifier", ident)
        b.set("storage_encrypted", cluster.get("StorageEncrypted") is True)
        b.set("kms_key_id", cluster.get("KmsKeyId"))
        group = cluster.get("DBClusterParameterGroup")
        b.set("parameter_group", group)
        spec = c["describe_db_cluster_parameters"]
        _from_group(ctx, b, spec, group, "tls_enabled", docdb_tls_enabled, DBClusterParameterGroupName=group)
        resources.append(b.build(ident))
    return resources


REDSHIFT = Collector("redshift", ("redshift_cluster",), REDSHIFT_CALLS, collect_redshift)
OPENSEARCH = Collector("opensearch", ("opensearch_domain",), OPENSEARCH_CALLS, collect_opensearch)
DOCDB = Collector("docdb", ("docdb_cluster",), DOCDB_CALLS, collect_docdb)
