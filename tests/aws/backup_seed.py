"""Seed moto with the account fixtures/terraform/backup/*.tf describes, for the live backup tests.

moto (5.x) implements backup plans, vaults, vault lock and tags, but not
ListBackupSelections, GetBackupSelection or GetBackupVaultAccessPolicy, and
it has no AWS managed KMS keys (aws/backup). Those answers come from
``Recorded``: responses in the shapes of botocore's service model (each is
validated against the output shape by botocore's Stubber before use), served
through the session's ``before-call`` event, so the collector makes exactly
the calls it makes against AWS.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

REGION = "us-east-1"
ACCOUNT = "123456789012"
PHI = {"phi": "true"}
# The AWS managed key aws/backup of the account (moto cannot create AWS managed keys).
AWS_MANAGED_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


@dataclass
class Recorded:
    """Responses for the operations moto lacks, keyed by (operation, identifying parameter)."""

    responses: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    errors: dict[tuple[str, str], str] = field(default_factory=dict)  # -> error code

    def add(self, operation: str, key: str, response: dict[str, Any]) -> None:
        # Stubber refuses a response that does not fit the operation's output shape.
        stub = Stubber(client("backup") if operation != "DescribeKey" else client("kms"))
        stub.add_response(_method(operation), response)
        self.responses[(operation, key)] = response

    def attach(self, session: boto3.Session) -> None:
        session.events.register("before-parameter-build", self._remember)
        for operation in {op for op, _ in [*self.responses, *self.errors]}:
            service = "kms" if operation == "DescribeKey" else "backup"
            session.events.register(f"before-call.{service}.{operation}", self._answer)

    @staticmethod
    def _remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["recorded_params"] = dict(params)

    def _answer(self, model: Any, context: dict[str, Any], **_: Any) -> Any:
        params = context.get("recorded_params", {})
        key = str(
            params.get("SelectionId")
            or params.get("BackupPlanId")
            or params.get("BackupVaultName")
            or params.get("KeyId")
        )
        if (model.name, key) in self.errors:
            code = self.errors[(model.name, key)]
            return AWSResponse(None, 400, {}, None), {"Error": {"Code": code, "Message": code}}
        response = self.responses.get((model.name, key))
        if response is None:
            return None  # not recorded: moto answers
        return AWSResponse(None, 200, {}, None), copy.deepcopy(response)


def _method(operation: str) -> str:
    from botocore import xform_name

    return xform_name(operation)


def _selection(plan_id: str, selection_id: str, name: str, **spec: Any) -> dict[str, Any]:
    return {
        "BackupSelection": {
            "SelectionName": name,
            "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/backup-service",
            **spec,
        },
        "SelectionId": selection_id,
        "BackupPlanId": plan_id,
    }


def seed_backup_account() -> Recorded:
    """The stores, plans, vaults and selections of fixtures/terraform/backup, by the same names."""
    recorded = Recorded()
    _stores()
    kms = client("kms")
    cmk = kms.create_key(Description="AWS Backup vault key")["KeyMetadata"]["Arn"]
    backup = client("backup")
    backup.create_backup_vault(BackupVaultName="backup-locked", EncryptionKeyArn=cmk)
    backup.put_backup_vault_lock_configuration(
        BackupVaultName="backup-locked", MinRetentionDays=35, MaxRetentionDays=3650, ChangeableForDays=3
    )
    backup.create_backup_vault(BackupVaultName="backup-unlocked")
    unlocked = backup.describe_backup_vault(BackupVaultName="backup-unlocked")
    unlocked.pop("ResponseMetadata")
    # Real AWS names the key a vault without one uses: the AWS managed key aws/backup.
    recorded.add("DescribeBackupVault", "backup-unlocked", {**unlocked, "EncryptionKeyArn": AWS_MANAGED_KEY})
    recorded.add(
        "DescribeKey",
        AWS_MANAGED_KEY,
        {"KeyMetadata": {"KeyId": AWS_MANAGED_KEY.rsplit("/", 1)[1], "Arn": AWS_MANAGED_KEY, "KeyManager": "AWS"}},
    )
    recorded.add(
        "GetBackupVaultAccessPolicy",
        "backup-locked",
        {"BackupVaultName": "backup-locked", "Policy": json.dumps(_policy("Deny", ["backup:DeleteRecoveryPoint"]))},
    )
    recorded.add(
        "GetBackupVaultAccessPolicy",
        "backup-unlocked",
        {"BackupVaultName": "backup-unlocked", "Policy": json.dumps(_policy("Allow", "backup:CopyIntoBackupVault"))},
    )
    daily = backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "backup-daily",
            "Rules": [
                _rule("daily-35", "backup-locked", "cron(0 5 ? * * *)", 35),
                {
                    **_rule("every-4-hours-continuous", "backup-locked", "cron(0 */4 ? * * *)", 35),
                    "EnableContinuousBackup": True,
                },
            ],
        }
    )["BackupPlanId"]
    weekly = backup.create_backup_plan(
        BackupPlan={
            "BackupPlanName": "backup-weekly",
            "Rules": [_rule("weekly-7", "backup-unlocked", "cron(0 3 ? * SUN *)", 7)],
        }
    )["BackupPlanId"]
    table = client("dynamodb").describe_table(TableName="listed-sessions")["Table"]["TableArn"]
    selections = {
        daily: [
            _selection(
                daily,
                "sel-daily-tagged",
                "daily-tagged",
                ListOfTags=[{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}],
            ),
            _selection(daily, "sel-daily-listed", "daily-listed", Resources=[table]),
            _selection(
                daily,
                "sel-daily-conditions",
                "daily-conditions",
                Resources=["arn:aws:elasticfilesystem:*:*:file-system/*"],
                Conditions={
                    "StringLike": [{"ConditionKey": "aws:ResourceTag/tier", "ConditionValue": "gold*"}],
                    "StringNotEquals": [{"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "dev"}],
                },
            ),
        ],
        weekly: [
            _selection(
                weekly,
                "sel-weekly-rds",
                "weekly-rds",
                Resources=["arn:aws:rds:*:*:db:*"],
                NotResources=["arn:aws:rds:*:*:db:excluded-reports"],
            )
        ],
    }
    for plan_id, chosen in selections.items():
        members = [
            {
                "SelectionId": s["SelectionId"],
                "SelectionName": s["BackupSelection"]["SelectionName"],
                "BackupPlanId": plan_id,
                "IamRoleArn": s["BackupSelection"]["IamRoleArn"],
            }
            for s in chosen
        ]
        recorded.add("ListBackupSelections", plan_id, {"BackupSelectionsList": members})
        for s in chosen:
            recorded.add("GetBackupSelection", s["SelectionId"], s)
    return recorded


def _rule(name: str, vault: str, schedule: str, days: int) -> dict[str, Any]:
    return {
        "RuleName": name,
        "TargetBackupVaultName": vault,
        "ScheduleExpression": schedule,
        "Lifecycle": {"DeleteAfterDays": days},
    }


def _policy(effect: str, action: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": effect, "Effect": effect, "Principal": "*", "Action": action, "Resource": "*"}],
    }


def _stores() -> None:
    rds = client("rds")
    for name in ("listed-claims", "excluded-reports"):
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            Engine="postgres",
            EngineVersion="16.3",
            DBInstanceClass="db.t3.micro",
            AllocatedStorage=20,
            MasterUsername="claims",
            MasterUserPassword="dummy-password-0000",
            StorageEncrypted=True,
            Tags=_tags(PHI),
        )
    rds.create_db_cluster(
        DBClusterIdentifier="tagged-ledger",
        Engine="aurora-postgresql",
        MasterUsername="ledger",
        MasterUserPassword="dummy-password-0000",
        StorageEncrypted=True,
        Tags=_tags({**PHI, "backup": "daily"}),
    )
    dynamodb = client("dynamodb")
    for name, tags in (("listed-sessions", PHI), ("orphan-audit", {**PHI, "backup": "none"})):
        dynamodb.create_table(
            TableName=name,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            Tags=_tags(tags),
        )
    efs = client("efs")
    for name, tags, backup in (
        ("tagged_edi", {"tier": "gold-edi", "env": "prod"}, True),
        ("excluded_scratch", {"tier": "gold-scratch", "env": "dev"}, False),
    ):
        efs.create_file_system(
            CreationToken=name, Encrypted=True, Backup=backup, Tags=_tags({**PHI, **tags, "Name": name})
        )
    ec2 = client("ec2")
    for name, tags in (("tagged_scans", {"backup": "daily"}), ("orphan_tmp", {})):
        ec2.create_volume(
            AvailabilityZone=f"{REGION}a",
            Size=10,
            Encrypted=True,
            TagSpecifications=[{"ResourceType": "volume", "Tags": _tags({**PHI, **tags, "Name": name})}],
        )
    elasticache = client("elasticache")
    for name, days in (("sessions-cache", 15), ("short-cache", 1)):
        elasticache.create_replication_group(
            ReplicationGroupId=name,
            ReplicationGroupDescription=name,
            Engine="redis",
            CacheNodeType="cache.t3.micro",
            NumCacheClusters=1,
            AtRestEncryptionEnabled=True,
            TransitEncryptionEnabled=True,
            SnapshotRetentionLimit=days,
            Tags=_tags(PHI),
        )
