"""Account- and region-level settings a plan may manage.

A plan is a change, not the whole account: a setting it does not manage is
"not managed" (the policy is skipped with that reason), never a failure.
"""

from __future__ import annotations

from typing import Any

from ....derive.cloudtrail import account_shortfall, management_events, protects_account, shortfall_note
from ....derive.service_defaults import SERVICE_DEFAULTS
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker
from .builder import SOURCE, Builder, Malformed, to_bool, to_int
from .logs import trail_selectors

ACCOUNT_ADDRESS = "account"

_PASSWORD_FIELDS = {
    "minimum_length": ("minimum_password_length", to_int),
    "require_symbols": ("require_symbols", to_bool),
    "require_numbers": ("require_numbers", to_bool),
    "require_uppercase": ("require_uppercase_characters", to_bool),
    "require_lowercase": ("require_lowercase_characters", to_bool),
    "reuse_prevention": ("password_reuse_prevention", to_int),
    "max_age_days": ("max_password_age", to_int),
}
_PAB_FLAGS = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")


def _synthetic(plan: Plan, type_name: str, address: str) -> Builder:
    placeholder = PlanResource(address, "", type_name, address, None, None, _EMPTY_RAW, "aws")
    return Builder(plan, placeholder, type_name, address)


class _EmptyRaw:
    after: Any = None
    problem: str | None = None

    def get(self, path: str) -> Any:
        return None

    def is_unknown(self, path: str, partial: bool = True) -> bool:
        return False

    def is_sensitive(self, path: str) -> bool:
        return False


_EMPTY_RAW: Any = _EmptyRaw()


def _first(plan: Plan, tf_type: str) -> PlanResource | None:
    found = plan.of_type(tf_type)
    return found[0] if found else None


def _deleted(plan: Plan, tf_type: str) -> str | None:
    """'this plan deletes X' when the plan deletes (not replaces) every resource of a safeguard's type."""
    if plan.of_type(tf_type):
        return None
    gone = plan.deleted(tf_type, pure=True)
    if not gone:
        return None
    return "this plan deletes " + ", ".join(r.address for r in gone)


def accounts(plan: Plan, linker: Linker) -> list[Resource]:
    b = _synthetic(plan, "account", ACCOUNT_ADDRESS)
    policy = _first(plan, "aws_iam_account_password_policy")
    if policy is None:
        deleted = _deleted(plan, "aws_iam_account_password_policy")
        if deleted:
            # Deleting the policy leaves the account with none: every requirement is "not set".
            b.notes["password_policy"] = deleted
            b.action = "delete"
        else:
            b.not_managed("password_policy", "not managed by this plan (it has no aws_iam_account_password_policy)")
    else:
        b.absorb(policy, "password_policy")
        for field, (raw_path, convert) in _PASSWORD_FIELDS.items():
            if field == "max_age_days":
                b.take_or_default(
                    f"password_policy.{field}",
                    raw_path,
                    convert,
                    SERVICE_DEFAULTS["iam.max_password_age"],
                    source=policy,
                )
            else:
                b.take(f"password_policy.{field}", raw_path, convert, source=policy)
    block = _first(plan, "aws_s3_account_public_access_block")
    if block is None:
        deleted = _deleted(plan, "aws_s3_account_public_access_block")
        if deleted:
            for flag in (*_PAB_FLAGS, "all_enabled"):
                b.set(f"s3_public_access_block.{flag}", False)
            b.notes["s3_public_access_block"] = deleted
            b.action = "delete"
        else:
            b.not_managed(
                "s3_public_access_block", "not managed by this plan (it has no aws_s3_account_public_access_block)"
            )
    else:
        b.absorb(block, "s3_public_access_block")
        values = [b.take(f"s3_public_access_block.{f}", f, to_bool, default=False, source=block) for f in _PAB_FLAGS]
        if "s3_public_access_block" not in b.gaps:
            all_on = UNKNOWN if UNKNOWN in values else all(v is True for v in values)
            b.set("s3_public_access_block.all_enabled", all_on)
    _trails(plan, b)
    for field in ("root_mfa_enabled", "root_access_keys_present", "console_users_without_mfa"):
        b.not_managed(field, "not visible in a plan; only a live account scan can read it")
    resource = b.build()
    resource.source = SOURCE
    return [resource]


def _trails(plan: Plan, b: Builder) -> None:
    field = "multi_region_trail_logging"
    trails = plan.of_type("aws_cloudtrail")
    if not trails:
        deleted = _deleted(plan, "aws_cloudtrail")
        if deleted:
            b.set(field, False)
            b.notes[field] = deleted
            b.action = "delete"
        else:
            b.not_managed(field, "not managed by this plan (it has no aws_cloudtrail)")
        return
    for trail in trails:
        b.absorb(trail, field)
    if field in b.gaps:  # a trail whose values cannot be read
        return
    verdicts = []
    for trail in trails:
        try:
            verdicts.append(_multi_region_logging(trail))
        except Malformed as exc:
            verdicts.append(UNKNOWN)
            b.error(field, f"malformed value in the plan ({trail.address}.{exc})")
    if True in verdicts:
        b.gaps.pop(field, None)
        b.set(field, True)
    elif field not in b.gaps:
        b.set(field, UNKNOWN if UNKNOWN in verdicts else False)
        gone = plan.deleted("aws_cloudtrail", pure=True)
        if gone and UNKNOWN not in verdicts:
            b.notes[field] = "this plan deletes " + ", ".join(r.address for r in gone)
        elif UNKNOWN not in verdicts:
            b.notes[field] = shortfall_note([(t.address, _shortfall(t)) for t in trails])


def _shortfall(trail: PlanResource) -> str:
    multi, logging, global_events = (
        to_bool(trail.raw.get(p)) for p in ("is_multi_region_trail", "enable_logging", "include_global_service_events")
    )
    parsed = trail_selectors(trail)
    management = None if parsed is UNKNOWN else management_events(*parsed)
    return account_shortfall(multi, logging is not False, global_events is not False, management)


def _multi_region_logging(trail: PlanResource) -> Any:
    values = [
        to_bool(trail.raw.get(p)) for p in ("is_multi_region_trail", "enable_logging", "include_global_service_events")
    ]
    management = trail_selectors(trail)
    if UNKNOWN in values or management is UNKNOWN:
        return UNKNOWN
    multi, logging, global_events = values
    # Terraform's defaults: enable_logging and include_global_service_events are true when unset.
    return protects_account(multi, logging is not False, global_events is not False, management_events(*management))


def account_regions(plan: Plan, linker: Linker) -> list[Resource]:
    by_region: dict[str, Builder] = {}

    def builder(resource: PlanResource) -> Builder:
        region = plan.provider_region(resource.provider_key) or "provider-default"
        if region not in by_region:
            by_region[region] = _synthetic(plan, "account_region", f"account/{region}")
            if region != "provider-default":
                by_region[region].set("region", region)
        return by_region[region]

    for setting in plan.of_type("aws_ebs_encryption_by_default"):
        builder(setting).take("ebs_encryption_by_default", "enabled", to_bool, default=True, source=setting)
        builder(setting).absorb(setting, "ebs_encryption_by_default")
    for detector in plan.of_type("aws_guardduty_detector"):
        builder(detector).take("guardduty_enabled", "enable", to_bool, default=True, source=detector)
        builder(detector).absorb(detector, "guardduty_enabled")
    for hub in plan.of_type("aws_securityhub_account"):
        builder(hub).set("securityhub_enabled", True)  # the resource is the subscription itself
        builder(hub).absorb(hub, "securityhub_enabled")
    # Deleting the resource turns the safeguard off (the provider disables EBS default encryption and
    # deletes the detector): that is a failure of the safeguard, not "not managed".
    for tf_type, field in (
        ("aws_ebs_encryption_by_default", "ebs_encryption_by_default"),
        ("aws_guardduty_detector", "guardduty_enabled"),
        ("aws_securityhub_account", "securityhub_enabled"),
    ):
        for gone in plan.deleted(tf_type, pure=True):
            target = builder(gone)
            if field in target.attrs or field in target.gaps:
                continue  # another resource in the plan manages the setting in that region
            target.set(field, False)
            target.notes[field] = f"this plan deletes {gone.address}"
            target.action = "delete"
    if not by_region:
        region = plan.provider_region("aws") or "provider-default"
        by_region[region] = _synthetic(plan, "account_region", f"account/{region}")
    resources = []
    for b in by_region.values():
        if "ebs_encryption_by_default" not in b.attrs and "ebs_encryption_by_default" not in b.gaps:
            b.not_managed(
                "ebs_encryption_by_default", "not managed by this plan (it has no aws_ebs_encryption_by_default)"
            )
        if "guardduty_enabled" not in b.attrs and "guardduty_enabled" not in b.gaps:
            b.not_managed("guardduty_enabled", "not managed by this plan (it has no aws_guardduty_detector)")
        if "securityhub_enabled" not in b.attrs and "securityhub_enabled" not in b.gaps:
            b.not_managed("securityhub_enabled", "not managed by this plan (it has no aws_securityhub_account)")
        resources.append(b.build())
    return resources
