"""The real CLI against a moto server: every seeded violation found, nothing compliant failed.

Also the misuse paths of `scan aws` (one line on stderr, exit 2) and the
permissions proof: every API operation a full scan makes is covered by the
policy `hipaacheck permissions` prints.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..conftest import assert_input_error, run_cli
from .seed import seed_account
from .tools import moto_server, scan_env

# (policy, resource name) of every failing finding: each seeded bad-* resource fails exactly what it breaks,
# and the account-level settings left at their insecure defaults fail too.
EXPECTED_FAILURES = {
    ("account-console-users-mfa", "123456789012"),
    ("account-password-policy", "123456789012"),
    ("account-root-mfa", "123456789012"),
    ("s3-account-public-access-block", "123456789012"),
    ("ebs-encryption-by-default", "us-east-1"),
    ("guardduty-enabled", "us-east-1"),
    ("securityhub-enabled", "us-east-1"),  # the seeded account never subscribed to Security Hub
    ("config-recorder-all-resources", "no recorder in us-east-1"),  # nor set up an AWS Config recorder
    ("iam-user-no-direct-policies", "bad-console-user"),  # it holds the inline policy bad-not-action
    ("cloudtrail-kms-encryption", "bad-trail"),
    ("cloudtrail-s3-data-events-phi", "bad-claim-exports"),
    ("cloudtrail-log-file-validation", "bad-trail"),
    ("cloudtrail-trail-logging", "bad-trail"),
    ("cloudwatch-log-group-kms-encryption", "/bad/billing-portal"),
    ("cloudwatch-log-group-retention", "/bad/billing-portal"),
    ("dynamodb-deletion-protection", "bad-portal-sessions"),
    ("dynamodb-point-in-time-recovery", "bad-portal-sessions"),
    ("dynamodb-table-kms-encryption", "bad-portal-sessions"),
    ("ebs-volume-encrypted", "bad-data"),
    ("ebs-volume-encrypted", "bad-edi-gateway-root"),
    ("ec2-instance-imdsv2", "bad-edi-gateway"),
    ("efs-file-system-encrypted", "bad-edi"),
    ("elasticache-at-rest-encryption", "bad-cache"),
    ("elasticache-transit-encryption", "bad-cache"),
    ("iam-policy-no-admin", "bad-admin"),
    ("iam-policy-no-allow-not-action", "bad-not-action"),
    ("kms-key-enabled", "alias/bad-disabled"),
    ("kms-key-rotation", "alias/bad-unrotated"),
    ("lb-listener-encrypted", "bad-portal:80"),
    ("rds-instance-backup-retention", "bad-claims-db"),
    ("rds-instance-deletion-protection", "bad-claims-db"),
    ("rds-instance-log-exports", "bad-claims-db"),
    ("rds-instance-not-public", "bad-claims-db"),
    ("rds-instance-storage-encrypted", "bad-claims-db"),
    ("rds-instance-tls-enforced", "bad-claims-db"),
    ("s3-bucket-access-logging", "bad-claim-exports"),
    ("s3-bucket-denies-insecure-transport", "bad-claim-exports"),
    ("s3-bucket-kms-encryption", "bad-claim-exports"),
    ("s3-bucket-not-public", "bad-claim-exports"),
    ("s3-bucket-public-access-block", "bad-claim-exports"),
    ("s3-bucket-versioning", "bad-claim-exports"),
    ("security-group-no-internet-admin-ports", "bad-admin"),
    ("security-group-no-internet-data-ports", "bad-db-open"),
    ("sns-topic-kms-encryption", "bad-alerts"),
    ("sqs-queue-encrypted", "bad-claims-intake"),
    ("efs-backup-policy-enabled", "bad-edi"),
    ("elasticache-snapshot-retention", "bad-cache"),
    # No AWS Backup plan is seeded (moto cannot create backup selections), so every store,
    # ok- or bad-, is in none: tests/aws/test_backup_live.py covers the protected side.
    *{
        (policy, name)
        for policy, names in {
            "dynamodb-table-in-backup-plan": ("ok-portal-sessions", "bad-portal-sessions"),
            "ebs-volume-in-backup-plan": (
                "ok-data",
                "bad-data",
                "ok-edi-gateway-root",
                "bad-edi-gateway-root",
                "ok-disk",  # tests/aws/seed_copies_secrets.py
                "bad-disk",
            ),
            "efs-file-system-in-backup-plan": ("ok-edi", "bad-edi"),
            "rds-instance-in-backup-plan": ("ok-claims-db", "bad-claims-db"),
        }.items()
        for name in names
    },
    # moto's default VPC and its default group are left as AWS makes them: no flow log, all egress allowed.
    ("vpc-flow-logs-enabled", "default-vpc"),
    ("vpc-default-security-group-closed", "default"),
    ("lb-access-logging", "bad-portal"),
    ("lb-deletion-protection", "bad-portal"),
    ("lb-drop-invalid-headers", "bad-portal"),
    ("lb-internet-facing-waf", "bad-portal"),
    # tests/aws/seed_copies_secrets.py
    ("db-snapshot-encrypted", "bad-claims-db-snap"),
    ("db-snapshot-not-public", "bad-claims-db-snap"),
    ("db-snapshot-not-public", "bad-ledger-shared"),
    ("ebs-snapshot-encrypted", "bad-disk-snap"),
    ("ebs-snapshot-encrypted", "bad-worker-image-root"),  # moto's auto-created root snapshot of the image
    ("ebs-snapshot-not-public", "bad-disk-snap"),
    ("ebs-volume-encrypted", "bad-disk"),
    ("efs-denies-insecure-transport", "bad-edi"),
    ("lambda-function-not-public", "bad-confused-deputy"),
    ("lambda-function-not-public", "bad-open-invoke"),
    ("lambda-function-url-auth", "bad-open-invoke"),
    ("machine-image-encrypted", "bad-worker-image"),
    ("machine-image-not-public", "bad-worker-image"),
    ("secretsmanager-secret-kms-cmk", "bad-api-token"),
    ("secretsmanager-secret-not-public", "bad-api-token"),
    ("secretsmanager-secret-rotation", "bad-api-token"),
    ("sns-topic-denies-insecure-transport", "bad-alerts"),
    ("sqs-queue-denies-insecure-transport", "bad-claims-intake"),
    ("sqs-queue-not-public", "bad-claims-intake"),
}
IN_BACKUP_PLAN = {p for p, _ in EXPECTED_FAILURES if p.endswith("-in-backup-plan")}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A seeded moto server, and the environment that points the CLI at it."""
    work = tmp_path_factory.mktemp("moto")
    config = work / "aws-config"
    config.write_text("")
    with moto_server(work) as moto, pytest.MonkeyPatch.context() as patch:
        env = scan_env(moto.url, config)
        for name, value in env.items():
            if name.startswith("AWS_") or name.lower() == "no_proxy":
                patch.setenv(name, value)
        seed_account()
        yield env


def _failing(report: dict[str, Any]) -> set[tuple[str, str]]:
    return {(f["policy_id"], f["resource"]["name"]) for f in report["findings"] if f["status"] == "fail"}


def test_scan_aws_finds_every_seeded_violation(server: dict[str, str]) -> None:
    result = run_cli("scan", "aws", "--region", "us-east-1", "--format", "json", env=server)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    report = json.loads(result.out)
    caller = report["source"].pop("caller_arn")
    assert caller.startswith("arn:aws:") and ":123456789012:" in caller  # who scanned (sts:GetCallerIdentity)
    (account,) = report["source"].pop("accounts")  # 1.6: one entry for a single-account scan
    assert report["source"] == {
        "kind": "aws",
        "account": "123456789012",
        "regions": ["us-east-1"],
        "enabled_regions": report["source"]["enabled_regions"],
        "regions_not_scanned": {},
        "organization": None,
    }
    started, finished = account.pop("started_at"), account.pop("finished_at")
    assert started <= finished and started.endswith("+00:00")
    assert account == {
        "id": "123456789012",
        "name": None,  # no IAM alias (and no Organizations listing)
        "regions": ["us-east-1"],
        "status": "scanned",
        "error": None,
        "enabled_regions": report["source"]["enabled_regions"],
        "regions_not_scanned": {},
    }
    assert "us-east-1" in report["source"]["enabled_regions"] and len(report["source"]["enabled_regions"]) > 1
    failing = _failing(report)
    errors = [(f["policy_id"], f["message"]) for f in report["findings"] if f["status"] in ("error", "unknown")]
    assert failing == EXPECTED_FAILURES, (errors, report["notes"])
    assert failing == EXPECTED_FAILURES, (sorted(failing - EXPECTED_FAILURES), sorted(EXPECTED_FAILURES - failing))
    names = {f["resource"]["name"] for f in report["findings"]}
    assert not [
        n for n in names if n.startswith("ok-") and any(p[1] == n for p in failing if p[0] not in IN_BACKUP_PLAN)
    ]
    assert report["summary"]["error"] == 0 and report["summary"]["unknown"] == 0, report["notes"]
    bucket = next(f["resource"] for f in report["findings"] if f["resource"]["name"] == "ok-claims-documents")
    assert bucket == {
        "type": "s3_bucket",
        "address": "arn:aws:s3:::ok-claims-documents",
        "name": "ok-claims-documents",
        "source": "aws",
        "region": "us-east-1",
        "account": "123456789012",
        "action": None,
    } | {
        k: v for k, v in bucket.items() if k not in ("type", "address", "name", "source", "region", "account", "action")
    }


def test_table_header_names_the_scanned_identity(server: dict[str, str]) -> None:
    result = run_cli("scan", "aws", "--region", "us-east-1", "--compact", env=server)
    assert result.code == 1, result.err
    header = " ".join(line.strip() for line in result.out.split("\n\n")[0].splitlines())
    assert "from AWS account 123456789012 as arn:aws:" in header and "1 region(s): us-east-1" in header
    assert result.out.rstrip().splitlines()[-1].startswith("FAILED: ")


def test_quiet_json_keeps_stderr_and_stdout_clean(server: dict[str, str]) -> None:
    result = run_cli("scan", "aws", "--region", "us-east-1", "--format", "json", "--quiet", env=server)
    assert result.err == ""
    json.loads(result.out)


def test_unknown_region_is_one_line_exit_2(server: dict[str, str]) -> None:
    assert_input_error(run_cli("scan", "aws", "--region", "us-middle-9", env=server), "unknown region 'us-middle-9'")


def test_unknown_profile_is_one_line_exit_2(server: dict[str, str]) -> None:
    result = run_cli("scan", "aws", "--profile", "no-such-profile", env=server)
    assert_input_error(result, "AWS profile 'no-such-profile' not found")


def test_no_credentials_is_one_line_exit_2(server: dict[str, str]) -> None:
    env = {k: v for k, v in server.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    assert_input_error(run_cli("scan", "aws", "--region", "us-east-1", env=env), "no AWS credentials found")


def test_unassumable_role_is_one_line_exit_2(server: dict[str, str]) -> None:
    # moto lets anyone assume any role; a denial is what AWS answers for a role that does not trust us.
    result = run_cli("scan", "aws", "--external-id", "x", env=server)
    assert_input_error(result, "--external-id needs --role-arn")


def test_refused_endpoint_is_one_line_exit_2(server: dict[str, str], tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again before the CLI runs: nothing listens there
    env = {**server, "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}"}
    assert_input_error(run_cli("scan", "aws", "--region", "us-east-1", env=env), "cannot reach AWS")


def test_permissions_policy_is_read_only_json() -> None:
    result = run_cli("permissions")
    assert result.code == 0 and result.err == ""
    policy = json.loads(result.out)
    (statement,) = policy["Statement"]
    assert statement["Effect"] == "Allow" and statement["Resource"] == "*"
    actions = statement["Action"]
    assert actions == sorted(set(actions)) and "sts:GetCallerIdentity" in actions
    for action in actions:
        verb = action.split(":", 1)[1]
        # API Gateway's management API is authorised by HTTP verb: apigateway:GET is its read.
        assert verb.startswith(("Get", "List", "Describe")) or action in (
            "iam:GenerateCredentialReport",
            "apigateway:GET",
        ), action


def test_live_exports_carry_the_account_and_region(server: dict[str, str], tmp_path: Path) -> None:
    """ASFF, OCSF and CSV of a live scan through the real CLI: the scanned account, each resource's region."""
    import csv

    files = {fmt: tmp_path / f"live.{fmt}" for fmt in ("asff", "ocsf", "csv")}
    reports = [x for fmt, path in files.items() for x in ("--report", f"{fmt}={path}")]
    result = run_cli("scan", "aws", "--region", "us-east-1", "--quiet", "--format", "json", *reports, env=server)
    assert result.code == 1, result.err
    report = json.loads(result.out)
    # A live report fits the published report schema and the model that reads reports back.
    from jsonschema import Draft202012Validator

    from hipaacheck.report_model import ReportDocument
    from hipaacheck.schema_files import SCHEMAS_DIR

    schema = json.loads((SCHEMAS_DIR / "report.schema.json").read_text())
    assert not list(Draft202012Validator(schema).iter_errors(report))
    ReportDocument.model_validate(report)
    asff = json.loads(files["asff"].read_text())
    assert len(asff) == len(report["findings"])
    assert {f["AwsAccountId"] for f in asff} == {"123456789012"}
    assert {f["ProductArn"] for f in asff} == {
        "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"
    }
    # The resource id is the address the JSON report gives (the ARN, or the account-level name).
    assert [f["Resources"][0]["Id"] for f in asff] == [f["resource"]["address"] for f in report["findings"]]
    assert all("live AWS account 123456789012" in f["Description"] for f in asff)
    ocsf = json.loads(files["ocsf"].read_text())
    assert {e["cloud"]["account"]["uid"] for e in ocsf} == {"123456789012"}
    assert {e["cloud"].get("region") for e in ocsf} <= {"us-east-1", None}
    rows = list(csv.DictReader(files["csv"].open(newline="", encoding="utf-8")))
    assert [r["resource_address"] for r in rows] == [f["resource"]["address"] for f in report["findings"]]
    assert {r["account"] for r in rows} == {"123456789012"}
