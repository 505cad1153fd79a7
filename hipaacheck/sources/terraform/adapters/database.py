"""RDS instances and clusters (with parameter-group TLS), DynamoDB tables, ElastiCache groups."""

from __future__ import annotations

from ....derive.database import default_tls_enforced, tls_enforced_by_parameters, transit_encryption_enforced
from ....derive.service_defaults import SERVICE_DEFAULTS, UNKNOWABLE, elasticache_at_rest_default
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved
from .backup import set_protection
from .builder import Builder, known_str, to_bool, to_int, to_str_list

# Attributes that create the database from an existing one (snapshot, replica, point in time, S3
# backup, global cluster member): it then inherits settings the create defaults would decide.
_RESTORE_ATTRIBUTES = {
    "aws_db_instance": ("snapshot_identifier", "replicate_source_db", "restore_to_point_in_time", "s3_import"),
    "aws_rds_cluster": (
        "snapshot_identifier",
        "replication_source_identifier",
        "restore_to_point_in_time",
        "s3_import",
        "global_cluster_identifier",
    ),
}


def _restored(b: Builder) -> bool:
    resource = b.resource
    for attribute in _RESTORE_ATTRIBUTES.get(resource.type, ()):
        value = resource.raw.get(attribute)
        if value is UNKNOWN:
            # Computed attributes read as unknown when unset: only a written one restores.
            if b.plan.configured(resource, attribute):
                return True
        elif value not in (None, "", []) and value is not False:
            return True
    return False


def _common(b: Builder, identifier_attr: str) -> None:
    b.tags()
    b.take("identifier", identifier_attr, known_str)
    b.take("engine", "engine", known_str)
    b.take("engine_version", "engine_version", known_str)
    service = "rds_cluster" if b.resource.type == "aws_rds_cluster" else "rds"
    restored = _restored(b)
    encryption_key = f"{service}.storage_encrypted"
    if service == "rds_cluster" and b.resource.raw.get("engine_mode") == "serverless":
        encryption_key = "rds_cluster.storage_encrypted:serverless_v1"
    b.take_or_default(
        "storage_encrypted",
        "storage_encrypted",
        to_bool,
        SERVICE_DEFAULTS[encryption_key],
        UNKNOWABLE["rds.storage_encrypted:restored"] if restored else None,
    )
    b.take("kms_key_id", "kms_key_id", known_str)
    b.take_or_default(
        "backup_retention_period",
        "backup_retention_period",
        to_int,
        SERVICE_DEFAULTS[f"{service}.backup_retention_period"],
        UNKNOWABLE["rds.backup_retention_period:restored"] if restored else None,
    )
    b.take("deletion_protection", "deletion_protection", to_bool, default=False)
    b.take("log_exports", "enabled_cloudwatch_logs_exports", to_str_list, default=[])
    b.take("iam_auth_enabled", "iam_database_authentication_enabled", to_bool, default=False)


def _tls(b: Builder, linker: Linker, attribute: str, group_type: str) -> None:
    """Fold the parameter group's TLS setting onto the database."""
    resource = b.resource
    engine = resource.raw.get("engine")
    version = resource.raw.get("engine_version")
    if engine is UNKNOWN or not isinstance(engine, str):
        if engine is UNKNOWN:
            b.unknown("tls_enforced", f"{resource.address}.engine is known only after apply")
        return
    version_text = version if isinstance(version, str) else None
    group_name = b.take("parameter_group", attribute, known_str)
    if group_name is UNKNOWN and not b.plan.configured(resource, attribute):
        # No group in the configuration: RDS attaches the engine's default group.
        b.gaps.pop("parameter_group", None)
        b.set("tls_enforced", default_tls_enforced(engine, version_text))
        return
    parent = linker.parent(resource, attribute, (group_type,), ("name", "id"))
    if isinstance(parent, Unresolved):
        _tls_from_candidates(b, parent, engine, version_text)
        return
    if parent is not None:
        _tls_from_group(b, parent, engine, version_text)
        b.absorb(parent, "tls_enforced")
        return
    if group_name is UNKNOWN:
        return
    if group_name is None or group_name.startswith("default."):
        if version is UNKNOWN and engine == "postgres":
            b.unknown("tls_enforced", f"{resource.address}.engine_version is known only after apply")
            return
        b.set("tls_enforced", default_tls_enforced(engine, version_text))
        return
    shown = "(sensitive)" if "parameter_group" in b.sensitive else repr(group_name)
    b.unknown("tls_enforced", f"parameter group {shown} is not managed by this plan, so its TLS setting is not visible")


def _tls_from_candidates(b: Builder, unresolved: Unresolved, engine: str, version: str | None) -> None:
    """The group is one of several: decided when every candidate (and, if open, the engine default) agrees."""
    outcomes = set()
    for group in unresolved.candidates:
        trial = Builder(b.plan, b.resource, b.type)
        _tls_from_group(trial, group, engine, version)
        outcomes.add(trial.attrs.get("tls_enforced") if "tls_enforced" not in trial.gaps else None)
    if unresolved.open or not unresolved.candidates:
        version_unknown = b.resource.raw.get("engine_version") is UNKNOWN and engine == "postgres"
        outcomes.add(None if version_unknown else default_tls_enforced(engine, version))
    # A group outside this plan could force TLS: an open set decides only a failure.
    if outcomes == {False} or (outcomes == {True} and not unresolved.open):
        b.set("tls_enforced", outcomes.pop())
        return
    b.unknown("tls_enforced", unresolved.reason)


def _tls_from_group(b: Builder, group: PlanResource, engine: str, version: str | None) -> None:
    parameters = group.raw.get("parameter")
    if parameters is UNKNOWN:
        b.unknown("tls_enforced", f"{group.address}.parameter is known only after apply")
        return
    if parameters is not None and (
        not isinstance(parameters, list)
        or not all(isinstance(p, dict) and isinstance(p.get("name"), str) for p in parameters)
    ):
        b.error("tls_enforced", f"malformed value in the plan ({group.address}.parameter is not a list of parameters)")
        return
    values: dict[str, str] = {}
    for parameter in parameters or []:
        value = parameter.get("value")
        if value is not None and not isinstance(value, str | int | float):
            b.error("tls_enforced", f"malformed value in the plan ({group.address} parameter {parameter['name']!r})")
            return
        values[parameter["name"]] = "" if value is None else str(value)
    b.set("tls_enforced", tls_enforced_by_parameters(engine, version, values))


def db_instances(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_db_instance"):
        b = Builder(plan, resource, "db_instance")
        _common(b, "identifier")
        b.take("publicly_accessible", "publicly_accessible", to_bool, default=False)
        b.take("multi_az", "multi_az", to_bool, default=False)
        _tls(b, linker, "parameter_group_name", "aws_db_parameter_group")
        set_protection(b, linker)
        resources.append(b.build(name=known_str(resource.raw.get("identifier"))))
    for resource in plan.of_type("aws_rds_cluster_instance"):
        # Aurora members: storage, backups and TLS are the cluster's; only what is per-instance here.
        b = Builder(plan, resource, "db_instance")
        b.tags()
        b.take("identifier", "identifier", known_str)
        b.take("engine", "engine", known_str)
        b.take("publicly_accessible", "publicly_accessible", to_bool, default=False)
        cluster = b.take("cluster_identifier", "cluster_identifier", known_str)
        if cluster is None:
            b.set("cluster_identifier", "(cluster)")
        resources.append(b.build(name=known_str(resource.raw.get("identifier"))))
    return resources


def db_clusters(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_rds_cluster"):
        b = Builder(plan, resource, "db_cluster")
        _common(b, "cluster_identifier")
        _tls(b, linker, "db_cluster_parameter_group_name", "aws_rds_cluster_parameter_group")
        set_protection(b, linker)
        resources.append(b.build(name=known_str(resource.raw.get("cluster_identifier"))))
    return resources


def dynamodb_tables(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_dynamodb_table"):
        b = Builder(plan, resource, "dynamodb_table")
        b.tags()
        b.take("name", "name", known_str)
        enabled = resource.raw.get("server_side_encryption.0.enabled")
        if enabled is UNKNOWN and not plan.configured(resource, "server_side_encryption"):
            enabled = False  # DynamoDB's default: an AWS owned key
        if enabled is UNKNOWN:
            b.unknown("sse_type", f"{resource.address}.server_side_encryption is known only after apply")
        else:
            b.set("sse_type", "KMS" if to_bool(enabled) is True else "AWS_OWNED")
            if to_bool(enabled) is True:
                b.take("kms_key_arn", "server_side_encryption.0.kms_key_arn", known_str)
        b.take("point_in_time_recovery", "point_in_time_recovery.0.enabled", to_bool, default=False, unset=False)
        b.take("deletion_protection", "deletion_protection_enabled", to_bool, default=False)
        set_protection(b, linker)
        resources.append(b.build(name=known_str(resource.raw.get("name"))))
    return resources


def elasticache_groups(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_elasticache_replication_group"):
        b = Builder(plan, resource, "elasticache_replication_group")
        b.tags()
        engine = b.take("engine", "engine", known_str)
        at_rest_default = elasticache_at_rest_default(engine if isinstance(engine, str) else None)
        if engine is UNKNOWN or at_rest_default is None:
            # The default depends on the engine, which is not known (or not one AWS documents a default for).
            if b.is_unset("at_rest_encryption_enabled"):
                b.unknown("at_rest_encryption", f"{resource.address}: the at-rest default depends on the engine")
            else:
                b.take("at_rest_encryption", "at_rest_encryption_enabled", to_bool)
        else:
            b.take_or_default("at_rest_encryption", "at_rest_encryption_enabled", to_bool, at_rest_default)
        _transit(b)
        b.take("kms_key_id", "kms_key_id", known_str)
        # Only whether a token is set; its value is sensitive and never read further.
        token = resource.raw.get("auth_token")
        b.set("auth_token_set", True if token is UNKNOWN else bool(token))
        b.take_or_default(
            "snapshot_retention_limit",
            "snapshot_retention_limit",
            to_int,
            SERVICE_DEFAULTS["elasticache.snapshot_retention_limit"],
        )
        resources.append(b.build(name=known_str(resource.raw.get("replication_group_id"))))
    return resources


def _transit(b: Builder) -> None:
    """In-transit encryption counts only in "required" mode: "preferred" still accepts plaintext clients."""
    address = b.resource.address
    enabled = b.take_or_default(
        "transit_encryption", "transit_encryption_enabled", to_bool, SERVICE_DEFAULTS["elasticache.transit_encryption"]
    )
    if enabled is not True:
        return
    mode = b.take_or_default(
        "transit_encryption_mode",
        "transit_encryption_mode",
        known_str,
        SERVICE_DEFAULTS["elasticache.transit_encryption_mode"],
    )
    if mode is UNKNOWN:
        b.unknown("transit_encryption", f"{address}.transit_encryption_mode is known only after apply")
    elif not transit_encryption_enforced(True, mode):
        b.set("transit_encryption", False)
        b.notes["transit_encryption"] = f"transit_encryption_mode is {mode!r}: plaintext connections are accepted"
