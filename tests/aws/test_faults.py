"""Faults are reported, never hidden: denied and throttled reads, disabled and unreachable regions.

Denials and canned answers are injected with botocore's own event hooks on
each thread's session (a `before-call` handler that returns a response
short-circuits the request, as a failing client would); throttling is
injected at `before-send`, below botocore's retry handler, so the retries
really happen.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import EndpointConnectionError

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate
from hipaacheck.models import GapKind, Status
from hipaacheck.policy.loader import load_policies
from hipaacheck.sources.aws.options import ScanOptions
from hipaacheck.sources.aws.runner import scan_account
from hipaacheck.sources.errors import InputError

from .conftest import REGION, of_type


def _error(code: str, message: str, status: int = 403) -> tuple[Any, dict[str, Any]]:
    parsed = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return SimpleNamespace(status_code=status), parsed


def _hook(event: str, handler: Any) -> Any:
    def on_session(session: boto3.Session) -> None:
        session.events.register(event, handler)

    return on_session


def _scan(on_session: Any = None, *regions: str, **options: Any) -> Any:
    return scan_account(ScanOptions(regions=regions or (REGION,), workers=4, **options), on_session)


def _statuses(resources: list[Any]) -> dict[tuple[str, str], Status]:
    findings = evaluate(load_policies([builtin_policy_dir()]), resources)
    return {(f.policy_id, str(f.resource.name)): f.status for f in findings}


def test_denied_bucket_encryption_is_an_error_on_that_check_only(mocked: None) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket="claims-denied")

    def deny(**_: Any) -> Any:
        return _error("AccessDenied", "User: arn:aws:iam::123456789012:user/auditor is not authorized")

    scan = _scan(_hook("before-call.s3.GetBucketEncryption", deny))
    bucket = of_type(scan.resources, "s3_bucket")["claims-denied"]
    gap = bucket.gaps["encryption"]
    assert gap.kind is GapKind.ERROR
    assert gap.reason.startswith("s3:GetEncryptionConfiguration denied: User: arn:aws:iam")
    assert set(bucket.gaps) == {"encryption"}  # every other read of the bucket worked
    statuses = _statuses(scan.resources)
    assert statuses[("s3-bucket-kms-encryption", "claims-denied")] is Status.ERROR
    assert statuses[("s3-bucket-versioning", "claims-denied")] is Status.FAIL  # the scan went on
    assert any("s3:GetEncryptionConfiguration denied" in note for note in scan.notes)


def test_denied_listing_reports_every_check_of_the_type_as_error(mocked: None) -> None:
    def deny(**_: Any) -> Any:
        return _error("AccessDeniedException", "not authorized to perform rds:DescribeDBInstances")

    scan = _scan(_hook("before-call.rds.DescribeDBInstances", deny))
    placeholders = [r for r in scan.resources if r.type == "db_instance"]
    assert len(placeholders) == 1 and placeholders[0].address == f"aws://123456789012/{REGION}/db_instance/*"
    statuses = {p: s for (p, name), s in _statuses(scan.resources).items() if name.startswith("every db_instance")}
    assert statuses and set(statuses.values()) == {Status.ERROR}
    assert {r.type for r in scan.resources} >= {"account", "account_region", "security_group"}


def test_denied_account_reads_mark_only_their_fields(mocked: None) -> None:
    def deny(**_: Any) -> Any:
        return _error("AccessDenied", "no iam:GetAccountSummary")

    scan = _scan(_hook("before-call.iam.GetAccountSummary", deny))
    account = of_type(scan.resources, "account")["123456789012"]
    assert set(account.gaps) == {"root_mfa_enabled", "root_access_keys_present"}
    statuses = _statuses(scan.resources)
    assert statuses[("account-root-mfa", "123456789012")] is Status.ERROR
    assert statuses[("account-root-no-access-keys", "123456789012")] is Status.ERROR
    assert statuses[("account-password-policy", "123456789012")] is Status.FAIL


class _Throttle:
    """Answers every DynamoDB ListTables with ThrottlingException, counting the attempts."""

    def __init__(self) -> None:
        self.attempts = 0
        self.lock = threading.Lock()

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        with self.lock:
            self.attempts += 1
        body = b'{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}'
        raw = SimpleNamespace(stream=lambda: iter([body]))
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.0"}, raw)


def test_throttling_is_retried_then_reported_as_error(mocked: None) -> None:
    throttle = _Throttle()
    scan = _scan(_hook("before-send.dynamodb.ListTables", throttle), retry_mode="standard", max_attempts=3)
    assert throttle.attempts == 3  # botocore's standard retry mode retried it
    tables = [r for r in scan.resources if r.type == "dynamodb_table"]
    assert len(tables) == 1
    reason = tables[0].gaps["name"].reason
    assert reason == "dynamodb:ListTables throttled: gave up after 3 attempt(s) (ThrottlingException)"
    statuses = {p: s for (p, name), s in _statuses(scan.resources).items() if "dynamodb_table" in name}
    assert set(statuses.values()) == {Status.ERROR}


def _regions_answer(**_: Any) -> Any:
    parsed = {
        "Regions": [
            {"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
            {"RegionName": "eu-west-1", "OptInStatus": "opt-in-not-required"},
            {"RegionName": "af-south-1", "OptInStatus": "not-opted-in"},
        ],
        "ResponseMetadata": {"HTTPStatusCode": 200},
    }
    return SimpleNamespace(status_code=200), parsed


def test_default_regions_are_the_enabled_ones(mocked: None) -> None:
    scan = scan_account(ScanOptions(workers=4), _hook("before-call.ec2.DescribeRegions", _regions_answer))
    assert scan.regions == ["eu-west-1", "us-east-1"]
    assert {r.region for r in scan.resources if r.type == "account_region"} == {"eu-west-1", "us-east-1"}


def test_requested_disabled_region_is_an_error_finding(mocked: None) -> None:
    scan = _scan(_hook("before-call.ec2.DescribeRegions", _regions_answer), "us-east-1", "af-south-1")
    region = of_type(scan.resources, "account_region")["af-south-1"]
    assert region.address == "account/123456789012/af-south-1"
    reason = "region af-south-1 is not enabled for account 123456789012 (opt-in status: not-opted-in)"
    assert {g.reason for g in region.gaps.values()} == {reason}
    assert not [r for r in scan.resources if r.region == "af-south-1" and r.type != "account_region"]
    statuses = _statuses(scan.resources)
    assert statuses[("guardduty-enabled", "af-south-1")] is Status.ERROR
    assert statuses[("ebs-encryption-by-default", "af-south-1")] is Status.ERROR
    assert statuses[("guardduty-enabled", "us-east-1")] is Status.FAIL  # the rest was scanned
    assert any("af-south-1 was not scanned" in note for note in scan.notes)


def test_unreachable_region_is_an_error_finding(mocked: None) -> None:
    def refuse(request: Any, **_: Any) -> Any:
        if "eu-west-1" in request.url:
            raise EndpointConnectionError(endpoint_url=request.url)
        return None

    scan = _scan(_hook("before-send.ec2.GetEbsEncryptionByDefault", refuse), "us-east-1", "eu-west-1", max_attempts=1)
    region = of_type(scan.resources, "account_region")["eu-west-1"]
    assert all("cannot reach the ec2 endpoint in eu-west-1" in g.reason for g in region.gaps.values())
    assert not [r for r in scan.resources if r.region == "eu-west-1" and r.type != "account_region"]
    assert of_type(scan.resources, "account_region")["us-east-1"].gaps == {}


def test_unknown_region_is_an_input_error(mocked: None) -> None:
    with pytest.raises(InputError, match="unknown region 'us-middle-9'"):
        _scan(None, "us-middle-9")


def test_expired_credentials_mid_scan_stop_the_scan(mocked: None) -> None:
    def expired(**_: Any) -> Any:
        return _error("ExpiredToken", "The security token included in the request is expired", 400)

    with pytest.raises(InputError, match="credentials were rejected during the scan"):
        _scan(_hook("before-call.sqs.ListQueues", expired))


def test_a_collector_crash_becomes_error_findings(mocked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from hipaacheck.sources.aws.collectors import datastores

    def broken(ctx: Any) -> list[Any]:
        raise KeyError("FileSystems")

    monkeypatch.setattr(
        "hipaacheck.sources.aws.runner.COLLECTORS",
        (datastores.EFS.__class__(datastores.EFS.name, datastores.EFS.types, datastores.EFS.calls, broken),),
    )
    scan = _scan()
    (resource,) = scan.resources
    assert resource.type == "efs_file_system"
    assert "collector efs failed in us-east-1: KeyError" in resource.gaps["encrypted"].reason
