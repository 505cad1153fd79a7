"""What AWS does with a setting the configuration leaves unset: one table, each entry with its source.

"Unset" is not "unknown". A value absent from the configuration is decided
by the service, at create time, by a rule AWS documents: that rule is a
fact, and hipaacheck applies it (a plan reports such computed attributes as
"known after apply", which would otherwise hide a real failure). A value
known only after apply (a reference to a key that does not exist yet) stays
unknown. Where the documented rule itself depends on something the plan
cannot see (the AMI's snapshots, a snapshot being restored), there is no
default to apply and the value stays unknown: ``Unknowable`` says why.

Both sources use this table: the plan adapters for unset attributes, the
live collectors where the API leaves the value to a default (a default
parameter group that moto, or an account, does not describe).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ServiceDefault:
    value: Any
    rule: str  # what AWS does, in words shown next to the evidence
    source: str  # the AWS documentation page (title, URL) that states it


@dataclass(frozen=True, slots=True)
class Unknowable:
    """No default applies: the outcome depends on something outside the configuration."""

    reason: str
    source: str


_RDS_CREATE_INSTANCE = "Amazon RDS API Reference, CreateDBInstance: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html"
_RDS_CREATE_CLUSTER = "Amazon RDS API Reference, CreateDBCluster: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"
_ELASTICACHE_CREATE = (
    "Amazon ElastiCache API Reference, CreateReplicationGroup: "
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html"
)
_EKS_VPC_CONFIG = "Amazon EKS API Reference, VpcConfigRequest: https://docs.aws.amazon.com/eks/latest/APIReference/API_VpcConfigRequest.html"
_OPENSEARCH_CREATE = (
    "Amazon OpenSearch Service API Reference, CreateDomain: "
    "https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_CreateDomain.html"
)
_EFS_CREATE = (
    "Amazon EFS API Reference, CreateFileSystem: https://docs.aws.amazon.com/efs/latest/ug/API_CreateFileSystem.html"
)
_BACKUP_RULE = "AWS Backup API Reference, BackupRuleInput: https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupRuleInput.html"
_BACKUP_CREATE_VAULT = (
    "AWS Backup API Reference, CreateBackupVault: "
    "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_CreateBackupVault.html"
)

# setting -> the service's documented default. Keys read "<service>.<setting>[:<variant>]".
SERVICE_DEFAULTS: dict[str, ServiceDefault] = {
    # "BackupRetentionPeriod ... Default: 1" (the console proposes 7; the API and Terraform get 1).
    "rds.backup_retention_period": ServiceDefault(
        1, "RDS keeps automated backups 1 day when backup_retention_period is unset", _RDS_CREATE_INSTANCE
    ),
    # "BackupRetentionPeriod ... Default: 1" for Aurora and Multi-AZ DB clusters.
    "rds_cluster.backup_retention_period": ServiceDefault(
        1, "Aurora keeps automated backups 1 day when backup_retention_period is unset", _RDS_CREATE_CLUSTER
    ),
    # "StorageEncrypted ... Default: false" unless restored from an encrypted snapshot or replica.
    "rds.storage_encrypted": ServiceDefault(
        False, "RDS creates unencrypted storage when storage_encrypted is unset", _RDS_CREATE_INSTANCE
    ),
    # Aurora provisioned and Serverless v2 clusters: "StorageEncrypted ... Default: false" for a new
    # cluster; a restore or replica inherits the source's encryption.
    "rds_cluster.storage_encrypted": ServiceDefault(
        False, "Aurora creates an unencrypted cluster when storage_encrypted is unset", _RDS_CREATE_CLUSTER
    ),
    # Aurora Serverless v1 (engine_mode = "serverless") clusters are always encrypted.
    "rds_cluster.storage_encrypted:serverless_v1": ServiceDefault(
        True,
        "Aurora Serverless v1 clusters are always encrypted",
        "Amazon Aurora User Guide, Using Amazon Aurora Serverless v1 (encryption): "
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless.html",
    ),
    # "AtRestEncryptionEnabled ... Default: true when using Valkey, false when using Redis OSS".
    "elasticache.at_rest_encryption:redis": ServiceDefault(
        False,
        "ElastiCache for Redis OSS does not encrypt at rest when at_rest_encryption_enabled is unset",
        _ELASTICACHE_CREATE,
    ),
    "elasticache.at_rest_encryption:valkey": ServiceDefault(
        True, "ElastiCache for Valkey encrypts at rest by default", _ELASTICACHE_CREATE
    ),
    # "TransitEncryptionEnabled ... Default: false".
    "elasticache.transit_encryption": ServiceDefault(
        False,
        "ElastiCache does not encrypt in transit when transit_encryption_enabled is unset",
        _ELASTICACHE_CREATE,
    ),
    # With transit encryption enabled at create and no TransitEncryptionMode, the mode is "required";
    # "preferred" (which still accepts plaintext) must be asked for.
    "elasticache.transit_encryption_mode": ServiceDefault(
        "required",
        "ElastiCache creates transit encryption in required mode when no mode is set",
        "Amazon ElastiCache User Guide, Enabling in-transit encryption: "
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption-enable.html",
    ),
    # "MaxPasswordAge ... If you do not specify a value for this parameter, then the operation uses
    # the default value of 0. The result is that IAM user passwords never expire."
    "iam.max_password_age": ServiceDefault(
        None,
        "IAM passwords never expire when max_password_age is unset",
        "AWS IAM API Reference, UpdateAccountPasswordPolicy: "
        "https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html",
    ),
    # Default DB parameter groups: rds.force_ssl is 1 from RDS for PostgreSQL 15.
    "rds.force_ssl:postgres15": ServiceDefault(
        True,
        "RDS for PostgreSQL 15 and later sets rds.force_ssl = 1 in its default parameter group",
        "Amazon RDS User Guide, Using SSL with a PostgreSQL DB instance: "
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html",
    ),
    # Default DB parameter groups: require_secure_transport is ON from RDS for MariaDB 11.8.
    "rds.require_secure_transport:mariadb11.8": ServiceDefault(
        True,
        "RDS for MariaDB 11.8 and later sets require_secure_transport = ON in its default parameter group",
        "Amazon RDS User Guide, Requiring SSL/TLS for all connections to a MariaDB DB instance: "
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mariadb-ssl-connections.require-ssl.html",
    ),
    # "New queues are created with SSE-SQS enabled by default" (since October 2022).
    "sqs.sqs_managed_sse": ServiceDefault(
        True,
        "SQS encrypts new queues with SSE-SQS unless a KMS key or sqs_managed_sse_enabled = false is set",
        "Amazon SQS Developer Guide, Encryption at rest: "
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
    ),
    # "publicAccessCidrs ... The default value is 0.0.0.0/0"; "endpointPublicAccess ... The default value
    # for this parameter is true".
    "eks.endpoint_public_access": ServiceDefault(
        True, "EKS makes the API server endpoint public when endpoint_public_access is unset", _EKS_VPC_CONFIG
    ),
    "eks.public_access_cidrs": ServiceDefault(
        ["0.0.0.0/0"], "EKS admits 0.0.0.0/0 to a public endpoint when public_access_cidrs is unset", _EKS_VPC_CONFIG
    ),
    # "By default, cluster databases accept a connection whether it uses SSL or not": the default
    # parameter groups (default.redshift-1.0) have require_ssl = false.
    "redshift.require_ssl": ServiceDefault(
        False,
        "Redshift's default parameter group has require_ssl = false (SSL optional)",
        "Amazon Redshift Management Guide, Configuring security options for connections: "
        "https://docs.aws.amazon.com/redshift/latest/mgmt/connecting-ssl-support.html",
    ),
    # "By default, Amazon ECR uses server-side encryption with Amazon S3-managed encryption keys".
    "ecr.encryption_type": ServiceDefault(
        "AES256",
        "ECR encrypts with S3-managed keys (AES256) when no encryption_configuration is set",
        "Amazon ECR User Guide, Encryption at rest: https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html",
    ),
    # CreateDBCluster "StorageEncrypted: Specifies whether the cluster is encrypted" is opt-in through the
    # API (the provider documents "The default is false"); the console proposes encryption.
    "docdb.storage_encrypted": ServiceDefault(
        False,
        "DocumentDB creates an unencrypted cluster when storage_encrypted is unset",
        "Amazon DocumentDB Developer Guide, Encrypting Amazon DocumentDB data at rest: "
        "https://docs.aws.amazon.com/documentdb/latest/developerguide/encryption-at-rest.html",
    ),
    # "By default, encryption in transit is enabled for newly created Amazon DocumentDB clusters":
    # the default cluster parameter groups have tls = enabled.
    "docdb.tls": ServiceDefault(
        True,
        "DocumentDB's default cluster parameter group has tls = enabled",
        "Amazon DocumentDB Developer Guide, Encrypting data in transit: "
        "https://docs.aws.amazon.com/documentdb/latest/developerguide/security.encryption.ssl.html",
    ),
    # EncryptionAtRestOptions, NodeToNodeEncryptionOptions and DomainEndpointOptions.EnforceHTTPS are
    # opt-in: a domain created without them has them off.
    "opensearch.encrypt_at_rest": ServiceDefault(
        False, "OpenSearch does not encrypt at rest unless encrypt_at_rest is enabled", _OPENSEARCH_CREATE
    ),
    "opensearch.node_to_node_encryption": ServiceDefault(
        False, "OpenSearch does not encrypt node-to-node traffic unless it is enabled", _OPENSEARCH_CREATE
    ),
    "opensearch.enforce_https": ServiceDefault(
        False, "OpenSearch accepts plain HTTP unless enforce_https is set", _OPENSEARCH_CREATE
    ),
    # AWS Backup, EFS and ElastiCache backups (issue 14 item 1).
    # "SnapshotRetentionLimit ... Default: 0 (i.e., automatic backups are disabled for this cluster)."
    "elasticache.snapshot_retention_limit": ServiceDefault(
        0, "ElastiCache takes no automatic snapshots when snapshot_retention_limit is unset (0)", _ELASTICACHE_CREATE
    ),
    # CreateFileSystem "Backup ... Default is false. However, if you specify an AvailabilityZoneName,
    # the default is true." Terraform creates through the API; only the console turns backups on.
    "efs.backup_policy": ServiceDefault(
        False,
        "a new EFS file system without aws_efs_backup_policy has automatic backups off (CreateFileSystem default)",
        _EFS_CREATE,
    ),
    "efs.backup_policy:one_zone": ServiceDefault(
        True,
        "a new One Zone EFS file system (availability_zone_name) has automatic backups on by default",
        _EFS_CREATE,
    ),
    # BackupRule "ScheduleExpression ... When no CRON expression is provided, Backup will use the
    # default expression cron(0 5 ? * * *)."
    "backup.schedule": ServiceDefault(
        "cron(0 5 ? * * *)", "a rule without a schedule runs daily at 05:00 UTC", _BACKUP_RULE
    ),
    # CreateBackupVault "EncryptionKeyArn ... If this key is not specified, the default AWS Backup key
    # (the AWS managed key aws/backup) is used."
    "backup_vault.kms_key": ServiceDefault(
        "alias/aws/backup",
        "no kms_key_arn: AWS Backup encrypts the vault with the AWS managed key aws/backup",
        _BACKUP_CREATE_VAULT,
    ),
    # ViewerCertificate: with CloudFrontDefaultCertificate "CloudFront automatically sets the security
    # policy to TLSv1 regardless of the value of MinimumProtocolVersion"; with a custom certificate an
    # unset MinimumProtocolVersion is TLSv1 as well (the provider's default too).
    "cloudfront.minimum_protocol_version": ServiceDefault(
        "TLSv1",
        "CloudFront lets viewers negotiate TLSv1 with the default certificate, or when no minimum is set",
        "Amazon CloudFront API Reference, ViewerCertificate: "
        "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ViewerCertificate.html",
    ),
    # LoadBalancerAttribute: "access_logs.s3.enabled ... The default is false" (and deletion protection,
    # routing.http.drop_invalid_header_fields.enabled default to false as well).
    "elbv2.access_logs": ServiceDefault(
        False,
        "Elastic Load Balancing delivers no access logs unless access_logs.s3.enabled is true",
        "Elastic Load Balancing API Reference, LoadBalancerAttribute: "
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_LoadBalancerAttribute.html",
    ),
    # CreateLoadBalancer: "Scheme ... The default is an Internet-facing load balancer."
    "elbv2.scheme_internal": ServiceDefault(
        False,
        "a load balancer is internet-facing unless internal = true",
        "Elastic Load Balancing API Reference, CreateLoadBalancer: "
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html",
    ),
    # "MapPublicIpOnLaunch ... Indicates whether instances launched in this subnet receive a public IPv4
    # address" - false for a subnet you create (default subnets of the default VPC set it to true).
    "ec2.subnet.map_public_ip_on_launch": ServiceDefault(
        False,
        "a subnet you create does not assign public IPv4 addresses unless map_public_ip_on_launch is true",
        "Amazon VPC User Guide, IP addressing for your VPCs and subnets (public IPv4 addresses): "
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-ip-addressing.html",
    ),
}

# Where there is no default to apply: the plan cannot tell, only apply (or a live scan) can.
UNKNOWABLE: dict[str, Unknowable] = {
    # A launch template or instance device without `encrypted` takes the AMI snapshot's encryption,
    # or the account's EBS encryption by default: neither is in the configuration.
    "ec2.block_device.encrypted": Unknowable(
        "encrypted is unset: the AMI's snapshot and the account's EBS encryption by default decide",
        "Amazon EBS User Guide, Amazon EBS encryption (Encryption by default; launch templates): "
        "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
    ),
    # A cluster or instance restored from a snapshot, or created as a replica, inherits the source's
    # encryption; StorageEncrypted's default does not apply.
    "rds.storage_encrypted:restored": Unknowable(
        "restored from a snapshot or created as a replica: the source's encryption decides",
        _RDS_CREATE_CLUSTER,
    ),
    # An instance launched without a subnet goes to a default subnet of the default VPC, whose
    # MapPublicIpOnLaunch is true unless the account changed it: the account, not the plan, decides.
    "ec2.instance.public_ip:default_subnet": Unknowable(
        "no subnet_id: the instance launches into a default subnet, whose map_public_ip_on_launch "
        "(true unless changed in the account) decides",
        "Amazon VPC User Guide, Default subnets: https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html",
    ),
    # A restored DB keeps the snapshot's settings unless they are given.
    # With enforce_https and no tls_security_policy the service picks its current default policy, which
    # has changed over time: only the live domain shows which one it got.
    "opensearch.tls_security_policy": Unknowable(
        "enforce_https is set without tls_security_policy: the service's current default policy decides",
        _OPENSEARCH_CREATE,
    ),
    "rds.backup_retention_period:restored": Unknowable(
        "restored from a snapshot or created as a replica: the source decides the backup retention",
        _RDS_CREATE_INSTANCE,
    ),
}


def elasticache_at_rest_default(engine: str | None) -> ServiceDefault | None:
    """The at-rest default by engine; None when the engine is not one whose default is documented."""
    if engine is None:
        return SERVICE_DEFAULTS["elasticache.at_rest_encryption:redis"]  # the provider's default engine
    return SERVICE_DEFAULTS.get(f"elasticache.at_rest_encryption:{engine.lower()}")


def _version_at_least(version: str | None, minimum: tuple[int, ...]) -> bool | None:
    """None when the version cannot be compared (absent, or not numbers)."""
    if not version:
        return None
    parts: list[int] = []
    for piece in version.split(".")[: len(minimum)]:
        if not (piece.isascii() and piece.isdigit() and len(piece) <= 6):
            return None
        parts.append(int(piece))
    while len(parts) < len(minimum):
        parts.append(0)
    return tuple(parts) >= minimum


def default_parameter_group_tls(engine: str, version: str | None) -> ServiceDefault | None:
    """The engine's default parameter group forces TLS: the entry that says so, or None."""
    engine = engine.lower()
    if engine == "postgres":
        # No version: RDS picks a current default major version (15 or later).
        at_least = True if not version else _version_at_least(version, (15,))
        return SERVICE_DEFAULTS["rds.force_ssl:postgres15"] if at_least is True else None
    if engine == "mariadb":
        # No version: RDS picks its default MariaDB version, which may be older than 11.8: no claim.
        return (
            SERVICE_DEFAULTS["rds.require_secure_transport:mariadb11.8"]
            if _version_at_least(version, (11, 8))
            else None
        )
    return None
