"""Identity and monitoring, live (moto): the identity scenario's own documents, read the same as its plan.

The role trust policies and user attachments of fixtures/terraform/identity (a real plan) are
created in a moto account, with AWS Config recorders, Security Hub and ACM certificates; one
live scan over two regions is checked against the plan's facts and the policies' verdicts.
moto serves every API used here (IAM incl. the credential report, Config recorders and their
status, Security Hub DescribeHub, ACM). moto cannot create service-linked Config recorders nor deny one
call: those two cases run the collector over botocore Stubber responses (shapes from botocore's
config service model).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate
from hipaacheck.models import Resource
from hipaacheck.policy.loader import load_policies
from hipaacheck.sources.aws.collectors.identity_posture import credential_facts
from hipaacheck.sources.terraform import load_plan_resources

from ..conftest import FIXTURES
from .conftest import ACCOUNT, REGION, in_process_moto, live_scan

SCENARIO = FIXTURES / "identity" / "plan.json"
REGIONS = (REGION, "eu-west-1")  # a region with no recorder at all: tests/aws/test_e2e.py
TRUST_FACTS = ("trust_public", "public_statements")


def _certificate(domain: str, days: int) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, domain)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


def _seed(after: dict[str, dict[str, Any]]) -> None:
    iam = boto3.client("iam", region_name=REGION)
    for address, values in after.items():
        if address.startswith("aws_iam_role."):
            iam.create_role(RoleName=values["name"], AssumeRolePolicyDocument=values["assume_role_policy"])
    iam.create_group(GroupName="claims-readers")
    for name in ("alice", "etl-inline", "deploy", "reports"):
        iam.create_user(UserName=name)
    iam.add_user_to_group(GroupName="claims-readers", UserName="alice")
    iam.create_access_key(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Dummy-Passw0rd!-not-real")
    inline = after["aws_iam_user_policy.fail_inline"]
    iam.put_user_policy(UserName="etl-inline", PolicyName=inline["name"], PolicyDocument=inline["policy"])
    reader = iam.create_policy(PolicyName="claims-read", PolicyDocument=inline["policy"])["Policy"]["Arn"]
    iam.attach_user_policy(UserName="deploy", PolicyArn=reader)
    iam.attach_user_policy(UserName="reports", PolicyArn=reader)
    role = f"arn:aws:iam::{ACCOUNT}:role/aws-config"
    for region, every in ((REGION, True), ("eu-west-1", False)):
        config = boto3.client("config", region_name=region)
        group = (
            {"allSupported": True, "includeGlobalResourceTypes": True}
            if every
            else {"allSupported": False, "includeGlobalResourceTypes": False, "resourceTypes": ["AWS::S3::Bucket"]}
        )
        config.put_configuration_recorder(
            ConfigurationRecorder={"name": "default", "roleARN": role, "recordingGroup": group}
        )
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-history"})
        config.start_configuration_recorder(ConfigurationRecorderName="default")
    boto3.client("s3", region_name=REGION).create_bucket(Bucket="config-history")
    boto3.client("securityhub", region_name=REGION).enable_security_hub()
    acm = boto3.client("acm", region_name=REGION)
    for domain, days in (("portal.example.com", 200), ("old-api.example.com", 10)):
        cert, key = _certificate(domain, days)
        acm.import_certificate(Certificate=cert, PrivateKey=key)


@pytest.fixture(scope="module")
def scanned() -> Iterator[tuple[list[Resource], list[Resource], dict[tuple[str, str], str]]]:
    plan = json.loads(SCENARIO.read_text())
    after = {rc["address"]: rc["change"]["after"] for rc in plan["resource_changes"] if rc["mode"] == "managed"}
    _, planned = load_plan_resources(SCENARIO)
    with in_process_moto():
        boto3.client("s3", region_name=REGION)  # (client creation only; the bucket is made in _seed)
        _seed(after)
        live = live_scan(*REGIONS).resources
    findings = evaluate(load_policies([builtin_policy_dir()]), live)
    verdicts = {(f.policy_id, str(f.resource.name)): f.status.value for f in findings}
    yield planned, live, verdicts


def _by(resources: list[Resource], type_name: str, key: str) -> dict[str, Resource]:
    return {str(r.attrs.get(key)): r for r in resources if r.type == type_name and r.attrs.get(key)}


def test_trust_policies_read_the_same_in_the_plan_and_live(scanned: Any) -> None:
    planned, live, verdicts = scanned
    plan_roles, live_roles = _by(planned, "iam_role", "role_name"), _by(live, "iam_role", "role_name")
    assert len(plan_roles) == 17 and set(plan_roles) <= set(live_roles)
    for name, role in plan_roles.items():
        assert [role.attrs.get(f) for f in TRUST_FACTS] == [live_roles[name].attrs.get(f) for f in TRUST_FACTS], name
        assert verdicts[("iam-role-trust-not-public", name)] == ("fail" if name.startswith("fail-public") else "pass")
        # Live, the own account is known (moto's): 111111111111 is another account there.
        cross = verdicts[("iam-role-cross-account-external-id", name)]
        assert cross == ("fail" if name.startswith(("fail-cross", "unknown-cross")) else "pass"), name
        if name.startswith("fail-cross"):
            assert plan_roles[name].attrs["cross_account_without_external_id"], name


def test_users_direct_policies_and_credentials(scanned: Any) -> None:
    planned, live, verdicts = scanned
    users = _by(live, "iam_user", "user_name")
    assert users["alice"].attrs["has_direct_policies"] is False
    assert users["alice"].attrs["has_console_password"] is True and users["alice"].attrs["active_access_keys"] == 1
    assert users["alice"].attrs["oldest_active_key_age_days"] == 0
    assert users["etl-inline"].attrs["direct_policies"] == ["etl-read-claims"]
    assert users["deploy"].attrs["direct_policies"] == [f"arn:aws:iam::{ACCOUNT}:policy/claims-read"]
    for name in ("etl-inline", "deploy", "reports"):
        assert verdicts[("iam-user-no-direct-policies", name)] == "fail"
    assert verdicts[("iam-user-no-direct-policies", "alice")] == "pass"
    assert verdicts[("iam-user-access-key-rotated", "alice")] == "pass"
    assert verdicts[("iam-user-credentials-unused", "alice")] == "pass"
    # The same users in the plan: the same direct-policy verdict (by user name), key facts skipped there.
    plan_users = _by(planned, "iam_user", "user_name")
    for name in ("alice", "etl-inline", "deploy", "reports"):
        assert plan_users[name].attrs["has_direct_policies"] is users[name].attrs["has_direct_policies"], name
        assert plan_users[name].gap_for("oldest_active_key_age_days") is not None


def test_config_recorders_per_region(scanned: Any) -> None:
    _, live, verdicts = scanned
    recorders = {r.region: r for r in live if r.type == "config_recorder"}
    assert set(recorders) == set(REGIONS)
    assert recorders[REGION].attrs["all_supported"] is True and recorders[REGION].attrs["recording"] is True
    assert recorders["eu-west-1"].attrs["all_supported"] is False
    assert all(r.attrs["global_types_recorded"] is True for r in recorders.values())
    assert verdicts[("config-recorder-all-resources", "default")] in ("pass", "fail")  # two share the name
    by_region = {
        f.resource.region: f.status.value
        for f in evaluate(load_policies([builtin_policy_dir()]), list(recorders.values()))
    }
    assert by_region == {REGION: "pass", "eu-west-1": "fail"}


def test_security_hub_per_region(scanned: Any) -> None:
    _, live, verdicts = scanned
    regions = {r.region: r.attrs.get("securityhub_enabled") for r in live if r.type == "account_region"}
    assert regions == {REGION: True, "eu-west-1": False}
    assert verdicts[("securityhub-enabled", REGION)] == "pass"
    assert verdicts[("securityhub-enabled", "eu-west-1")] == "fail"


def test_certificates_expiry(scanned: Any) -> None:
    _, live, verdicts = scanned
    certificates = _by(live, "acm_certificate", "domain_name")
    assert 198 <= certificates["portal.example.com"].attrs["days_until_expiry"] <= 200
    assert verdicts[("acm-certificate-not-expiring", "portal.example.com")] == "pass"
    assert verdicts[("acm-certificate-not-expiring", "old-api.example.com")] == "fail"


NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
ROW = {  # the shape of an IAM credential report row (GetCredentialReport CSV)
    "user": "etl",
    "user_creation_time": "2025-01-01T00:00:00+00:00",
    "password_enabled": "true",
    "password_last_used": "2026-05-30T08:00:00+00:00",
    "password_last_changed": "2025-01-01T00:00:00+00:00",
    "access_key_1_active": "true",
    "access_key_1_last_rotated": "2025-12-01T00:00:00+00:00",
    "access_key_1_last_used_date": "N/A",
    "access_key_2_active": "false",
    "access_key_2_last_rotated": "2020-01-01T00:00:00+00:00",
    "access_key_2_last_used_date": "2020-02-01T00:00:00+00:00",
}


def test_credential_report_rows() -> None:
    facts = credential_facts(ROW, NOW)
    # Key 1: 182 days old, never used (counted from its rotation). Key 2 is inactive: ignored.
    assert facts == {
        "has_console_password": True,
        "active_access_keys": 1,
        "oldest_active_key_age_days": 182,
        "stalest_credential_unused_days": 182,
    }
    never_used_password = {**ROW, "password_last_used": "no_information", "access_key_1_active": "false"}
    assert credential_facts(never_used_password, NOW)["stalest_credential_unused_days"] == 516
    nothing = {"user": "x", "password_enabled": "false", "access_key_1_active": "false"}
    assert credential_facts(nothing, NOW) == {
        "has_console_password": False,
        "active_access_keys": 0,
        "oldest_active_key_age_days": 0,
        "stalest_credential_unused_days": 0,
    }


def _stubbed_recorders(recorders: list[dict[str, Any]], status: dict[str, Any] | None) -> list[Resource]:
    """The config collector over recorded response shapes (botocore Stubber), for what moto cannot create."""
    from botocore.stub import Stubber

    from hipaacheck.sources.aws.builder import Where
    from hipaacheck.sources.aws.calls import Fetcher
    from hipaacheck.sources.aws.collectors.identity_posture import collect_recorders
    from hipaacheck.sources.aws.context import Context, Facts

    client = boto3.client("config", region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    stubber = Stubber(client)
    stubber.add_response("describe_configuration_recorders", {"ConfigurationRecorders": recorders})
    if status is None:
        stubber.add_client_error("describe_configuration_recorder_status", "AccessDeniedException", "denied")
    else:
        stubber.add_response("describe_configuration_recorder_status", status)
    with stubber:
        ctx = Context(Fetcher(lambda service, region: client, 1), Where(ACCOUNT, REGION), Facts(), (REGION,))
        return collect_recorders(ctx)


def test_a_service_linked_recorder_is_not_the_accounts_recorder() -> None:
    # Since 2024 DescribeConfigurationRecorders also lists service-linked recorders (servicePrincipal
    # set, recording for one service): they do not record the account's resources.
    linked = {
        "name": "AWSConfigurationRecorderForSecurityHub",
        "arn": f"arn:aws:config:{REGION}:{ACCOUNT}:configuration-recorder/AWSConfigurationRecorderForSecurityHub/x",
        "servicePrincipal": "securityhub.amazonaws.com",
        "recordingScope": "INTERNAL",
        "recordingGroup": {
            "allSupported": False,
            "includeGlobalResourceTypes": False,
            "resourceTypes": ["AWS::EC2::Instance"],
        },
    }
    (recorder,) = _stubbed_recorders([linked], {"ConfigurationRecordersStatus": []})
    assert recorder.attrs["present"] is False and recorder.attrs["global_types_recorded"] is False


def test_an_unreadable_recorder_status_is_an_error_not_a_pass() -> None:
    own = {"name": "default", "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}}
    (recorder,) = _stubbed_recorders([own], None)
    assert recorder.attrs["all_supported"] is True and "recording" not in recorder.attrs
    assert (
        recorder.gaps["recording"].kind.value == "error"
        and recorder.gaps["global_types_recorded"].kind.value == "error"
    )
    findings = evaluate(load_policies([builtin_policy_dir()]), [recorder])
    assert [f.status.value for f in findings if f.policy_id == "config-recorder-all-resources"] == ["error"]
