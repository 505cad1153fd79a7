"""KMS keys, IAM policies, and account- and region-level settings."""

from __future__ import annotations

from .base import Canonical, Tagged, doc


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


class IamPolicy(Canonical):
    policy_name: str | None = doc("Policy name.")
    kind: str | None = doc("managed, role-inline, user-inline or group-inline.")
    attached_to: str | None = doc("Role, user or group an inline policy belongs to.")
    allows_admin: bool | None = doc("An Allow statement grants Action '*' on Resource '*'.")
    admin_statements: list[str] | None = doc("Sids (or indexes) of the statements granting '*' on '*'.")
    allows_not_action: bool | None = doc("An Allow statement uses NotAction (grants all but a list).")


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
