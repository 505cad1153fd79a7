"""Issue 11 items 1, 6, 7 and 8 in live scans (moto in-process): the same derivations as the plan source.

* a trail that logs data events only, or only writes, neither passes cloudtrail-trail-logging nor
  makes the account's multi-region trail check pass (GetEventSelectors);
* a bucket's object-level logging comes from the trails' data selectors;
* ElastiCache transit encryption in "preferred" mode fails;
* KMS keys with imported material are out of scope of kms-key-rotation;
* MariaDB 11.8's default parameter group requires TLS (the service-defaults table);
* plan-does-not-destroy-ephi is skipped, with the reason, in a live scan.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hipaacheck.engine import evaluate
from hipaacheck.models import GapKind, Status
from hipaacheck.sources.aws.permissions import all_calls

from .conftest import REGION, in_process_moto, live_scan, of_type


def _trail(client: Any, name: str, bucket: str, *, multi_region: bool = True, **selectors: Any) -> None:
    """A logging trail with the given EventSelectors= or AdvancedEventSelectors=."""
    client.create_trail(
        Name=name, S3BucketName=bucket, IsMultiRegionTrail=multi_region, IncludeGlobalServiceEvents=True
    )
    client.start_logging(Name=name)
    client.put_event_selectors(TrailName=name, **selectors)


@pytest.fixture(scope="module")
def scanned() -> Iterator[Any]:
    with in_process_moto():
        import boto3

        s3 = boto3.client("s3", region_name=REGION)
        for bucket in ("live-trail-logs", "live-claims", "live-reads-only", "live-untracked"):
            s3.create_bucket(Bucket=bucket)
            s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "phi", "Value": "true"}]})
        trails = boto3.client("cloudtrail", region_name=REGION)
        # The only multi-region trail records data events, no management events.
        _trail(
            trails,
            "live-data-only",
            "live-trail-logs",
            EventSelectors=[
                {
                    "ReadWriteType": "All",
                    "IncludeManagementEvents": False,
                    "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::live-claims/"]}],
                }
            ],
        )
        _trail(
            trails,
            "live-write-only",
            "live-trail-logs",
            multi_region=False,
            EventSelectors=[
                {
                    "ReadWriteType": "WriteOnly",
                    "IncludeManagementEvents": True,
                    "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::live-reads-only/"]}],
                }
            ],
        )
        _trail(
            trails,
            "live-advanced",
            "live-trail-logs",
            multi_region=False,
            AdvancedEventSelectors=[
                {"Name": "management", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
            ],
        )
        cache = boto3.client("elasticache", region_name=REGION)
        cache.create_replication_group(
            ReplicationGroupId="live-preferred",
            ReplicationGroupDescription="transit preferred",
            Engine="redis",
            CacheNodeType="cache.t4g.small",
            NumCacheClusters=1,
            AtRestEncryptionEnabled=True,
            TransitEncryptionEnabled=True,
            TransitEncryptionMode="preferred",
        )
        rds = boto3.client("rds", region_name=REGION)
        for name, version in (("live-mariadb-118", "11.8.3"), ("live-mariadb-1011", "10.11.9")):
            rds.create_db_instance(
                DBInstanceIdentifier=name,
                Engine="mariadb",
                EngineVersion=version,
                DBInstanceClass="db.t3.micro",
                AllocatedStorage=20,
                MasterUsername="admin_user",
                MasterUserPassword="Dummy-password-0000",
            )
        kms = boto3.client("kms", region_name=REGION)
        kms.create_key(Description="imported material", Origin="EXTERNAL")
        yield live_scan()


def _findings(scanned: Any, policies: list[Any]) -> dict[tuple[str, str], Any]:
    return {(f.policy_id, str(f.resource.name)): f for f in evaluate(policies, scanned.resources)}


def test_trail_selectors_decide_management_events(scanned: Any, builtin_policies: Any) -> None:
    trails = of_type(scanned.resources, "cloudtrail")
    assert trails["live-data-only"].attrs.get("management_events") is None
    assert trails["live-write-only"].attrs["management_events"] == "WriteOnly"
    assert trails["live-advanced"].attrs["management_events"] == "All"
    findings = _findings(scanned, builtin_policies)
    assert findings[("cloudtrail-trail-logging", "live-data-only")].status is Status.FAIL
    assert findings[("cloudtrail-trail-logging", "live-write-only")].status is Status.FAIL
    assert findings[("cloudtrail-trail-logging", "live-advanced")].status is Status.PASS
    # The logging multi-region trail records no management events: the account is not covered.
    (account,) = [f for (p, _), f in findings.items() if p == "cloudtrail-multi-region-logging"]
    assert account.status is Status.FAIL
    assert "live-data-only (management events: none)" in account.message


def test_bucket_object_level_logging(scanned: Any, builtin_policies: Any) -> None:
    buckets = of_type(scanned.resources, "s3_bucket")
    assert buckets["live-claims"].attrs["object_level_logging"] is True
    assert buckets["live-reads-only"].attrs["object_level_logging"] is False  # writes only
    assert buckets["live-untracked"].attrs["object_level_logging"] is False
    findings = _findings(scanned, builtin_policies)
    assert findings[("cloudtrail-s3-data-events-phi", "live-claims")].status is Status.PASS
    assert findings[("cloudtrail-s3-data-events-phi", "live-untracked")].status is Status.FAIL
    assert findings[("cloudtrail-s3-data-events-phi", "live-trail-logs")].status is Status.SKIPPED


def test_get_event_selectors_is_declared() -> None:
    assert any(call.action == "cloudtrail:GetEventSelectors" for call in all_calls())


def test_elasticache_preferred_transit_fails(scanned: Any, builtin_policies: Any) -> None:
    group = of_type(scanned.resources, "elasticache_replication_group")["live-preferred"]
    assert group.attrs["transit_encryption_mode"] == "preferred" and group.attrs["transit_encryption"] is False
    findings = _findings(scanned, builtin_policies)
    assert findings[("elasticache-transit-encryption", "live-preferred")].status is Status.FAIL


def test_imported_key_material_is_out_of_rotation_scope(scanned: Any, builtin_policies: Any) -> None:
    (key,) = [r for r in scanned.resources if r.type == "kms_key"]
    assert key.attrs["origin"] == "EXTERNAL"
    (rotation,) = [f for f in evaluate(builtin_policies, [key]) if f.policy_id == "kms-key-rotation"]
    assert rotation.status is Status.SKIPPED


def test_plan_only_policy_is_skipped_with_the_reason(scanned: Any, builtin_policies: Any) -> None:
    (placeholder,) = [r for r in scanned.resources if r.type == "data_store_deletion"]
    assert all(g.kind is GapKind.NOT_MANAGED for g in placeholder.gaps.values())
    (finding,) = [f for f in evaluate(builtin_policies, [placeholder]) if f.policy_id == "plan-does-not-destroy-ephi"]
    assert finding.status is Status.SKIPPED and "only a Terraform plan" in finding.message


def test_mariadb_default_parameter_group_tls(scanned: Any) -> None:
    # RDS for MariaDB 11.8+ default parameter groups set require_secure_transport = ON (the defaults table).
    instances = of_type(scanned.resources, "db_instance")
    assert instances["live-mariadb-118"].attrs["tls_enforced"] is True
    assert instances["live-mariadb-1011"].attrs["tls_enforced"] is False
