"""IAM users and roles as identities, the AWS Config recorder, and ACM certificates (issue 14, item 6).

Some facts only one side can see, and the docstrings say which: a plan
creates access keys and certificates now and cannot know their age or
expiry on a later day, so those fields are "not managed by this plan" there
(the checks are skipped, never passed); a live scan reads them from the
credential report and DescribeCertificate.
"""

from __future__ import annotations

from .base import Canonical, Tagged, doc


class IamUser(Tagged):
    """An IAM user: its credentials (live: the IAM credential report) and its directly attached policies.

    Plan and live: user_name, has_console_password, direct_policies, has_direct_policies.
    Live only: the access key and last-use ages. In a plan an access key is created at apply and
    its age and use are a matter of the days after it, which the plan cannot see: those fields
    are "not managed by this plan" (the checks are skipped there).
    """

    user_name: str | None = doc("User name.")
    has_console_password: bool | None = doc("The user can sign in to the console (a login profile).")
    active_access_keys: int | None = doc("Number of active access keys.")
    oldest_active_key_age_days: int | None = doc(
        "Days since the oldest active access key was created or last rotated (0 when the user has none). Live only."
    )
    stalest_credential_unused_days: int | None = doc(
        "Over the user's enabled credentials (console password, active access keys): the most days any of "
        "them has gone unused, counted from its last use or, never used, from its creation (0 when the "
        "user has none). Live only (credential report)."
    )
    direct_policies: list[str] | None = doc(
        "Policies attached to the user itself rather than through a group or role: managed policy ARNs "
        "(or the attaching resource's address in a plan) and inline policy names."
    )
    has_direct_policies: bool | None = doc("The user holds at least one directly attached or inline policy.")


class IamRole(Tagged):
    """An IAM role and what its trust policy (assume_role_policy) admits; read the same way from plans and live."""

    role_name: str | None = doc("Role name.")
    path: str | None = doc("Role path (/aws-service-role/ for service-linked roles).")
    trust_public: bool | None = doc(
        "The trust policy lets anyone assume the role: an Allow to Principal '*' / {AWS: '*'} (or with "
        "NotPrincipal) with no condition tying it to an organisation, account, principal or network; or a "
        "multi-tenant web identity provider (GitHub Actions OIDC without a fixed-owner 'sub', Cognito "
        "without 'aud') that any of its users can satisfy."
    )
    public_statements: list[str] | None = doc("Sids (or indexes) of the statements that make the trust public.")
    trusted_accounts: list[str] | None = doc("Other AWS accounts the trust policy names (12-digit ids).")
    cross_account_without_external_id: list[str] | None = doc(
        "Other accounts the role trusts with no sts:ExternalId condition (fixed value) and no "
        "aws:PrincipalOrgID condition: a third party can be tricked into acting for someone else (confused deputy)."
    )


class ConfigRecorder(Canonical):
    """The AWS Config configuration recorder of one region (AWS allows one customer recorder per region).

    A scanned region with none is a config_recorder with present false, so it fails instead of
    disappearing; in a plan, a region whose recorder the plan does not manage is "not managed".
    """

    region: str | None = doc("Region the recorder records.")
    name: str | None = doc("Recorder name.")
    present: bool | None = doc("A configuration recorder exists in the region.")
    all_supported: bool | None = doc("It records every supported resource type (recording_group.all_supported).")
    include_global_resource_types: bool | None = doc("It also records global resource types (IAM).")
    recording: bool | None = doc("The recorder is started (configuration recorder status).")
    global_types_recorded: bool | None = doc(
        "Some recorder of the account (among the scanned regions, or of the plan) that records every "
        "resource type also records global resource types: they need recording in one region."
    )


class AcmCertificate(Tagged):
    """An ACM certificate. Expiry is live only: a plan requests the certificate and it is issued at apply."""

    domain_name: str | None = doc("The certificate's primary domain name.")
    status: str | None = doc("ISSUED, PENDING_VALIDATION, EXPIRED, INACTIVE, REVOKED, FAILED, ...")
    certificate_type: str | None = doc("AMAZON_ISSUED, IMPORTED or PRIVATE.")
    in_use: bool | None = doc("Some AWS resource (load balancer, CloudFront, API Gateway) uses it.")
    not_after: str | None = doc("End of validity (ISO 8601). Live only.")
    days_until_expiry: int | None = doc("Whole days from the scan to not_after (negative once expired). Live only.")
