"""Account- and region-level settings a plan may manage.

A plan is a change, not the whole account: a setting it does not manage is
"not managed" (the policy is skipped with that reason), never a failure.
"""

from __future__ import annotations

from typing import Any

from ....derive.service_defaults import SERVICE_DEFAULTS
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker
from .builder import SOURCE, Builder, to_bool, to_int

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


def accounts(plan: Plan, linker: Linker) -> list[Resource]:
    b = _synthetic(plan, "account", ACCOUNT_ADDRESS)
    policy = _first(plan, "aws_iam_account_password_policy")
    if policy is None:
        b.not_managed("password_policy", "not managed by this plan (it has no aws_iam_account_password_policy)")
    else:
        b.absorb(policy, "password_policy")
        for field, (raw_path, convert) in _PASSWORD_FIELDS.items():
            if field == "max_age_days":
                b.take_or_default(
                    f"password_policy.{field}", raw_path, convert, SERVICE_DEFAULTS["iam.max_password_age"], source=policy
                )
            else:
                b.take(f"password_policy.{field}", raw_path, convert, source=policy)
    block = _first(plan, "aws_s3_account_public_access_block")
    if block is None:
        b.not_managed(
            "s3_public_access_block", "not managed by this plan (it has no aws_s3_account_public_access_block)"
        )
    else:
        b.absorb(block)
        values = [b.take(f"s3_public_access_block.{f}", f, to_bool, default=False, source=block) for f in _PAB_FLAGS]
        b.set("s3_public_access_block.all_enabled", UNKNOWN if UNKNOWN in values else all(v is True for v in values))
    trails = plan.of_type("aws_cloudtrail")
    if not trails:
        b.not_managed("multi_region_trail_logging", "not managed by this plan (it has no aws_cloudtrail)")
    else:
        for trail in trails:
            b.absorb(trail)
        verdicts = [_multi_region_logging(t) for t in trails]
        b.set("multi_region_trail_logging", True if True in verdicts else UNKNOWN if UNKNOWN in verdicts else False)
    for field in ("root_mfa_enabled", "root_access_keys_present", "console_users_without_mfa"):
        b.not_managed(field, "not visible in a plan; only a live account scan can read it")
    resource = b.build()
    resource.source = SOURCE
    return [resource]


def _multi_region_logging(trail: PlanResource) -> Any:
    values = [
        to_bool(trail.raw.get(p)) for p in ("is_multi_region_trail", "enable_logging", "include_global_service_events")
    ]
    if UNKNOWN in values:
        return UNKNOWN
    multi, logging, global_events = values
    return multi is True and logging is not False and global_events is not False


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
        builder(setting).absorb(setting)
        builder(setting).take("ebs_encryption_by_default", "enabled", to_bool, default=True, source=setting)
    for detector in plan.of_type("aws_guardduty_detector"):
        builder(detector).absorb(detector)
        builder(detector).take("guardduty_enabled", "enable", to_bool, default=True, source=detector)
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
        resources.append(b.build())
    return resources
