"""Seed snapshots, images, secrets, functions and resource policies: ok-* compliant, bad-* not.

Also gives the ok-* queue, topic and file system of seed.py their TLS-only policies. Everything
here is in moto (in-process and server): RDS snapshot attributes, EC2 snapshot and image
attributes, Secrets Manager policies and rotation, Lambda permissions and URLs, EFS policies.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from .seed import ACCOUNT, REGION, client

PHI = [{"Key": "phi", "Value": "true"}]


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _deny_plain_http(action: str, resource: str) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": action,
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def seed_resource_policies() -> None:
    """TLS-only policies on seed.py's ok-* queue, topic and file system; a public one on bad-claims-intake."""
    sqs = client("sqs")
    ok_url = sqs.get_queue_url(QueueName="ok-claims-intake")["QueueUrl"]
    ok_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:ok-claims-intake"
    sqs.set_queue_attributes(QueueUrl=ok_url, Attributes={"Policy": _document(_deny_plain_http("sqs:*", ok_arn))})
    bad_url = sqs.get_queue_url(QueueName="bad-claims-intake")["QueueUrl"]
    public = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
    sqs.set_queue_attributes(QueueUrl=bad_url, Attributes={"Policy": _document(public)})
    sns = client("sns")
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:ok-alerts"
    owner = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": ["SNS:Publish", "SNS:Subscribe"],
        "Resource": topic,
        "Condition": {"StringEquals": {"AWS:SourceOwner": ACCOUNT}},
    }
    policy = _document(owner, _deny_plain_http("sns:*", topic))
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=policy)
    efs = client("efs")
    for fs in efs.describe_file_systems()["FileSystems"]:
        if fs.get("Name") == "ok-edi":
            deny = _deny_plain_http("*", fs["FileSystemArn"])
            efs.put_file_system_policy(FileSystemId=fs["FileSystemId"], Policy=_document(deny))


def seed_snapshots_and_images() -> None:
    rds = client("rds")
    rds.create_db_snapshot(DBInstanceIdentifier="ok-claims-db", DBSnapshotIdentifier="ok-claims-db-snap", Tags=PHI)
    rds.create_db_snapshot(DBInstanceIdentifier="bad-claims-db", DBSnapshotIdentifier="bad-claims-db-snap")
    rds.modify_db_snapshot_attribute(
        DBSnapshotIdentifier="bad-claims-db-snap", AttributeName="restore", ValuesToAdd=["all"]
    )
    # The cluster itself is out of scope (phi=false): only its snapshots are judged here.
    rds.create_db_cluster(
        DBClusterIdentifier="test-ledger",
        Engine="aurora-postgresql",
        MasterUsername="ledger",
        MasterUserPassword="dummy-password-0000",
        StorageEncrypted=True,
        Tags=[{"Key": "phi", "Value": "false"}],
    )
    rds.create_db_cluster_snapshot(
        DBClusterIdentifier="test-ledger", DBClusterSnapshotIdentifier="bad-ledger-shared", Tags=PHI
    )
    rds.modify_db_cluster_snapshot_attribute(
        DBClusterSnapshotIdentifier="bad-ledger-shared",
        AttributeName="restore",
        ValuesToAdd=["all", "111122223333"],
    )
    ec2 = client("ec2")
    volume = {"AvailabilityZone": f"{REGION}a", "Size": 8}
    named = [{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "ok-disk"}]}]
    ok_volume = ec2.create_volume(Encrypted=True, TagSpecifications=named, **volume)["VolumeId"]
    named = [{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "bad-disk"}]}]
    bad_volume = ec2.create_volume(Encrypted=False, TagSpecifications=named, **volume)["VolumeId"]
    name = [{"ResourceType": "snapshot", "Tags": [{"Key": "Name", "Value": "ok-disk-snap"}]}]
    ec2.create_snapshot(VolumeId=ok_volume, TagSpecifications=name)
    name = [{"ResourceType": "snapshot", "Tags": [{"Key": "Name", "Value": "bad-disk-snap"}]}]
    bad_snap = ec2.create_snapshot(VolumeId=bad_volume, TagSpecifications=name)["SnapshotId"]
    ec2.modify_snapshot_attribute(
        SnapshotId=bad_snap, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
    )
    # moto's RegisterImage ignores the block device mappings: it auto-creates an unencrypted root
    # snapshot for the image, so only an unencrypted image can be seeded here (the encrypted case is
    # tested with recorded DescribeImages responses in test_copies_secrets_live.py).
    image = ec2.register_image(
        Name="bad-worker-image",
        RootDeviceName="/dev/xvda",
        VirtualizationType="hvm",
        BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": bad_snap}}],
    )["ImageId"]
    ec2.modify_image_attribute(ImageId=image, LaunchPermission={"Add": [{"Group": "all"}]})
    root = ec2.describe_images(ImageIds=[image])["Images"][0]["BlockDeviceMappings"][0]["Ebs"]["SnapshotId"]
    ec2.create_tags(Resources=[root], Tags=[{"Key": "Name", "Value": "bad-worker-image-root"}])


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


def seed_secrets_and_functions(kms_arn: str) -> None:
    secrets = client("secretsmanager")
    secrets.create_secret(Name="ok-db-password", SecretString="dummy-value", KmsKeyId=kms_arn, Tags=PHI)
    secrets.rotate_secret(SecretId="ok-db-password", RotationRules={"AutomaticallyAfterDays": 30})
    org_only = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    }
    secrets.put_resource_policy(SecretId="ok-db-password", ResourcePolicy=_document(org_only))
    secrets.create_secret(Name="bad-api-token", SecretString="dummy-value")
    everyone = {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "secretsmanager:GetSecretValue",
        "Resource": "*",
    }
    secrets.put_resource_policy(SecretId="bad-api-token", ResourcePolicy=_document(everyone))
    iam = client("iam")
    trust = {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    role = iam.create_role(RoleName="lambda-exec", AssumeRolePolicyDocument=_document(trust))["Role"]["Arn"]
    functions = client("lambda")
    for name in ("ok-intake", "bad-open-invoke", "bad-confused-deputy"):
        functions.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": _zip()},
            Tags={"phi": "true"},
        )
    functions.add_permission(
        FunctionName="ok-intake",
        StatementId="FromClaimsBucket",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn="arn:aws:s3:::ok-claims-documents",
        SourceAccount=ACCOUNT,
    )
    functions.create_function_url_config(FunctionName="ok-intake", AuthType="AWS_IAM")
    functions.add_permission(
        FunctionName="bad-open-invoke", StatementId="Everyone", Action="lambda:InvokeFunction", Principal="*"
    )
    functions.create_function_url_config(FunctionName="bad-open-invoke", AuthType="NONE")
    functions.add_permission(
        FunctionName="bad-confused-deputy",
        StatementId="FromAnyTopic",
        Action="lambda:InvokeFunction",
        Principal="sns.amazonaws.com",
    )


def seed_copies_secrets(kms_arn: str) -> None:
    seed_resource_policies()
    seed_snapshots_and_images()
    seed_secrets_and_functions(kms_arn)
