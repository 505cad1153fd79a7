"""KMS keys, IAM policies, and account- and region-level settings."""

from __future__ import annotations

from .base import Canonical, Tagged, doc
from .copies_secrets import ResourcePolicy


class KmsKey(Tagged):
    enabled: bool | None = doc("The key is enabled.")
    key_state: str | None = doc("Enabled, Disabled, PendingDeletion, ...")
    rotation_enabled: bool | None = doc("Automatic yearly rotation enabled.")
    key_spec: str | None = doc("SYMMETRIC_DEFAULT, RSA_2048, ... (rotation applies to symmetric keys).")
    key_usage: str | None = doc("ENCRYPT_DECRYPT, SIGN_VERIFY, ...")
    deletion_window_days: int | None = doc("Waiting period before deletion.")
    origin: str | None = doc(
        "Where the key material lives: AWS_KMS, EXTERNAL (imported), AWS_CLOUDHSM or EXTERNAL_KEY_STORE "
        "(custom key stores). Only AWS_KMS keys can rotate automatically."
    )
    policy: ResourcePolicy | None = doc("Facts derived from the key policy (KMS answers only over HTTPS: no TLS fact).")


class IamPolicy(Canonical):
    policy_name: str | None = doc("Policy name.")
    kind: str | None = doc("managed, role-inline, user-inline or group-inline.")
    attached_to: str | None = doc("Role, user or group an inline policy belongs to.")
    allows_admin: bool | None = doc(
        "An Allow statement grants administrator rights: Action '*' on every resource (Resource '*' or "
        "NotResource), 'iam:*' on every resource (it can grant itself anything), or NotAction on every "
        "resource that leaves IAM actions allowed."
    )
    admin_statements: list[str] | None = doc("Sids (or indexes) of the statements granting administrator rights.")
    allows_not_action: bool | None = doc("An Allow statement uses NotAction (grants all but a list).")


class IamPrincipal(Canonical):
    """An IAM user, group or role, with the managed policies attached to it."""

    principal_type: str | None = doc("user, group or role.")
    principal_name: str | None = doc("User, group or role name.")
    managed_policy_arns: list[str] | None = doc("ARNs of the managed policies attached to it.")
    admin_managed_policies: list[str] | None = doc(
        "Attached managed policies that grant administrator rights: AWS managed AdministratorAccess or "
        "IAMFullAccess by name, customer managed ones (allows_admin) by name (live) or address (plan)."
    )
    has_admin_managed_policy: bool | None = doc("An attached managed policy grants administrator rights.")


class PasswordPolicy(Canonical):
    minimum_length: int | None = doc("Minimum password length.")
    require_symbols: bool | None = doc("Require at least one symbol.")
    require_numbers: bool | None = doc("Require at least one number.")
    require_uppercase: bool | None = doc("Require at least one uppercase letter.")
    require_lowercase: bool | None = doc("Require at least one lowercase letter.")
    reuse_prevention: int | None = doc("Number of previous passwords that cannot be reused.")
    max_age_days: int | None = doc("Days a password is valid; absent = never expires.")


class AccountPublicAccessBlock(Canonical):
    block_public_acls: bool | None = doc("Block new public ACLs account-wide.")
    ignore_public_acls: bool | None = doc("Ignore public ACLs account-wide.")
    block_public_policy: bool | None = doc("Block public bucket policies account-wide.")
    restrict_public_buckets: bool | None = doc("Restrict public buckets account-wide.")
    all_enabled: bool | None = doc("All four settings are true.")


class Account(Canonical):
    """Account-wide settings. In a plan, a setting the plan does not manage is not evaluated."""

    password_policy: PasswordPolicy | None = doc("IAM account password policy; absent = none set.")
    s3_public_access_block: AccountPublicAccessBlock | None = doc("Account-level S3 Block Public Access.")
    multi_region_trail_logging: bool | None = doc(
        "At least one multi-region CloudTrail trail with global service events is logging and records "
        "every management event (read and write)."
    )
    root_mfa_enabled: bool | None = doc("The root user has MFA (live accounts only).")
    root_access_keys_present: bool | None = doc("The root user has access keys (live accounts only).")
    console_users_without_mfa: list[str] | None = doc("IAM users with a console password and no MFA.")


class AccountRegion(Canonical):
    """Per-region account settings."""

    region: str | None = doc("Region name.")
    ebs_encryption_by_default: bool | None = doc("New EBS volumes are encrypted by default.")
    guardduty_enabled: bool | None = doc("A GuardDuty detector is enabled in the region.")
    securityhub_enabled: bool | None = doc("Security Hub is enabled (subscribed) in the region.")
