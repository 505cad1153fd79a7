"""IAM users and roles, the AWS Config recorder and ACM certificates from a plan (issue 14, item 6).

What a plan cannot see is "not managed by this plan", so its checks are
skipped, never passed: an access key's age and last use, and a
certificate's expiry, are facts of the days after apply.
"""

from __future__ import annotations

from typing import Any

from ....derive.policy_document import DocumentError
from ....derive.trust_policy import trust_policy_facts
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved
from .account import _synthetic  # the same placeholder the account-level settings use
from .builder import Builder, known_str, to_bool
from .principals import _ATTACHMENTS, _targets

KEY_AGE_NOT_IN_PLAN = (
    "not managed by this plan: an access key's age and last use are facts of the days after apply "
    "(only a live scan reads them, from the IAM credential report)"
)
EXPIRY_NOT_IN_PLAN = (
    "not managed by this plan: ACM issues the certificate at apply and its expiry is a fact of a later "
    "day (only a live scan reads it, with DescribeCertificate)"
)
_LIVE_ONLY_USER_FIELDS = ("active_access_keys", "oldest_active_key_age_days", "stalest_credential_unused_days")
# inline policy resources naming one user: (type, attribute naming the user, attribute naming the policy)
_INLINE_USER = (("aws_iam_user_policy", "user"),)


def plan_account(plan: Plan) -> str | None:
    """The account the plan applies to, when the provider pins exactly one (allowed_account_ids)."""
    providers = plan.configuration.get("provider_config")
    provider = providers.get("aws") if isinstance(providers, dict) else None
    expressions = provider.get("expressions") if isinstance(provider, dict) else None
    allowed = expressions.get("allowed_account_ids") if isinstance(expressions, dict) else None
    value = allowed.get("constant_value") if isinstance(allowed, dict) else None
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
        return value[0]
    return None


def region_of(plan: Plan, resource: PlanResource) -> str | None:
    """The region of the provider configuration the resource uses, aliases included.

    PlanResource.provider_key comes from resource_changes, which names the provider but not
    its alias (aws.eu): the configuration block's provider_config_key does.
    """
    block = plan.config_resources.get(resource.config_key) or {}
    key = block.get("provider_config_key")
    return plan.provider_region(key if isinstance(key, str) else resource.provider_key)


def iam_roles(plan: Plan, linker: Linker) -> list[Resource]:
    own = plan_account(plan)
    fields = ("trust_public", "public_statements", "trusted_accounts", "cross_account_without_external_id")
    resources = []
    for role in plan.of_type("aws_iam_role"):
        b = Builder(plan, role, "iam_role")
        b.tags()
        b.take("role_name", "name", known_str)
        b.take("path", "path", known_str, default="/")
        document = role.raw.get("assume_role_policy")
        if document is UNKNOWN:
            for field in fields:
                b.unknown(field, f"{role.address}.assume_role_policy is known only after apply")
        else:
            try:
                facts = trust_policy_facts(document if document is not None else "{}", own)
            except DocumentError as exc:
                for field in fields:
                    b.error(field, f"{role.address}.assume_role_policy: {exc}")
            else:
                b.set("trust_public", facts.public)
                b.set("public_statements", list(facts.public_statements))
                b.set("trusted_accounts", list(facts.trusted_accounts))
                maybe_own = [a for a in facts.without_external_id if a in facts.undetermined_accounts]
                # At most one account is the plan's own: with two or more, some foreign one certainly
                # lacks an external id, whichever it is.
                if len(maybe_own) == 1:
                    b.unknown(
                        "cross_account_without_external_id",
                        f"whether account {maybe_own[0]} is the one this plan applies to is known only at apply "
                        "(pin it with the provider's allowed_account_ids)",
                    )
                else:
                    b.set("cross_account_without_external_id", list(facts.without_external_id))
                    if len(maybe_own) > 1:
                        b.notes["cross_account_without_external_id"] = (
                            "one of these may be the account this plan applies to, the others are foreign"
                        )
        resources.append(b.build(name=known_str(role.raw.get("name"))))
    return resources


def _policy_label(source: PlanResource, attribute: str) -> list[str]:
    value = source.raw.get(attribute)
    if isinstance(value, str) and value:
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return [str(v) for v in value]
    return [source.address]


def iam_users(plan: Plan, linker: Linker) -> list[Resource]:
    users = plan.of_type("aws_iam_user")
    direct: dict[str, list[str]] = {u.address: [] for u in users}
    parts: dict[str, list[PlanResource]] = {u.address: [] for u in users}
    undetermined: list[str] = []
    strays: list[tuple[PlanResource, list[str], list[str]]] = []
    sources: list[tuple[PlanResource, str, bool, str]] = [
        (a, attribute, many, policy_attribute)
        for attachment_type, (targets, policy_attribute) in _ATTACHMENTS.items()
        for attribute, kind, many in targets
        if kind == "user"
        for a in plan.of_type(attachment_type)
    ]
    sources += [(p, attribute, False, "name") for tf_type, attribute in _INLINE_USER for p in plan.of_type(tf_type)]
    for source, attribute, many, policy_attribute in sources:
        if many and not source.raw.get(attribute):
            continue  # aws_iam_policy_attachment with no users
        if source.raw.get(policy_attribute) == []:
            continue  # an exclusive attachment of no policies attaches none
        labels = _policy_label(source, policy_attribute)
        inside, outside, unsure = _targets(plan, linker, source, attribute, "user", many)
        for user in inside:
            direct[user.address] += [label for label in labels if label not in direct[user.address]]
            parts[user.address].append(source)
        if outside:
            strays.append((source, outside, labels))
        if unsure:
            undetermined.append(f"{source.address}.{attribute} names a user known only after apply")
    logins: set[str] = set()
    for profile in plan.of_type("aws_iam_user_login_profile"):
        parent = linker.parent(profile, "user", ("aws_iam_user",), ("name", "id"))
        if isinstance(parent, PlanResource):
            logins.add(parent.address)
        elif isinstance(parent, Unresolved):
            logins.update(c.address for c in parent.candidates)
    resources = []
    for user in users:
        b = Builder(plan, user, "iam_user")
        b.tags()
        b.take("user_name", "name", known_str)
        b.set("has_console_password", user.address in logins)
        for part in parts[user.address]:
            b.absorb(part)
        b.set("direct_policies", direct[user.address])
        if direct[user.address]:
            b.set("has_direct_policies", True)
        elif undetermined:
            b.unknown("has_direct_policies", undetermined[0])
        else:
            b.set("has_direct_policies", False)
        _live_only(b)
        resources.append(b.build(name=known_str(user.raw.get("name"))))
    for source, names, labels in strays:
        # A user outside this plan gets a policy of its own: a finding at the attachment, wherever it lands.
        b = Builder(plan, source, "iam_user")
        if len(names) == 1:
            b.set("user_name", names[0])
        b.set("direct_policies", labels)
        b.set("has_direct_policies", True)
        b.not_managed("has_console_password", "not managed by this plan (the user is outside it)")
        _live_only(b)
        resources.append(b.build(name=", ".join(names)))
    return resources


def _live_only(b: Builder) -> None:
    for field in _LIVE_ONLY_USER_FIELDS:
        b.not_managed(field, KEY_AGE_NOT_IN_PLAN)


def acm_certificates(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for certificate in plan.of_type("aws_acm_certificate"):
        b = Builder(plan, certificate, "acm_certificate")
        b.tags()
        b.take("domain_name", "domain_name", known_str)
        imported = certificate.raw.get("certificate_body") not in (None, "")
        private = certificate.raw.get("certificate_authority_arn") not in (None, "")
        b.set("certificate_type", "IMPORTED" if imported else ("PRIVATE" if private else "AMAZON_ISSUED"))
        for field in ("not_after", "days_until_expiry"):
            b.not_managed(field, EXPIRY_NOT_IN_PLAN)
        resources.append(b.build(name=known_str(certificate.raw.get("domain_name"))))
    return resources


def _status_of(plan: Plan, linker: Linker) -> tuple[dict[str, PlanResource], dict[str, str]]:
    """Recorder address -> its status resource; recorder address -> why its status is unknown."""
    found: dict[str, PlanResource] = {}
    unsure: dict[str, str] = {}
    recorders = plan.of_type("aws_config_configuration_recorder")
    for status in plan.of_type("aws_config_configuration_recorder_status"):
        # Recorder names repeat across regions ("default" everywhere): a status joins the one in its region.
        region = region_of(plan, status)
        same = [r for r in recorders if r.raw.get("name") == status.raw.get("name") and region_of(plan, r) == region]
        parent: PlanResource | Unresolved | None = (
            same[0]
            if len(same) == 1 and isinstance(status.raw.get("name"), str)
            else linker.parent(status, "name", ("aws_config_configuration_recorder",), ("name", "id"))
        )
        if isinstance(parent, PlanResource):
            found[parent.address] = status
        elif isinstance(parent, Unresolved):
            for candidate in parent.candidates:
                unsure[candidate.address] = parent.reason
    return found, unsure


def config_recorders(plan: Plan, linker: Linker) -> list[Resource]:
    statuses, unsure = _status_of(plan, linker)
    builders: list[Builder] = []
    global_votes: list[Any] = []
    regions: set[str | None] = set()
    for recorder in plan.of_type("aws_config_configuration_recorder"):
        b = Builder(plan, recorder, "config_recorder")
        region = region_of(plan, recorder)
        regions.add(region)
        b.set("region", region)
        b.take("name", "name", known_str)
        b.set("present", True)
        # AWS's defaults for a recorder without a recording group: every supported type, no global ones.
        every = b.take("all_supported", "recording_group.0.all_supported", to_bool, default=True, unset=True)
        glob = b.take(
            "include_global_resource_types",
            "recording_group.0.include_global_resource_types",
            to_bool,
            default=False,
            unset=False,
        )
        global_votes.append(UNKNOWN if UNKNOWN in (every, glob) else (every is True and glob is True))
        status = statuses.get(recorder.address)
        if status is not None:
            b.absorb(status, "recording")
            b.take("recording", "is_enabled", to_bool, source=status)
        elif recorder.address in unsure:
            b.unknown("recording", unsure[recorder.address])
        elif recorder.action in ("create", "replace"):
            b.set("recording", False)
            b.notes["recording"] = (
                "a new recorder starts stopped: this plan has no aws_config_configuration_recorder_status for it"
            )
        else:
            b.not_managed("recording", "not managed by this plan (it has no aws_config_configuration_recorder_status)")
        builders.append(b)
    resources = []
    for b in builders:
        if True in global_votes:
            b.set("global_types_recorded", True)
        elif UNKNOWN in global_votes:
            b.unknown("global_types_recorded", "a recorder's recording group is known only after apply")
        else:
            b.not_managed(
                "global_types_recorded",
                "not managed by this plan: no recorder of the plan records global resource types, and one "
                "outside it may",
            )
        resource = b.build(name=b.attrs.get("name"))
        resource.region = b.attrs.get("region")  # the aliased provider's region (see region_of)
        resources.append(resource)
    resources += _unmanaged_regions(plan, regions)
    return resources


def _unmanaged_regions(plan: Plan, managed: set[str | None]) -> list[Resource]:
    """Each provider region without a recorder in the plan: deleted (fail) or not managed (skipped)."""
    gone_by_region: dict[str | None, list[PlanResource]] = {}
    for gone in plan.deleted("aws_config_configuration_recorder", pure=True):
        gone_by_region.setdefault(region_of(plan, gone), []).append(gone)
    regions = set(gone_by_region) | {plan.provider_region("aws")}
    resources = []
    for region in sorted(r or "provider-default" for r in regions - managed):
        b = _synthetic(plan, "config_recorder", f"account/{region}/config-recorder")
        if region != "provider-default":
            b.set("region", region)
        deleted = gone_by_region.get(None if region == "provider-default" else region)
        if deleted:
            b.set("present", False)
            b.notes["present"] = "this plan deletes " + ", ".join(r.address for r in deleted)
            b.action = "delete"
            for field in ("all_supported", "include_global_resource_types", "recording", "global_types_recorded"):
                b.set(field, False)
        else:
            reason = "not managed by this plan (it has no aws_config_configuration_recorder)"
            for field in ("name", "present", "all_supported", "include_global_resource_types", "recording"):
                b.not_managed(field, reason)
            b.not_managed("global_types_recorded", reason)
        resource = b.build()
        resources.append(resource)
    return resources
