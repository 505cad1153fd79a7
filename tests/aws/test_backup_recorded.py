"""The backup collector on recorded responses (botocore Stubber, shapes checked against the service model).

The paths moto cannot reach: AWS owned vault keys, a vault without an access
policy, a denied selection read, a schedule that is not a cron expression,
and a denied listing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from hipaacheck.models import GapKind
from hipaacheck.sources.aws.builder import Where
from hipaacheck.sources.aws.calls import Fetcher
from hipaacheck.sources.aws.collectors.backup import collect
from hipaacheck.sources.aws.context import Context, Facts

REGION = "us-east-1"
ACCOUNT = "111122223333"
WHEN = datetime(2026, 1, 1, tzinfo=UTC)
PLAN_ARN = f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-plan:p-1"
VAULT_ARN = f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:air-gapped"


@pytest.fixture
def stubbed() -> Iterator[tuple[Stubber, Any]]:
    client = boto3.client("backup", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    with Stubber(client) as stub:
        yield stub, client
        stub.assert_no_pending_responses()


def _run(client: Any) -> tuple[list[Any], Facts]:
    facts = Facts()
    ctx = Context(Fetcher(lambda service, region: client, 1), Where(ACCOUNT, REGION), facts, (REGION,))
    return collect(ctx), facts


def test_owned_key_no_policy_denied_selections_and_a_bad_schedule(stubbed: tuple[Stubber, Any]) -> None:
    stub, client = stubbed
    stub.add_response(
        "list_backup_plans",
        {"BackupPlansList": [{"BackupPlanArn": PLAN_ARN, "BackupPlanId": "p-1", "BackupPlanName": "odd"}]},
    )
    stub.add_response(
        "get_backup_plan",
        {
            "BackupPlan": {
                "BackupPlanName": "odd",
                "Rules": [
                    {"RuleName": "r", "TargetBackupVaultName": "v", "ScheduleExpression": "rate(1 day)"},
                ],
            }
        },
        {"BackupPlanId": "p-1"},
    )
    stub.add_response("list_tags", {"Tags": {"phi": "true"}}, {"ResourceArn": PLAN_ARN})
    stub.add_client_error("list_backup_selections", "AccessDeniedException", "not allowed", 400)
    stub.add_response(
        "list_backup_vaults",
        {"BackupVaultList": [{"BackupVaultName": "air-gapped", "BackupVaultArn": VAULT_ARN, "CreationDate": WHEN}]},
    )
    stub.add_response(
        "describe_backup_vault",
        {
            "BackupVaultName": "air-gapped",
            "BackupVaultArn": VAULT_ARN,
            "VaultType": "LOGICALLY_AIR_GAPPED_BACKUP_VAULT",
            "Locked": True,
            "MinRetentionDays": 7,
            "EncryptionKeyType": "AWS_OWNED_KMS_KEY",
        },
        {"BackupVaultName": "air-gapped"},
    )
    stub.add_client_error("get_backup_vault_access_policy", "ResourceNotFoundException", "no policy", 404)
    stub.add_response("list_tags", {"Tags": {}}, {"ResourceArn": VAULT_ARN})
    resources, facts = _run(client)
    plan, vault = resources
    assert plan.attrs["tags"] == {"phi": "true"} and plan.attrs["rule_count"] == 1
    assert plan.gaps["daily_or_more_often"].kind is GapKind.ERROR  # never a guess at an unreadable schedule
    assert "retention_forever" in plan.attrs and plan.attrs["retention_forever"] is True
    assert "denied" in facts.backup_selections_unread[REGION]
    assert vault.attrs["kms_key_customer_managed"] is False  # an AWS owned key
    assert vault.attrs["locked"] is True and vault.attrs["lock_min_retention_days"] == 7
    assert vault.attrs["policy_present"] is False and vault.attrs["policy_public"] is False
    assert not vault.gaps


def test_a_denied_listing_is_an_error_for_every_plan_and_no_store_is_unprotected(
    stubbed: tuple[Stubber, Any],
) -> None:
    stub, client = stubbed
    stub.add_client_error("list_backup_plans", "AccessDeniedException", "not allowed", 400)
    stub.add_client_error("list_backup_vaults", "AccessDeniedException", "not allowed", 400)
    resources, facts = _run(client)
    assert {r.type for r in resources} == {"backup_plan", "backup_vault"}
    assert all(g.kind is GapKind.ERROR for r in resources for g in r.gaps.values())
    assert REGION in facts.backup_selections_unread and REGION not in facts.backup_selections
