"""Issue 11 items 6, 7 and 9: the service-defaults table, ElastiCache transit mode, unreadable "after" values.

The verdicts on real plans are in fixtures/terraform/defaults/expected.yaml;
these tests pin the reasons (the default shown with the evidence, unset vs
unknown) and the rules on the variants a fixture cannot hold (malformed
plans, versions, engines).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hipaacheck.derive.database import default_tls_enforced, tls_enforced_by_parameters, transit_encryption_enforced
from hipaacheck.derive.service_defaults import SERVICE_DEFAULTS, UNKNOWABLE
from hipaacheck.engine import evaluate
from hipaacheck.models import GapKind, Resource, Status
from hipaacheck.sources.terraform import load_plan_resources
from hipaacheck.sources.terraform.adapters.builder import to_int

from .conftest import FIXTURES, change, config_resource, plan_doc

DEFAULTS_PLAN = FIXTURES / "defaults" / "plan.json"


@pytest.fixture(scope="module")
def defaults_plan() -> dict[str, Resource]:
    _, resources = load_plan_resources(DEFAULTS_PLAN)
    return {r.address: r for r in resources}


def _resources(tmp_path: Path, document: dict[str, Any]) -> list[Resource]:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    return load_plan_resources(path)[1]


def _statuses(resources: list[Resource], policies: list[Any]) -> dict[tuple[str, str], Status]:
    return {(f.policy_id, f.resource.address): f.status for f in evaluate(policies, resources)}


# ---------------------------------------------------------------- the table


def test_every_default_names_its_documented_source() -> None:
    for key, entry in {**SERVICE_DEFAULTS, **UNKNOWABLE}.items():
        assert "https://docs.aws.amazon.com/" in entry.source, key


def test_unset_settings_take_the_service_default_and_say_so(defaults_plan: dict[str, Resource]) -> None:
    mariadb = defaults_plan["aws_db_instance.mariadb_defaults"]
    assert mariadb.attrs["backup_retention_period"] == 1  # CreateDBInstance: Default 1
    assert mariadb.attrs["storage_encrypted"] is False
    assert "1 day" in mariadb.notes["backup_retention_period"]
    aurora = defaults_plan["aws_rds_cluster.aurora_defaults"]
    assert aurora.attrs["storage_encrypted"] is False and aurora.attrs["backup_retention_period"] == 1
    redis = defaults_plan["aws_elasticache_replication_group.redis_defaults"]
    assert redis.attrs["at_rest_encryption"] is False and redis.attrs["transit_encryption"] is False
    valkey = defaults_plan["aws_elasticache_replication_group.valkey_defaults"]
    assert valkey.attrs["at_rest_encryption"] is True  # Valkey encrypts at rest by default
    assert valkey.attrs["transit_encryption_mode"] == "required" and valkey.attrs["transit_encryption"] is True
    queue = defaults_plan["aws_sqs_queue.default_sse"]
    assert queue.attrs["sqs_managed_sse"] is True and queue.attrs["encrypted"] is True
    account = defaults_plan["account"]
    assert "max_age_days" not in account.attrs["password_policy"]
    assert "never expire" in account.notes["password_policy.max_age_days"]


def test_unset_is_not_unknown_but_restores_and_amis_are(defaults_plan: dict[str, Resource]) -> None:
    for address in ("aws_db_instance.restored", "aws_rds_cluster.aurora_restored"):
        for field in ("storage_encrypted", "backup_retention_period"):
            gap = defaults_plan[address].gaps[field]
            assert gap.kind is GapKind.UNKNOWN and "snapshot" in gap.reason, (address, field)
    device = defaults_plan["aws_launch_template.unset_encryption.block_device_mappings[0]"]
    assert device.gaps["encrypted"].kind is GapKind.UNKNOWN and "AMI" in device.gaps["encrypted"].reason


def test_the_default_reason_reaches_the_finding(defaults_plan: dict[str, Resource], builtin_policies: Any) -> None:
    findings = {(f.policy_id, f.resource.address): f for f in evaluate(builtin_policies, list(defaults_plan.values()))}
    backup = findings[("rds-cluster-backup-retention", "aws_rds_cluster.aurora_defaults")]
    assert backup.status is Status.FAIL and "unset" in backup.message
    transit = findings[("elasticache-transit-encryption", "aws_elasticache_replication_group.redis_preferred")]
    assert transit.status is Status.FAIL and "preferred" in transit.message


@pytest.mark.parametrize(
    ("engine", "version", "enforced"),
    [
        ("postgres", "16.4", True),
        ("postgres", "14.12", False),
        ("postgres", "15.7", True),  # rds.force_ssl defaults to 1 from PostgreSQL 15
        ("postgres", None, True),  # RDS picks a current major version (15+)
        ("mariadb", "11.8.3", True),  # require_secure_transport ON from 11.8
        ("mariadb", "11.4.5", False),
        ("mariadb", "10.11.9", False),
        ("mariadb", None, False),  # the default version may predate 11.8: no claim
        ("mysql", "8.0.40", False),
        ("aurora-postgresql", "16.4", False),
    ],
)
def test_default_parameter_groups(engine: str, version: str | None, enforced: bool) -> None:
    assert default_tls_enforced(engine, version) is enforced
    # A custom group that does not set the parameter inherits the family default.
    assert tls_enforced_by_parameters(engine, version, {"log_connections": "1"}) is enforced


def test_a_custom_group_setting_wins_over_the_default() -> None:
    assert tls_enforced_by_parameters("mariadb", "11.8.3", {"require_secure_transport": "OFF"}) is False
    assert tls_enforced_by_parameters("postgres", "16.4", {"rds.force_ssl": "0"}) is False
    assert tls_enforced_by_parameters("mariadb", "10.11.9", {"require_secure_transport": "ON"}) is True


@pytest.mark.parametrize(
    ("engine", "parameters", "enforced"),
    [
        # Aurora PostgreSQL and RDS for SQL Server force TLS with rds.force_ssl, as PostgreSQL does.
        ("aurora-postgresql", {"rds.force_ssl": "1"}, True),
        ("aurora-postgresql", {"rds.force_ssl": "0"}, False),
        ("sqlserver-se", {"rds.force_ssl": "1"}, True),
        ("sqlserver-ee", {"rds.force_ssl": "0"}, False),
        # MySQL-family engines (Aurora MySQL too) use require_secure_transport.
        ("aurora-mysql", {"require_secure_transport": "ON"}, True),
        ("mysql", {"require_secure_transport": "1"}, True),
        # An engine with no TLS parameter this reader knows: not enforced.
        ("oracle-ee", {"rds.force_ssl": "1"}, False),
    ],
)
def test_the_tls_parameter_of_each_engine_family(engine: str, parameters: dict[str, str], enforced: bool) -> None:
    assert tls_enforced_by_parameters(engine, None, parameters) is enforced


@pytest.mark.parametrize(
    ("enabled", "mode", "enforced"),
    [
        (True, "required", True),
        (True, "preferred", False),
        (True, None, True),
        (False, None, False),
        (None, None, False),
    ],
)
def test_elasticache_transit_mode(enabled: bool | None, mode: str | None, enforced: bool) -> None:
    assert transit_encryption_enforced(enabled, mode) is enforced


def test_unknown_engine_leaves_the_at_rest_default_unknown(tmp_path: Path) -> None:
    group = change(
        "aws_elasticache_replication_group.g",
        {"replication_group_id": "g", "engine": None},
        unknown={"engine": True, "at_rest_encryption_enabled": True},
    )
    config = {"resources": [config_resource("aws_elasticache_replication_group.g", engine={"references": ["var.e"]})]}
    (resource,) = [r for r in _resources(tmp_path, plan_doc([group], config)) if r.type.startswith("elasticache")]
    assert resource.gaps["at_rest_encryption"].kind is GapKind.UNKNOWN


# ---------------------------------------------------------------- item 9: unreadable values


@pytest.mark.parametrize("after", [None, [], "text", 7])
def test_a_create_whose_after_is_not_an_object_is_error_not_a_default(
    tmp_path: Path, after: Any, builtin_policies: Any
) -> None:
    # Every field of these types has a default that would pass or fail without evidence.
    doc = plan_doc(
        [
            change("aws_efs_file_system.fs", {}),
            change("aws_dynamodb_table.t", {}),
            change("aws_kms_key.k", {}),
            change("aws_sqs_queue.q", {}),
        ]
    )
    for entry in doc["resource_changes"]:
        entry["change"]["after"] = after
    statuses = _statuses(_resources(tmp_path, doc), builtin_policies)
    assert statuses, "the resources must still be reported"
    assert set(statuses.values()) <= {Status.ERROR, Status.SKIPPED}, statuses
    assert Status.ERROR in statuses.values()


def test_an_unreadable_split_resource_errors_its_field_only(tmp_path: Path, builtin_policies: Any) -> None:
    bucket = change("aws_s3_bucket.b", {"bucket": "claims", "tags": {"phi": "true"}})
    versioning = change("aws_s3_bucket_versioning.v", {})
    versioning["change"]["after"] = None
    config = {
        "resources": [config_resource("aws_s3_bucket_versioning.v", bucket={"references": ["aws_s3_bucket.b.id"]})]
    }
    statuses = _statuses(_resources(tmp_path, plan_doc([bucket, versioning], config)), builtin_policies)
    assert statuses[("s3-bucket-versioning", "aws_s3_bucket.b")] is Status.ERROR
    assert statuses[("s3-bucket-kms-encryption", "aws_s3_bucket.b")] is Status.FAIL  # SSE-S3: a real verdict


def test_a_malformed_port_errors_its_own_group_only(tmp_path: Path, builtin_policies: Any) -> None:
    def group(name: str, from_port: Any, cidr: str) -> dict[str, Any]:
        rule = {
            "protocol": "tcp",
            "from_port": from_port,
            "to_port": 5432,
            "cidr_blocks": [cidr],
            "ipv6_cidr_blocks": [],
            "security_groups": [],
        }
        return change(f"aws_security_group.{name}", {"name": name, "ingress": [rule]})

    doc = plan_doc(
        [group("bad", "--5432", "10.0.0.0/8"), group("open", 5432, "0.0.0.0/0"), group("ok", 5432, "10.0.0.0/16")]
    )
    statuses = _statuses(_resources(tmp_path, doc), builtin_policies)
    assert statuses[("security-group-no-internet-data-ports", "aws_security_group.bad")] is Status.ERROR
    assert statuses[("security-group-no-internet-data-ports", "aws_security_group.open")] is Status.FAIL
    assert statuses[("security-group-no-internet-data-ports", "aws_security_group.ok")] is Status.PASS


@pytest.mark.parametrize(("text", "value"), [("--5432", "--5432"), ("-5", -5), (" 42 ", 42), ("4-2", "4-2"), ("", "")])
def test_to_int_never_raises(text: str, value: Any) -> None:
    assert to_int(text) == value


def test_a_converter_that_raises_errors_only_its_field() -> None:
    from hipaacheck.sources.terraform.adapters.builder import Builder
    from hipaacheck.sources.terraform.plan import Plan

    plan = Plan(plan_doc([change("aws_kms_key.k", {"deletion_window_in_days": "x", "is_enabled": True})]))
    b = Builder(plan, plan.resources[0], "kms_key")

    def boom(value: Any) -> Any:
        raise ValueError(value)

    assert b.take("deletion_window_days", "deletion_window_in_days", boom) is None
    assert b.take("enabled", "is_enabled") is True
    resource = b.build()
    assert resource.gaps["deletion_window_days"].kind is GapKind.ERROR and resource.attrs["enabled"] is True


def test_aurora_serverless_v1_is_always_encrypted(tmp_path: Path) -> None:
    cluster = change(
        "aws_rds_cluster.v1",
        {"cluster_identifier": "v1", "engine": "aurora-mysql", "engine_mode": "serverless", "storage_encrypted": None},
    )
    (resource,) = [r for r in _resources(tmp_path, plan_doc([cluster])) if r.type == "db_cluster"]
    assert resource.attrs["storage_encrypted"] is True and "Serverless v1" in resource.notes["storage_encrypted"]
