"""Seed a small medical-billing account: resources named ok-* are compliant, bad-* are not.

Works against moto in-process (mock_aws) and against a moto server
(AWS_ENDPOINT_URL): boto3 clients pick the endpoint up from the environment.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

REGION = "us-east-1"
ACCOUNT = "123456789012"

TLS_ONLY = {
    "Sid": "DenyInsecureTransport",
    "Effect": "Deny",
    "Principal": {"AWS": "*"},  # moto's logging check cannot read a bare "*"
    "Action": "s3:*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
PAB = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def client(service: str, region: str = REGION) -> Any:
    return boto3.client(service, region_name=region)


def _policy(bucket: str, *statements: dict[str, Any]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"], **s} for s in statements
            ],
        }
    )


def seed_s3(kms_arn: str) -> None:
    s3 = client("s3")
    for name in ("ok-claims-documents", "ok-access-logs", "ok-audit-trail", "bad-claim-exports"):
        s3.create_bucket(Bucket=name)
    s3.put_bucket_tagging(Bucket="ok-claims-documents", Tagging={"TagSet": [{"Key": "phi", "Value": "true"}]})
    s3.put_bucket_tagging(Bucket="bad-claim-exports", Tagging={"TagSet": [{"Key": "phi", "Value": "true"}]})
    for name in ("ok-claims-documents", "ok-access-logs", "ok-audit-trail"):
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": kms_arn}}
                ]
            },
        )
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=PAB)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(Bucket="ok-claims-documents", Policy=_policy("ok-claims-documents", TLS_ONLY))
    log_write = {
        "Sid": "S3ServerAccessLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::ok-access-logs/*",  # one string: moto compares it verbatim
    }
    s3.put_bucket_policy(Bucket="ok-access-logs", Policy=_policy("ok-access-logs", TLS_ONLY, log_write))
    trail_write = {
        "Sid": "CloudTrailWrite",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject",
    }
    s3.put_bucket_policy(Bucket="ok-audit-trail", Policy=_policy("ok-audit-trail", TLS_ONLY, trail_write))
    # The trail bucket is not exempt from access logging (CIS AWS 3.6): it logs too.
    for bucket, prefix in (("ok-claims-documents", "claims/"), ("ok-audit-trail", "trail/")):
        s3.put_bucket_logging(
            Bucket=bucket,
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "ok-access-logs", "TargetPrefix": prefix}},
        )
    # bad: no encryption configuration (SSE-S3 default), no public access block, a public policy,
    # no versioning, no access logging.
    public = {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject"}
    s3.put_bucket_policy(Bucket="bad-claim-exports", Policy=_policy("bad-claim-exports", public))


def seed_kms() -> str:
    kms = client("kms")
    good = kms.create_key(Description="PHI", Tags=[{"TagKey": "phi", "TagValue": "true"}])["KeyMetadata"]
    kms.enable_key_rotation(KeyId=good["KeyId"])
    kms.create_alias(AliasName="alias/ok-phi", TargetKeyId=good["KeyId"])
    stale = kms.create_key(Description="never rotated")["KeyMetadata"]
    kms.create_alias(AliasName="alias/bad-unrotated", TargetKeyId=stale["KeyId"])
    off = kms.create_key(Description="disabled")["KeyMetadata"]
    kms.enable_key_rotation(KeyId=off["KeyId"])
    kms.create_alias(AliasName="alias/bad-disabled", TargetKeyId=off["KeyId"])
    kms.disable_key(KeyId=off["KeyId"])
    return str(good["Arn"])


def seed_rds(kms_arn: str) -> None:
    rds = client("rds")
    rds.create_db_parameter_group(
        DBParameterGroupName="ok-postgres-tls", DBParameterGroupFamily="postgres14", Description="TLS only"
    )
    rds.modify_db_parameter_group(
        DBParameterGroupName="ok-postgres-tls",
        Parameters=[{"ParameterName": "rds.force_ssl", "ParameterValue": "1", "ApplyMethod": "immediate"}],
    )
    common = {"DBInstanceClass": "db.t3.micro", "Engine": "postgres", "EngineVersion": "14.10", "AllocatedStorage": 20}
    rds.create_db_instance(
        DBInstanceIdentifier="ok-claims-db",
        MasterUsername="claims",
        MasterUserPassword="dummy-password-0000",
        StorageEncrypted=True,
        KmsKeyId=kms_arn,
        PubliclyAccessible=False,
        BackupRetentionPeriod=14,
        DeletionProtection=True,
        EnableCloudwatchLogsExports=["postgresql"],
        DBParameterGroupName="ok-postgres-tls",
        Tags=[{"Key": "phi", "Value": "true"}],
        **common,
    )
    rds.create_db_instance(
        DBInstanceIdentifier="bad-claims-db",
        MasterUsername="claims",
        MasterUserPassword="dummy-password-0000",
        StorageEncrypted=False,
        PubliclyAccessible=True,
        BackupRetentionPeriod=1,
        DeletionProtection=False,
        **common,
    )


def seed_data(kms_arn: str) -> None:
    ddb = client("dynamodb")
    table = {
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    ddb.create_table(
        TableName="ok-portal-sessions",
        SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": kms_arn},
        DeletionProtectionEnabled=True,
        **table,
    )
    ddb.update_continuous_backups(
        TableName="ok-portal-sessions", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    ddb.create_table(TableName="bad-portal-sessions", **table)
    sqs = client("sqs")
    sqs.create_queue(QueueName="ok-claims-intake", Attributes={"KmsMasterKeyId": kms_arn})
    sqs.create_queue(QueueName="bad-claims-intake", Attributes={"SqsManagedSseEnabled": "false"})
    sns = client("sns")
    sns.create_topic(Name="ok-alerts", Attributes={"KmsMasterKeyId": kms_arn})
    sns.create_topic(Name="bad-alerts")
    logs = client("logs")
    logs.create_log_group(logGroupName="/ok/billing-portal", kmsKeyId=kms_arn)
    logs.put_retention_policy(logGroupName="/ok/billing-portal", retentionInDays=365)
    logs.create_log_group(logGroupName="/bad/billing-portal")
    logs.put_retention_policy(logGroupName="/bad/billing-portal", retentionInDays=30)
    efs = client("efs")
    efs.create_file_system(
        CreationToken="ok",
        Encrypted=True,
        KmsKeyId=kms_arn,
        Backup=True,  # EFS automatic backups (efs-backup-policy-enabled)
        Tags=[{"Key": "Name", "Value": "ok-edi"}],
    )
    efs.create_file_system(CreationToken="bad", Encrypted=False, Tags=[{"Key": "Name", "Value": "bad-edi"}])
    cache = client("elasticache")
    cache.create_replication_group(
        ReplicationGroupId="ok-cache",
        ReplicationGroupDescription="sessions",
        Engine="redis",
        AtRestEncryptionEnabled=True,
        TransitEncryptionEnabled=True,
        SnapshotRetentionLimit=15,  # elasticache-snapshot-retention
    )
    cache.create_replication_group(
        ReplicationGroupId="bad-cache",
        ReplicationGroupDescription="sessions",
        Engine="redis",
        AtRestEncryptionEnabled=False,
        TransitEncryptionEnabled=False,
    )


def seed_network() -> None:
    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]

    def group(name: str, port: int, cidr: str) -> None:
        group_id = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group_id,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}],
        )

    group("ok-app", 443, "10.40.0.0/16")
    group("bad-admin", 22, "0.0.0.0/0")
    group("bad-db-open", 5432, "0.0.0.0/0")
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("ab")
    ]
    seed_load_balancers(vpc, subnets)
    seed_network_edge(vpc)
    for name, tokens in (("ok-edi-gateway", "required"), ("bad-edi-gateway", "optional")):
        # moto runs any image id when it loads no default AMIs.
        ec2.run_instances(
            ImageId="ami-12345678",
            MinCount=1,
            MaxCount=1,
            SubnetId=subnets[0],
            MetadataOptions={"HttpTokens": tokens, "HttpEndpoint": "enabled"},
            BlockDeviceMappings=[
                {"DeviceName": "/dev/sda1", "Ebs": {"VolumeSize": 8, "Encrypted": name.startswith("ok")}}
            ],
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]},
                {"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": f"{name}-root"}]},
            ],
        )
    for name, encrypted in (("ok-data", True), ("bad-data", False)):
        ec2.create_volume(
            AvailabilityZone=f"{REGION}a",
            Size=10,
            Encrypted=encrypted,
            TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": name}]}],
        )


def seed_load_balancers(vpc: str, subnets: list[str]) -> None:
    elb = client("elbv2")
    target = elb.create_target_group(Name="portal", Protocol="HTTP", Port=8080, VpcId=vpc)["TargetGroups"][0]
    for name in ("ok-portal", "bad-portal"):
        arn = elb.create_load_balancer(Name=name, Subnets=subnets, Scheme="internet-facing")["LoadBalancers"][0][
            "LoadBalancerArn"
        ]
        if name == "ok-portal":
            action = {
                "Type": "redirect",
                "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
            }
            elb.modify_load_balancer_attributes(
                LoadBalancerArn=arn,
                Attributes=[
                    {"Key": "access_logs.s3.enabled", "Value": "true"},
                    {"Key": "access_logs.s3.bucket", "Value": "ok-access-logs"},
                    {"Key": "deletion_protection.enabled", "Value": "true"},
                    {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
                ],
            )
            waf = client("wafv2")
            acl = waf.create_web_acl(
                Name="ok-portal",
                Scope="REGIONAL",
                DefaultAction={"Allow": {}},
                VisibilityConfig={
                    "SampledRequestsEnabled": True,
                    "CloudWatchMetricsEnabled": True,
                    "MetricName": "ok-portal",
                },
            )["Summary"]["ARN"]
            waf.associate_web_acl(WebACLArn=acl, ResourceArn=arn)
        else:
            action = {"Type": "forward", "TargetGroupArn": target["TargetGroupArn"]}
        elb.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=[action])


def seed_network_edge(vpc: str) -> None:
    """The seeded VPC is logged and its default group closed (ok-*); moto's default VPC keeps AWS's defaults."""
    ec2 = client("ec2")
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": "ok-claims-vpc"}])
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="cloud-watch-logs",
        LogGroupName="/ok/flow-logs",
        DeliverLogsPermissionArn=f"arn:aws:iam::{ACCOUNT}:role/flow-logs",
    )
    (group,) = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    if group["IpPermissionsEgress"]:
        ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
    if group["IpPermissions"]:
        ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])
    ec2.create_tags(Resources=[group["GroupId"]], Tags=[{"Key": "Name", "Value": "ok-default-group"}])
    (default_vpc,) = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]
    ec2.create_tags(Resources=[default_vpc["VpcId"]], Tags=[{"Key": "Name", "Value": "default-vpc"}])


def seed_iam_and_trails(kms_arn: str) -> None:
    iam = client("iam")

    def doc(statement: dict[str, Any]) -> str:
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]})

    iam.create_policy(
        PolicyName="ok-claims-reader",
        PolicyDocument=doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::ok-claims/*"}),
    )
    iam.create_policy(PolicyName="bad-admin", PolicyDocument=doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    iam.create_user(UserName="bad-console-user")
    iam.create_login_profile(UserName="bad-console-user", Password="Dummy-password-0000")
    iam.put_user_policy(
        UserName="bad-console-user",
        PolicyName="bad-not-action",
        PolicyDocument=doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
    )
    trail = client("cloudtrail")
    trail.create_trail(
        Name="ok-trail",
        S3BucketName="ok-audit-trail",
        IsMultiRegionTrail=True,
        IncludeGlobalServiceEvents=True,
        EnableLogFileValidation=True,
        KmsKeyId=kms_arn,
    )
    trail.start_logging(Name="ok-trail")
    # Every management event, and object reads and writes of the PHI bucket (cloudtrail-s3-data-events-phi).
    trail.put_event_selectors(
        TrailName="ok-trail",
        EventSelectors=[
            {
                "ReadWriteType": "All",
                "IncludeManagementEvents": True,
                "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::ok-claims-documents/"]}],
            }
        ],
    )
    trail.create_trail(Name="bad-trail", S3BucketName="ok-audit-trail")


def seed_account() -> None:
    """Everything the scan reads; account-level settings are left at their insecure defaults."""
    kms_arn = seed_kms()
    seed_s3(kms_arn)
    seed_rds(kms_arn)
    seed_data(kms_arn)
    seed_network()
    seed_iam_and_trails(kms_arn)
    from .seed_copies_secrets import seed_copies_secrets  # its own module; it imports this one

    seed_copies_secrets(kms_arn)
