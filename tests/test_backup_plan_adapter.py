"""AWS Backup from plans: the adapter's joins and defaults on synthetic plans (the fixtures cover the rest).

Each case states the AWS fact: a selection's reach through references, the EFS and vault defaults, and what an existing resource's plan
cannot show.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hipaacheck.models import GapKind, Resource
from hipaacheck.sources.terraform import load_plan_resources

from .conftest import change, config_resource, plan_doc, ref


def _resources(tmp_path: Path, document: dict[str, Any]) -> dict[str, Resource]:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document))
    _, resources = load_plan_resources(path)
    return {r.address: r for r in resources}


def _table(name: str, **after: Any) -> dict[str, Any]:
    return change(
        f"aws_dynamodb_table.{name}", {"name": name, "tags_all": {"phi": "true"}, **after}, unknown={"arn": True}
    )


def test_referenced_stores_are_named_and_the_rest_are_not(tmp_path: Path) -> None:
    selection = change(
        "aws_backup_selection.s",
        {"name": "s", "selection_tag": []},
        unknown={"resources": True, "not_resources": True, "condition": True},
    )
    config = {
        "resources": [
            config_resource("aws_backup_selection.s", resources=ref("aws_dynamodb_table.a.arn", "aws_dynamodb_table.a"))
        ]
    }
    found = _resources(tmp_path, plan_doc([_table("a"), _table("b"), selection], config))
    assert found["aws_dynamodb_table.a"].attrs["backup_plan_protected"] is True
    assert found["aws_dynamodb_table.b"].attrs["backup_plan_protected"] is False


def test_a_store_named_by_another_attribute_is_not_named_for_certain(tmp_path: Path) -> None:
    # AWS Backup matches ARNs: aws_dynamodb_table.a.id is the table name, not its ARN.
    selection = change("aws_backup_selection.s", {"name": "s"}, unknown={"resources": True})
    config = {
        "resources": [
            config_resource("aws_backup_selection.s", resources=ref("aws_dynamodb_table.a.id", "aws_dynamodb_table.a"))
        ]
    }
    found = _resources(tmp_path, plan_doc([_table("a"), selection], config))
    assert found["aws_dynamodb_table.a"].gaps["backup_plan_protected"].kind is GapKind.UNKNOWN


def test_efs_backup_defaults(tmp_path: Path) -> None:
    regional = change("aws_efs_file_system.regional", {"encrypted": True})
    one_zone = change("aws_efs_file_system.one_zone", {"encrypted": True, "availability_zone_name": "us-east-1a"})
    existing = change("aws_efs_file_system.existing", {"encrypted": True}, actions=("no-op",))
    config = {
        "resources": [
            config_resource("aws_efs_file_system.one_zone", availability_zone_name={"constant_value": "us-east-1a"})
        ]
    }
    found = _resources(tmp_path, plan_doc([regional, one_zone, existing], config))
    # CreateFileSystem: Backup defaults to false, true with an AvailabilityZoneName (One Zone).
    assert found["aws_efs_file_system.regional"].attrs["backup_policy_enabled"] is False
    assert found["aws_efs_file_system.one_zone"].attrs["backup_policy_enabled"] is True
    assert "One Zone" in found["aws_efs_file_system.one_zone"].notes["backup_policy_enabled"]
    # An existing file system's backup policy may have been set outside Terraform: not managed.
    gap = found["aws_efs_file_system.existing"].gaps["backup_policy_enabled"]
    assert gap.kind is GapKind.NOT_MANAGED


def test_vault_key_and_unknown_rules(tmp_path: Path) -> None:
    default_key = change("aws_backup_vault.v", {"name": "v"}, unknown={"kms_key_arn": True})
    foreign_key = change(
        "aws_backup_vault.f", {"name": "f", "kms_key_arn": "arn:aws:kms:us-east-1:111122223333:key/abc"}
    )
    plan = change("aws_backup_plan.p", {"name": "p"}, unknown={"rule": True})
    config = {"resources": [config_resource("aws_backup_vault.v", name={"constant_value": "v"})]}
    found = _resources(tmp_path, plan_doc([default_key, foreign_key, plan], config))
    assert found["aws_backup_vault.v"].attrs["kms_key_customer_managed"] is False  # aws/backup
    assert "aws/backup" in found["aws_backup_vault.v"].notes["kms_key_customer_managed"]
    # A key this plan does not manage may be customer managed or AWS managed: not decided here.
    assert found["aws_backup_vault.f"].gaps["kms_key_customer_managed"].kind is GapKind.NOT_MANAGED
    assert found["aws_backup_plan.p"].gaps["daily_or_more_often"].kind is GapKind.UNKNOWN


def test_a_malformed_selection_errors_the_stores_not_the_scan(tmp_path: Path) -> None:
    selection = change("aws_backup_selection.s", {"name": "s", "resources": "arn:aws:dynamodb:*:*:table/*"})
    found = _resources(tmp_path, plan_doc([_table("a"), selection]))
    table = found["aws_dynamodb_table.a"]
    assert table.gaps["backup_plan_protected"].kind is GapKind.ERROR
    assert table.attrs["name"] == "a"  # the rest of the table is still read
