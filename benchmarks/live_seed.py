"""Seed N copies of a ~40-resource medical-billing account into a moto server (boto3, AWS_ENDPOINT_URL).

Copy k uses the suffix "-k" on every name; roughly a third of each copy is
misconfigured, so a scan finds both passes and failures.
"""

from __future__ import annotations

import json
from typing import Any

import boto3

REGION = "us-east-1"
# Credentials of the account being seeded (org.py seeds many accounts); empty: the environment's.
CREDENTIALS: dict[str, str] = {}


def _client(service: str) -> Any:
    return boto3.client(service, region_name=REGION, **CREDENTIALS)


def seed_account_baseline() -> dict[str, Any]:
    """Account-wide pieces, created once: the VPC and subnets the copies share."""
    ec2 = _client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"{REGION}{zone}")["Subnet"]["SubnetId"]
        for i, zone in enumerate("ab")
    ]
    _client("iam").update_account_password_policy(MinimumPasswordLength=14, RequireSymbols=True, RequireNumbers=True,
                                                  RequireUppercaseCharacters=True, RequireLowercaseCharacters=True,
                                                  PasswordReusePrevention=24, MaxPasswordAge=90)
    _client("guardduty").create_detector(Enable=True)
    ec2.enable_ebs_encryption_by_default()
    return {"vpc": vpc, "subnets": subnets}


def seed_copy(k: int, shared: dict[str, Any]) -> int:
    """One billing account's worth of resources; returns how many were created."""
    s3, kms, rds = _client("s3"), _client("kms"), _client("rds")
    ec2, logs, iam = _client("ec2"), _client("logs"), _client("iam")
    sqs, sns, ddb = _client("sqs"), _client("sns"), _client("dynamodb")
    efs, cache, elb = _client("efs"), _client("elasticache"), _client("elbv2")
    ct = _client("cloudtrail")
    count = 0
    keys = []
    for i in range(2):
        key = kms.create_key(Description=f"copy {k} key {i}")["KeyMetadata"]["Arn"]
        if i == 0:
            kms.enable_key_rotation(KeyId=key)
        keys.append(key)
        count += 1
    for i in range(4):
        name = f"bench-{k}-bucket-{i}"
        s3.create_bucket(Bucket=name)
        if i % 3:
            s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": [
                {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": keys[0]}}]})
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration={
                "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
            s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
        count += 1
    for i in range(2):
        rds.create_db_instance(DBInstanceIdentifier=f"bench-{k}-db-{i}", Engine="postgres", EngineVersion="16.4",
                               DBInstanceClass="db.t4g.medium", MasterUsername="claims", MasterUserPassword="not-a-secret-1",
                               AllocatedStorage=20, StorageEncrypted=bool(i), BackupRetentionPeriod=14 if i else 1,
                               PubliclyAccessible=False, DeletionProtection=bool(i))
        count += 1
    for i in range(2):
        ddb.create_table(TableName=f"bench-{k}-table-{i}", BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         SSESpecification={"Enabled": bool(i), "SSEType": "KMS", "KMSMasterKeyId": keys[0]} if i else {"Enabled": False})
        count += 1
    for i in range(3):
        sqs.create_queue(QueueName=f"bench-{k}-queue-{i}", Attributes={"KmsMasterKeyId": keys[0]} if i else {"SqsManagedSseEnabled": "false"})
        count += 1
    for i in range(2):
        sns.create_topic(Name=f"bench-{k}-topic-{i}", Attributes={"KmsMasterKeyId": keys[0]} if i else {})
        count += 1
    for i in range(4):
        name = f"/bench/{k}/log-{i}"
        logs.create_log_group(logGroupName=name, **({"kmsKeyId": keys[0]} if i % 2 else {}))
        logs.put_retention_policy(logGroupName=name, retentionInDays=400 if i % 2 else 30)
        count += 1
    groups = []
    for i in range(3):
        group = ec2.create_security_group(GroupName=f"bench-{k}-sg-{i}", Description="bench", VpcId=shared["vpc"])["GroupId"]
        cidr = "0.0.0.0/0" if i == 0 else "10.0.0.0/16"
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": cidr}]},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        groups.append(group)
        count += 1
    for i in range(3):
        ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=20, Encrypted=bool(i))
        count += 1
    efs.create_file_system(CreationToken=f"bench-{k}-efs", Encrypted=bool(k % 2))
    cache.create_replication_group(ReplicationGroupId=f"bench-{k}-cache", ReplicationGroupDescription="bench",
                                   Engine="redis", CacheNodeType="cache.t4g.micro", NumCacheClusters=1,
                                   AtRestEncryptionEnabled=True, TransitEncryptionEnabled=bool(k % 2))
    count += 2
    for i in range(3):
        action = "*" if i == 0 else "s3:GetObject"
        iam.create_policy(PolicyName=f"bench-{k}-policy-{i}", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]}))
        count += 1
    lb = elb.create_load_balancer(Name=f"bench-{k}-lb", Subnets=shared["subnets"], SecurityGroups=[groups[1]])["LoadBalancers"][0]["LoadBalancerArn"]
    target = elb.create_target_group(Name=f"bench-{k}-tg", Protocol="HTTP", Port=80, VpcId=shared["vpc"])["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=80, DefaultActions=[
        {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
    elb.create_listener(LoadBalancerArn=lb, Protocol="HTTP", Port=8080, DefaultActions=[{"Type": "forward", "TargetGroupArn": target}])
    count += 3
    ct.create_trail(Name=f"bench-{k}-trail", S3BucketName=f"bench-{k}-bucket-1", IsMultiRegionTrail=True, EnableLogFileValidation=True)
    ct.start_logging(Name=f"bench-{k}-trail")
    count += 1
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="t3.micro",
                      MetadataOptions={"HttpTokens": "required" if k % 2 else "optional"})
    count += 2  # the instance and its root volume
    return count
