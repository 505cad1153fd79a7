"""Identity and monitoring in plans: the variants the real scenario (fixtures/terraform/identity) cannot hold.

Deleting Security Hub or the Config recorder needs a prior state the offline fixture has not;
allowed_account_ids needs an STS call offline; an existing recorder's status outside the plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hipaacheck.engine import evaluate
from hipaacheck.models import Resource, Status
from hipaacheck.sources.terraform import load_plan_resources

from .conftest import change, config_resource, plan_doc

TRUST_OTHER = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}}
        ],
    }
)


def deleted(address: str, before: Any) -> dict[str, Any]:
    entry = change(address, {}, actions=("delete",))
    entry["change"]["before"] = before
    entry["change"]["after"] = None
    return entry


def _scan(tmp_path: Path, document: dict[str, Any], policies: Any) -> dict[tuple[str, str], Any]:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    resources: list[Resource] = load_plan_resources(path)[1]
    return {(f.policy_id, f.resource.address): f for f in evaluate(policies, resources)}


def test_deleting_security_hub_fails_and_no_subscription_is_skipped(tmp_path: Path, builtin_policies: Any) -> None:
    findings = _scan(tmp_path, plan_doc([deleted("aws_securityhub_account.this", {"id": "x"})]), builtin_policies)
    finding = findings[("securityhub-enabled", "account/us-east-1")]
    assert finding.status is Status.FAIL and "this plan deletes aws_securityhub_account.this" in finding.message
    findings = _scan(tmp_path, plan_doc([change("aws_efs_file_system.fs", {"encrypted": True})]), builtin_policies)
    assert findings[("securityhub-enabled", "account/us-east-1")].status is Status.SKIPPED
    assert findings[("config-recorder-all-resources", "account/us-east-1/config-recorder")].status is Status.SKIPPED


def test_deleting_the_config_recorder_fails_in_its_region(tmp_path: Path, builtin_policies: Any) -> None:
    findings = _scan(
        tmp_path, plan_doc([deleted("aws_config_configuration_recorder.main", {"name": "default"})]), builtin_policies
    )
    finding = findings[("config-recorder-all-resources", "account/us-east-1/config-recorder")]
    assert finding.status is Status.FAIL
    assert "this plan deletes aws_config_configuration_recorder.main" in finding.message


def test_an_existing_recorder_whose_status_the_plan_does_not_manage(tmp_path: Path, builtin_policies: Any) -> None:
    group = [{"all_supported": True, "include_global_resource_types": True}]
    recorder = change(
        "aws_config_configuration_recorder.main", {"name": "default", "recording_group": group}, actions=("no-op",)
    )
    findings = _scan(tmp_path, plan_doc([recorder]), builtin_policies)
    # Whether it is started is not in the plan: skipped, never passed.
    assert (
        findings[("config-recorder-all-resources", "aws_config_configuration_recorder.main")].status is Status.SKIPPED
    )
    partial = change(
        "aws_config_configuration_recorder.main",
        {"name": "default", "recording_group": [{"all_supported": False, "include_global_resource_types": True}]},
        actions=("no-op",),
    )
    findings = _scan(tmp_path, plan_doc([partial]), builtin_policies)
    assert findings[("config-recorder-all-resources", "aws_config_configuration_recorder.main")].status is Status.FAIL


def test_a_recorder_without_a_recording_group_takes_aws_defaults(tmp_path: Path, builtin_policies: Any) -> None:
    recorder = change("aws_config_configuration_recorder.main", {"name": "default"}, unknown={"recording_group": True})
    status = change("aws_config_configuration_recorder_status.main", {"name": "default", "is_enabled": True})
    written = {"resources": [config_resource("aws_config_configuration_recorder.main", name={"constant_value": "x"})]}
    findings = _scan(tmp_path, plan_doc([recorder, status], written), builtin_policies)
    finding = findings[("config-recorder-all-resources", "aws_config_configuration_recorder.main")]
    # AWS: all supported types, but no global ones; no other recorder of the plan records them.
    assert finding.status is Status.SKIPPED and "global" in finding.message
    # Without the configuration, the unwritten group cannot be told from a written one: unknown.
    findings = _scan(tmp_path, plan_doc([recorder, status]), builtin_policies)
    assert (
        findings[("config-recorder-all-resources", "aws_config_configuration_recorder.main")].status is Status.UNKNOWN
    )


def test_allowed_account_ids_pins_the_plans_own_account(tmp_path: Path, builtin_policies: Any) -> None:
    role = change("aws_iam_role.vendor", {"name": "vendor", "assume_role_policy": TRUST_OTHER})
    document = plan_doc([role])
    key = ("iam-role-cross-account-external-id", "aws_iam_role.vendor")
    assert _scan(tmp_path, document, builtin_policies)[key].status is Status.UNKNOWN
    expressions = document["configuration"]["provider_config"]["aws"]["expressions"]
    expressions["allowed_account_ids"] = {"constant_value": ["111111111111"]}
    assert _scan(tmp_path, document, builtin_policies)[key].status is Status.FAIL
    expressions["allowed_account_ids"] = {"constant_value": ["222222222222"]}
    assert _scan(tmp_path, document, builtin_policies)[key].status is Status.PASS


def test_an_unknown_trust_policy_is_unknown(tmp_path: Path, builtin_policies: Any) -> None:
    role = change("aws_iam_role.r", {"name": "r"}, unknown={"assume_role_policy": True})
    findings = _scan(tmp_path, plan_doc([role]), builtin_policies)
    assert findings[("iam-role-trust-not-public", "aws_iam_role.r")].status is Status.UNKNOWN
