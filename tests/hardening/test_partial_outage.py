"""A live scan through a partial outage: one service unreachable, one read denied, one throttled past retries.

One seeded moto account (in-process), scanned twice through the real CLI:
cleanly, then with the three faults injected at once through botocore's
event hooks. The faulty report must be complete (every resource and check
of the clean scan is there), exactly the checks that depend on the failed
reads must be ``error`` with the reason, everything else must be evaluated
as before, and the exit code must say the scan was incomplete.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError

from ..aws.seed import seed_account

REGION = "us-east-1"
SCAN = ["scan", "aws", "--region", REGION, "--quiet", "--retry-mode", "standard", "--max-attempts", "2"]

UNREACHABLE = "cannot reach the kms endpoint in us-east-1"
DENIED = "s3:GetEncryptionConfiguration denied: simulated outage: not authorized"
THROTTLED = "dynamodb:ListTables throttled: gave up after 2 attempt(s) (ThrottlingException)"


def _unreachable(request: Any, **_: Any) -> None:
    raise EndpointConnectionError(endpoint_url=request.url)


def _denied(**_: Any) -> Any:
    error = {"Code": "AccessDenied", "Message": "simulated outage: not authorized"}
    return SimpleNamespace(status_code=403), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 403}}


def _throttled(request: Any, **_: Any) -> AWSResponse:
    body = b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}'
    raw = SimpleNamespace(stream=lambda: iter([body]))
    return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.0"}, raw)


def outage(session: boto3.Session) -> None:
    """Every KMS call cannot connect; GetBucketEncryption is denied; DynamoDB ListTables is always throttled."""
    session.events.register("before-send.kms", _unreachable)
    session.events.register("before-call.s3.GetBucketEncryption", _denied)
    session.events.register("before-send.dynamodb.ListTables", _throttled)


@dataclass
class Scans:
    clean: dict[str, Any]
    clean_code: int
    faulty: dict[str, Any]
    faulty_code: int
    baseline_code: int  # the faulty scan with the clean scan as baseline: no new failure
    baseline_report: dict[str, Any]


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scans]:
    from moto import mock_aws

    from hipaacheck.cli import main
    from hipaacheck.sources.aws import runner

    out = tmp_path_factory.mktemp("outage")
    original = runner.open_session
    hooks: dict[str, Any] = {"on_session": None}

    def open_session(options: Any, on_session: Any = None) -> Any:
        return original(options, hooks["on_session"])

    def run(*extra: str) -> int:
        return main([*SCAN, *extra])

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        patch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
        patch.setattr(runner, "open_session", open_session)
        with mock_aws():
            seed_account()
            clean_code = run("--format", "json", "--output", str(out / "clean.json"))
            hooks["on_session"] = outage
            faulty_code = run("--format", "json", "--output", str(out / "faulty.json"))
            baseline = ["--baseline", str(out / "clean.json"), "--format", "json", "--output", str(out / "gated.json")]
            baseline_code = run(*baseline)
    yield Scans(
        clean=json.loads((out / "clean.json").read_text()),
        clean_code=clean_code,
        faulty=json.loads((out / "faulty.json").read_text()),
        faulty_code=faulty_code,
        baseline_code=baseline_code,
        baseline_report=json.loads((out / "gated.json").read_text()),
    )


def _by_key(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(f["policy_id"], f["resource"]["address"]): f for f in report["findings"]}


def _affected(finding: dict[str, Any]) -> str | None:
    """The reason a finding of the faulty scan must be an error, or None if it must be unaffected."""
    if finding["resource"]["type"] == "kms_key":
        return UNREACHABLE
    if finding["resource"]["type"] == "dynamodb_table":
        return THROTTLED
    if finding["policy_id"] == "s3-bucket-kms-encryption":
        return DENIED
    if finding["policy_id"] == "secretsmanager-secret-kms-cmk" and finding["resource"]["name"] == "ok-db-password":
        return UNREACHABLE  # whether its key ARN is customer managed is KMS's answer (kms:DescribeKey)
    return None


def test_the_clean_scan_has_no_errors(scans: Scans) -> None:
    assert scans.clean_code == 1  # the seeded account has non-compliant resources
    assert scans.clean["summary"]["error"] == 0 and scans.clean["result"] == "fail"
    types = {f["resource"]["type"] for f in scans.clean["findings"]}
    assert {"kms_key", "dynamodb_table", "s3_bucket", "db_instance", "security_group"} <= types


def test_exactly_the_affected_checks_are_errors_with_the_reason(scans: Scans) -> None:
    faulty = _by_key(scans.faulty)
    affected = {key: f for key, f in faulty.items() if _affected(f)}
    assert {_affected(f) for f in affected.values()} == {UNREACHABLE, DENIED, THROTTLED}
    for key, finding in affected.items():
        assert finding["status"] == "error", (key, finding["status"], finding["message"])
        assert _affected(finding) in finding["message"], (key, finding["message"])
    errors = {key for key, f in faulty.items() if f["status"] == "error"}
    assert errors == set(affected)  # nothing else became an error


def test_everything_else_is_evaluated_as_in_the_clean_scan(scans: Scans) -> None:
    clean, faulty = _by_key(scans.clean), _by_key(scans.faulty)
    unaffected_clean = {k: f for k, f in clean.items() if not _affected(f)}
    unaffected_faulty = {k: f for k, f in faulty.items() if not _affected(f)}
    assert set(unaffected_faulty) == set(unaffected_clean)  # the report is complete
    changed = {
        k: (clean[k]["status"], f["status"]) for k, f in unaffected_faulty.items() if clean[k]["status"] != f["status"]
    }
    assert changed == {}
    # The unreadable types are still in the report, one error per check, not silently missing.
    policies = {p for p, _ in clean if p.startswith(("kms-", "dynamodb-"))}
    assert policies and policies <= {p for p, _ in faulty}


def test_the_notes_name_the_failed_reads(scans: Scans) -> None:
    notes = " ".join(scans.faulty["notes"])
    assert "read(s) failed; dependent checks report error" in notes


def test_failures_still_win_exit_1_with_the_gap_counted(scans: Scans) -> None:
    assert scans.faulty_code == 1 and scans.faulty["result"] == "fail"
    assert scans.faulty["gate"]["incomplete"] == scans.faulty["summary"]["error"] > 0


def test_no_new_failure_but_checks_that_could_not_run_is_exit_3(scans: Scans) -> None:
    report = scans.baseline_report
    assert scans.baseline_code == 3
    assert report["result"] == "incomplete"
    assert report["gate"]["failing"] == 0 and report["gate"]["incomplete"] == report["summary"]["error"] > 0
    gating = [f for f in report["findings"] if f["gating"]]
    assert gating and {f["status"] for f in gating} == {"error"}
