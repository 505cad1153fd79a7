"""S3 buckets, EBS volumes and EFS file systems."""

from __future__ import annotations

from .base import Canonical, Tagged, doc
from .copies_secrets import ResourcePolicy


class BucketEncryption(Canonical):
    algorithm: str | None = doc(
        "Default SSE algorithm: AES256, aws:kms or aws:kms:dsse. With no configuration "
        "S3 applies AES256 (SSE-S3) since 2023-01-05, and the field says so."
    )
    kms_key_id: str | None = doc("KMS key used for SSE-KMS.")
    bucket_key_enabled: bool | None = doc("S3 Bucket Key enabled.")


class PublicAccessBlock(Canonical):
    block_public_acls: bool | None = doc("Block new public ACLs.")
    ignore_public_acls: bool | None = doc("Ignore existing public ACLs.")
    block_public_policy: bool | None = doc("Block new public bucket policies.")
    restrict_public_buckets: bool | None = doc("Restrict access to buckets with public policies.")
    all_enabled: bool | None = doc("All four settings are true (false when no block exists).")


class BucketAcl(Canonical):
    canned: str | None = doc("Canned ACL, e.g. private or public-read.")
    public: bool | None = doc("The ACL grants access to AllUsers or AuthenticatedUsers.")


class BucketPolicy(Canonical):
    present: bool | None = doc("A bucket policy is attached.")
    public: bool | None = doc(
        "Public as S3 defines it: an Allow to Principal '*' (or {AWS: '*'}, or NotPrincipal) not limited by a "
        "positive condition with fixed values on aws:SourceVpce, aws:SourceVpc, aws:SourceIp (narrower than /8), "
        "aws:PrincipalOrgID, aws:SourceAccount, ... (derive/resource_policy.py). Live: or S3's own IsPublic."
    )
    denies_insecure_transport: bool | None = doc(
        "A Deny for every principal, every object read and write action and every object of the bucket, "
        "with aws:SecureTransport false (Bool or BoolIfExists) as its only condition."
    )


class Versioning(Canonical):
    enabled: bool | None = doc("Versioning status is Enabled.")
    mfa_delete: bool | None = doc("MFA delete is enabled.")


class AccessLogging(Canonical):
    enabled: bool | None = doc("Server access logging is configured.")
    target_bucket: str | None = doc("Bucket receiving the access logs.")


class ObjectLock(Canonical):
    enabled: bool | None = doc("Object Lock is enabled on the bucket.")
    mode: str | None = doc("Default retention mode: GOVERNANCE or COMPLIANCE.")


class S3Bucket(Tagged):
    """An S3 bucket, with its split v4+ sub-resources folded in."""

    bucket: str | None = doc("Bucket name.")
    encryption: BucketEncryption | None = doc("Default server-side encryption.")
    public_access_block: PublicAccessBlock | None = doc("Bucket-level Block Public Access.")
    acl: BucketAcl | None = doc("Bucket ACL.")
    policy: BucketPolicy | None = doc("Facts derived from the bucket policy.")
    versioning: Versioning | None = doc("Versioning configuration.")
    logging: AccessLogging | None = doc("Server access logging.")
    object_lock: ObjectLock | None = doc("Object Lock configuration.")
    replication_enabled: bool | None = doc("A replication rule is enabled.")
    object_level_logging: bool | None = doc(
        "A logging CloudTrail trail records the bucket's object-level data events (reads and writes of every object)."
    )
    receives_logs: bool | None = doc(
        "Another bucket's S3 server access logs are delivered to this bucket (logging it into itself "
        "would loop). A trail's or load balancer's log bucket is not exempt from access logging."
    )
    log_destination: bool | None = doc(
        "Some service delivers logs to this bucket: S3 server access logs, a CloudTrail trail or a load "
        "balancer's access logs (recording the bucket's own data events would record those deliveries)."
    )


class EbsVolume(Tagged):
    """An EBS volume, or a block device of an instance or launch template."""

    encrypted: bool | None = doc(
        "The volume is encrypted (explicitly, or by account default encryption in the same plan)."
    )
    kms_key_id: str | None = doc("KMS key of the volume.")
    size: int | None = doc("Size in GiB.")
    attached_to: str | None = doc("Address of the instance or template the device belongs to.")
    backup_plan_protected: bool | None = doc(
        "An AWS Backup plan's selection covers it (by ARN, wildcard or tags; derive/backup_selection.py), or covers the instance it is attached to (an EC2 backup includes its volumes)."
    )


class EfsFileSystem(Tagged):
    encrypted: bool | None = doc("Encryption at rest enabled.")
    kms_key_id: str | None = doc("KMS key used for encryption.")
    backup_plan_protected: bool | None = doc(
        "An AWS Backup plan's selection covers it (by ARN, wildcard or tags; derive/backup_selection.py)."
    )
    backup_policy_enabled: bool | None = doc(
        "EFS automatic backups are on (aws_efs_backup_policy / DescribeBackupPolicy status ENABLED)."
    )
    policy: ResourcePolicy | None = doc("Facts derived from the resource policy (derive/resource_policy.py).")
