"""Copies of data (DB snapshots, EBS snapshots, machine images), secrets, Lambda functions, and the
resource-policy facts shared by the queues, topics, keys and file systems that carry one.

Every type here is read from a plan and from a live account into the same fields.
"""

from __future__ import annotations

from .base import Canonical, Tagged, doc

_PUBLIC = (
    "Public as derive/resource_policy.py defines it (one reader for every service): an Allow to Principal '*' "
    "(or {AWS: '*'}, or NotPrincipal) not limited by a positive condition with fixed values on a network, "
    "organisation, account or principal key"
)


class ResourcePolicy(Canonical):
    """The facts of a resource policy (queue, topic, key, file system, function or secret policy)."""

    present: bool | None = doc("A resource policy is attached (a service default policy counts).")
    public: bool | None = doc(_PUBLIC + ".")
    denies_insecure_transport: bool | None = doc(
        "A Deny for every principal, every data action of the service and this resource, with "
        "aws:SecureTransport false (Bool or BoolIfExists) as its only condition."
    )


class DbSnapshot(Tagged):
    """A manual RDS DB snapshot or DB cluster snapshot (automated ones cannot be shared)."""

    kind: str | None = doc("instance (DB snapshot) or cluster (DB cluster snapshot).")
    identifier: str | None = doc("Snapshot identifier.")
    source_identifier: str | None = doc("The DB instance or cluster it was taken from.")
    encrypted: bool | None = doc(
        "The snapshot is encrypted. A snapshot has the encryption of its source: the plan reads it from the "
        "source instance or cluster when that is in the plan."
    )
    kms_key_id: str | None = doc("KMS key of the snapshot.")
    public: bool | None = doc("The restore attribute lists 'all' (shared_accounts contains \"all\").")
    shared_accounts: list[str] | None = doc("Accounts (or 'all') allowed to restore the snapshot.")


class EbsSnapshot(Tagged):
    """An EBS snapshot owned by the account (aws_ebs_snapshot, aws_ebs_snapshot_copy)."""

    volume_id: str | None = doc("The volume the snapshot was taken from.")
    encrypted: bool | None = doc(
        "The snapshot is encrypted. A snapshot has the encryption of its volume: the plan reads it from the "
        "source volume when that is in the plan; a copy is encrypted when it asks to be or its source is."
    )
    kms_key_id: str | None = doc("KMS key of the snapshot.")
    public: bool | None = doc(
        "createVolumePermission includes the group 'all'. Terraform's aws_snapshot_create_volume_permission "
        "shares with one account only, so a plan can make a snapshot shared but never public."
    )


class MachineImage(Tagged):
    """An AMI owned by the account (aws_ami, aws_ami_copy, aws_ami_from_instance)."""

    image_name: str | None = doc("AMI name.")
    encrypted: bool | None = doc("Every EBS block device of the image is encrypted.")
    public: bool | None = doc("The launch permission includes the group 'all' (the image is public).")


class SecretsManagerSecret(Tagged):
    secret_name: str | None = doc("Secret name.")
    kms_key_id: str | None = doc("KMS key that encrypts the secret (absent: the AWS managed aws/secretsmanager).")
    kms_cmk: bool | None = doc(
        "Encrypted with a customer managed KMS key (a kms_key_id that is not an alias/aws/ key)."
    )
    rotation_enabled: bool | None = doc(
        "Automatic rotation is configured (aws_secretsmanager_secret_rotation / RotationEnabled)."
    )
    policy: ResourcePolicy | None = doc("Facts derived from the secret's resource policy.")


class LambdaFunction(Tagged):
    function_name: str | None = doc("Function name.")
    policy: ResourcePolicy | None = doc(
        "Facts derived from the function's resource policy (every aws_lambda_permission; live: GetPolicy). "
        "Lambda: an Allow to a service principal without aws:SourceArn / aws:SourceAccount is public too."
    )
    url_configured: bool | None = doc("A function URL exists.")
    url_auth_type: str | None = doc("The function URL's auth type: AWS_IAM or NONE (anyone can call it).")
