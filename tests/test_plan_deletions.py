"""Issue 11 item 8: what a plan destroys. Real-plan verdicts: fixtures/terraform/deletions/expected.yaml.

These cover the variants the moto-applied fixture cannot hold: RDS (moto makes
the provider poll for minutes), the account public access block (s3control in
moto server mode), a replacement of a safeguard, and an unreadable "before".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hipaacheck.engine import evaluate
from hipaacheck.models import Resource, Status
from hipaacheck.sources.terraform import load_plan_resources

from .conftest import change, plan_doc


def deleted(address: str, before: Any, actions: tuple[str, ...] = ("delete",)) -> dict[str, Any]:
    entry = change(address, {}, actions=actions)
    entry["change"]["before"] = before
    if actions == ("delete",):
        entry["change"]["after"] = None
    return entry


def _findings(tmp_path: Path, changes: list[dict[str, Any]], policies: Any) -> dict[tuple[str, str], Any]:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan_doc(changes)))
    resources: list[Resource] = load_plan_resources(path)[1]
    return {(f.policy_id, f.resource.address): f for f in evaluate(policies, resources)}


PHI = {"phi": "true"}


@pytest.mark.parametrize(
    ("before", "status", "words"),
    [
        ({"identifier": "db", "skip_final_snapshot": True, "tags": PHI}, Status.FAIL, "no final snapshot"),
        (
            {"identifier": "db", "skip_final_snapshot": False, "final_snapshot_identifier": "db-final", "tags": PHI},
            Status.PASS,
            "",
        ),
        # Without a final snapshot name RDS refuses the delete: nothing is lost.
        ({"identifier": "db", "skip_final_snapshot": False, "tags": PHI}, Status.PASS, ""),
        ({"identifier": "db", "skip_final_snapshot": True, "deletion_protection": True, "tags": PHI}, Status.PASS, ""),
        ({"identifier": "db", "skip_final_snapshot": True, "tags": {"phi": "false"}}, Status.SKIPPED, ""),
        # A read replica's data lives on in its source.
        (
            {"identifier": "db", "skip_final_snapshot": True, "replicate_source_db": "claims", "tags": PHI},
            Status.PASS,
            "",
        ),
    ],
)
def test_rds_instance_deletion(tmp_path: Path, builtin_policies: Any, before: Any, status: Status, words: str) -> None:
    findings = _findings(tmp_path, [deleted("aws_db_instance.claims", before)], builtin_policies)
    finding = findings[("plan-does-not-destroy-ephi", "aws_db_instance.claims")]
    assert finding.status is status, finding.message
    assert words in finding.message and (status is not Status.FAIL or "this plan deletes" in finding.message)


def test_rds_cluster_replacement_without_final_snapshot_fails(tmp_path: Path, builtin_policies: Any) -> None:
    before = {"cluster_identifier": "ledger", "skip_final_snapshot": True, "tags": PHI}
    replaced = deleted("aws_rds_cluster.ledger", before, actions=("delete", "create"))
    replaced["change"]["after"] = {"cluster_identifier": "ledger", "skip_final_snapshot": True, "tags": PHI}
    findings = _findings(tmp_path, [replaced], builtin_policies)
    finding = findings[("plan-does-not-destroy-ephi", "aws_rds_cluster.ledger")]
    assert finding.status is Status.FAIL and "this plan replaces aws_rds_cluster.ledger" in finding.message
    # The new cluster is evaluated as usual.
    assert ("rds-cluster-storage-encrypted", "aws_rds_cluster.ledger") in findings


def test_an_unreadable_before_is_an_error(tmp_path: Path, builtin_policies: Any) -> None:
    findings = _findings(tmp_path, [deleted("aws_dynamodb_table.t", None)], builtin_policies)
    assert findings[("plan-does-not-destroy-ephi", "aws_dynamodb_table.t")].status is Status.ERROR


def test_deleting_the_account_public_access_block_fails(tmp_path: Path, builtin_policies: Any) -> None:
    block = {
        f: True for f in ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")
    }
    findings = _findings(tmp_path, [deleted("aws_s3_account_public_access_block.this", block)], builtin_policies)
    finding = findings[("s3-account-public-access-block", "account")]
    assert finding.status is Status.FAIL
    assert "this plan deletes aws_s3_account_public_access_block.this" in finding.message


def test_replacing_a_safeguard_is_evaluated_not_failed(tmp_path: Path, builtin_policies: Any) -> None:
    detector = deleted("aws_guardduty_detector.main", {"enable": True}, actions=("delete", "create"))
    detector["change"]["after"] = {"enable": True}
    findings = _findings(tmp_path, [detector], builtin_policies)
    assert findings[("guardduty-enabled", "account/us-east-1")].status is Status.PASS


def test_a_deleted_trail_does_not_fail_while_another_qualifies(tmp_path: Path, builtin_policies: Any) -> None:
    old = deleted("aws_cloudtrail.old", {"name": "old", "is_multi_region_trail": True})
    new = change(
        "aws_cloudtrail.new",
        {
            "name": "new",
            "is_multi_region_trail": True,
            "enable_logging": True,
            "include_global_service_events": True,
            "event_selector": [],
            "advanced_event_selector": [],
        },
    )
    findings = _findings(tmp_path, [old, new], builtin_policies)
    assert findings[("cloudtrail-multi-region-logging", "account")].status is Status.PASS


def test_nothing_deleted_nothing_reported(tmp_path: Path, builtin_policies: Any) -> None:
    findings = _findings(tmp_path, [change("aws_efs_file_system.fs", {"encrypted": True})], builtin_policies)
    assert not [k for k in findings if k[0] == "plan-does-not-destroy-ephi"]
    assert findings[("guardduty-enabled", "account/us-east-1")].status is Status.SKIPPED
