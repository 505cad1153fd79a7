"""Each collector on a seeded moto account (in-process): compliant ok-* and non-compliant bad-* resources."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hipaacheck.models import Resource

from .conftest import ACCOUNT, REGION, in_process_moto, live_scan, of_type
from .seed import seed_account


@pytest.fixture(scope="module")
def scanned() -> Iterator[Any]:
    with in_process_moto():
        seed_account()
        yield live_scan()


def one(scanned: Any, type_name: str, name: str) -> Resource:
    found = of_type(scanned.resources, type_name)
    assert name in found, sorted(found)
    resource = found[name]
    assert resource.source == "aws" and resource.account == ACCOUNT
    return resource


def test_every_resource_is_named_and_has_no_gaps(scanned: Any) -> None:
    for resource in scanned.resources:
        assert resource.name, resource.address
        if resource.type == "data_store_deletion":
            # Plan-only: its fields are "not managed" by design (tests/aws/test_sound_defaults_live.py).
            continue
        assert not resource.gaps, (resource.address, resource.gaps)
    assert scanned.notes == []
    assert scanned.regions == [REGION]


def test_s3_buckets(scanned: Any) -> None:
    ok = one(scanned, "s3_bucket", "ok-claims-documents")
    assert ok.address == "arn:aws:s3:::ok-claims-documents" and ok.region == REGION
    assert ok.attrs["encryption"]["algorithm"] == "aws:kms" and ok.attrs["encryption"]["kms_key_id"]
    assert ok.attrs["public_access_block"]["all_enabled"] is True
    assert ok.attrs["policy"] == {"present": True, "public": False, "denies_insecure_transport": True}
    assert ok.attrs["versioning"]["enabled"] is True
    assert ok.attrs["logging"] == {"enabled": True, "target_bucket": "ok-access-logs"}
    assert ok.attrs["tags"] == {"phi": "true"} and ok.attrs["receives_logs"] is False
    # Only S3 server access logs make a log bucket exempt (they would loop); a trail's bucket is
    # judged like any other (CIS AWS 3.6 wants access logging on it).
    assert one(scanned, "s3_bucket", "ok-access-logs").attrs["receives_logs"] is True
    assert one(scanned, "s3_bucket", "ok-audit-trail").attrs["receives_logs"] is False
    bad = one(scanned, "s3_bucket", "bad-claim-exports").attrs
    assert bad["encryption"] == {"algorithm": "AES256"}  # no configuration: the SSE-S3 default
    assert bad["public_access_block"] == {"all_enabled": False}
    assert bad["policy"]["public"] is True and bad["policy"]["denies_insecure_transport"] is False
    assert bad["versioning"]["enabled"] is False and bad["logging"] == {"enabled": False}
    assert bad["acl"] == {"public": False, "canned": "private"}
    assert bad["object_lock"] == {"enabled": False} and bad["replication_enabled"] is False


def test_kms_keys_named_by_alias(scanned: Any) -> None:
    keys = of_type(scanned.resources, "kms_key")
    assert set(keys) == {"alias/ok-phi", "alias/bad-unrotated", "alias/bad-disabled"}  # no AWS managed keys
    ok = dict(keys["alias/ok-phi"].attrs)
    ok.pop("key_usage", None)  # moto's DescribeKey leaves KeyUsage out; AWS always sends it
    assert ok == {
        "enabled": True,
        "key_state": "Enabled",
        "key_spec": "SYMMETRIC_DEFAULT",
        "origin": "AWS_KMS",
        "rotation_enabled": True,
        "tags": {"phi": "true"},
        "policy": {"present": True, "public": False},  # moto's default key policy: the account root
    }
    assert keys["alias/bad-unrotated"].attrs["rotation_enabled"] is False
    assert keys["alias/bad-disabled"].attrs["enabled"] is False
    assert keys["alias/bad-disabled"].attrs["key_state"] == "Disabled"


def test_db_instances_with_tls_from_parameter_groups(scanned: Any) -> None:
    ok = one(scanned, "db_instance", "ok-claims-db").attrs
    assert ok["storage_encrypted"] is True and ok["publicly_accessible"] is False
    assert ok["backup_retention_period"] == 14 and ok["deletion_protection"] is True
    assert ok["log_exports"] == ["postgresql"] and ok["parameter_group"] == "ok-postgres-tls"
    assert ok["tls_enforced"] is True
    bad = one(scanned, "db_instance", "bad-claims-db").attrs
    assert bad["storage_encrypted"] is False and bad["publicly_accessible"] is True
    assert bad["log_exports"] == [] and bad["deletion_protection"] is False
    # default.postgres14: moto has no default groups, so the engine default (14: no TLS) applies.
    assert bad["tls_enforced"] is False


def test_data_stores(scanned: Any) -> None:
    tables = of_type(scanned.resources, "dynamodb_table")
    assert tables["ok-portal-sessions"].attrs["sse_type"] == "KMS"
    assert tables["ok-portal-sessions"].attrs["point_in_time_recovery"] is True
    assert tables["ok-portal-sessions"].attrs["deletion_protection"] is True
    assert tables["bad-portal-sessions"].attrs["sse_type"] == "AWS_OWNED"
    assert tables["bad-portal-sessions"].attrs["point_in_time_recovery"] is False
    efs = of_type(scanned.resources, "efs_file_system")
    assert efs["ok-edi"].attrs["encrypted"] is True and efs["bad-edi"].attrs["encrypted"] is False
    caches = of_type(scanned.resources, "elasticache_replication_group")
    assert caches["ok-cache"].attrs["at_rest_encryption"] is True
    assert caches["ok-cache"].attrs["transit_encryption"] is True
    assert caches["bad-cache"].attrs["at_rest_encryption"] is False


def test_messaging_and_logs(scanned: Any) -> None:
    queues = of_type(scanned.resources, "sqs_queue")
    assert queues["ok-claims-intake"].attrs["encrypted"] is True
    assert queues["ok-claims-intake"].address == f"arn:aws:sqs:{REGION}:{ACCOUNT}:ok-claims-intake"
    assert queues["bad-claims-intake"].attrs == {
        "queue_name": "bad-claims-intake",
        "sqs_managed_sse": False,
        "encrypted": False,
        "tags": {},
        # seed_copies_secrets.py gives it a queue policy that lets everyone send
        "policy": {"present": True, "public": True, "denies_insecure_transport": False},
    }
    topics = of_type(scanned.resources, "sns_topic")
    assert topics["ok-alerts"].attrs["kms_master_key_id"]
    assert "kms_master_key_id" not in topics["bad-alerts"].attrs
    groups = of_type(scanned.resources, "cloudwatch_log_group")
    assert groups["/ok/billing-portal"].attrs["retention_days"] == 365
    assert groups["/bad/billing-portal"].attrs == {
        "log_group_name": "/bad/billing-portal",
        "retention_days": 30,
        "tags": {},
    }


def test_network_and_compute(scanned: Any) -> None:
    groups = of_type(scanned.resources, "security_group")
    assert groups["ok-app"].attrs["internet_exposed_ports"] == []
    assert groups["bad-admin"].attrs["internet_exposed_ports"] == [22]
    assert groups["bad-db-open"].attrs["internet_exposed_ports"] == [5432]
    assert groups["bad-db-open"].attrs["ingress"][0]["cidr_ipv4"] == ["0.0.0.0/0"]
    listeners = of_type(scanned.resources, "lb_listener")
    assert listeners["ok-portal:80"].attrs["redirects_to_https"] is True
    assert listeners["bad-portal:80"].attrs["default_action"] == "forward"
    assert listeners["bad-portal:80"].attrs["load_balancer_internal"] is False
    volumes = of_type(scanned.resources, "ebs_volume")
    assert volumes["ok-data"].attrs["encrypted"] is True and volumes["bad-data"].attrs["encrypted"] is False
    assert volumes["bad-edi-gateway-root"].attrs["attached_to"].startswith(f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/")
    instances = of_type(scanned.resources, "ec2_instance")
    assert instances["ok-edi-gateway"].attrs["metadata"]["http_tokens"] == "required"
    assert instances["bad-edi-gateway"].attrs["metadata"]["http_tokens"] == "optional"


def test_trails_and_iam(scanned: Any) -> None:
    trails = of_type(scanned.resources, "cloudtrail")
    ok = trails["ok-trail"].attrs
    assert ok["multi_region"] is True and ok["logging"] is True and ok["log_file_validation"] is True
    assert ok["management_events"] == "All" and ok["s3_bucket_name"] == "ok-audit-trail"
    assert trails["bad-trail"].attrs["logging"] is False
    policies = of_type(scanned.resources, "iam_policy")
    assert policies["bad-admin"].attrs["allows_admin"] is True
    assert policies["ok-claims-reader"].attrs["allows_admin"] is False
    inline = policies["bad-not-action"]
    assert inline.attrs["kind"] == "user-inline" and inline.attrs["attached_to"] == "bad-console-user"
    assert inline.attrs["allows_not_action"] is True and inline.region is None


def test_account_and_region_settings(scanned: Any) -> None:
    account = one(scanned, "account", ACCOUNT)
    assert account.address == f"account/{ACCOUNT}"
    assert account.attrs["root_mfa_enabled"] is False and account.attrs["root_access_keys_present"] is False
    assert account.attrs["console_users_without_mfa"] == ["bad-console-user"]
    assert "password_policy" not in account.attrs  # NoSuchEntity: no policy set
    assert account.attrs["s3_public_access_block"]["all_enabled"] is False
    assert account.attrs["multi_region_trail_logging"] is True
    region = one(scanned, "account_region", REGION)
    assert region.attrs == {
        "region": REGION,
        "ebs_encryption_by_default": False,
        "guardduty_enabled": False,
        "securityhub_enabled": False,
    }
