"""IAM users, groups and roles -> iam_principal, with the managed policies attached to them.

A managed policy reaches a principal through aws_iam_{user,group,role}_policy_attachment,
aws_iam_policy_attachment (users/groups/roles lists), the *_policy_attachments_exclusive
resources, or aws_iam_role.managed_policy_arns. Each attachment is folded onto its
principal when the principal is in this plan. An attachment whose principal is not in the
plan (an existing role named by a string), or cannot be pinned down before apply, still
decides a verdict: when it attaches an AWS managed administrator policy it fails on an
iam_principal at the attachment's own address, wherever it lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ....derive.managed_policies import admin_managed_policy
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved
from .builder import Builder, known_str

_PRINCIPALS = {"aws_iam_user": "user", "aws_iam_group": "group", "aws_iam_role": "role"}
_BY_KIND = {kind: resource_type for resource_type, kind in _PRINCIPALS.items()}

# attachment type -> ((attribute naming principals, principal kind, is a list), ...), policy ARN attribute
_ATTACHMENTS: dict[str, tuple[tuple[tuple[str, str, bool], ...], str]] = {
    "aws_iam_user_policy_attachment": ((("user", "user", False),), "policy_arn"),
    "aws_iam_group_policy_attachment": ((("group", "group", False),), "policy_arn"),
    "aws_iam_role_policy_attachment": ((("role", "role", False),), "policy_arn"),
    "aws_iam_policy_attachment": (
        (("users", "user", True), ("groups", "group", True), ("roles", "role", True)),
        "policy_arn",
    ),
    "aws_iam_user_policy_attachments_exclusive": ((("user_name", "user", False),), "policy_arns"),
    "aws_iam_group_policy_attachments_exclusive": ((("group_name", "group", False),), "policy_arns"),
    "aws_iam_role_policy_attachments_exclusive": ((("role_name", "role", False),), "policy_arns"),
}


@dataclass
class _Attached:
    """What is known of the managed policies attached to one principal."""

    arns: list[str] = field(default_factory=list)
    admin: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # why some attached ARN is known only after apply
    parts: list[PlanResource] = field(default_factory=list)

    def add(self, other: _Attached) -> None:
        self.arns += [a for a in other.arns if a not in self.arns]
        self.admin += [a for a in other.admin if a not in self.admin]
        self.unknown += other.unknown
        self.parts += other.parts


def _policy_arns(plan: Plan, linker: Linker, source: PlanResource, attribute: str) -> _Attached:
    """The ARNs an attachment (or a role's managed_policy_arns) attaches."""
    found = _Attached()
    value = source.raw.get(attribute)
    if value is UNKNOWN:
        if attribute == "managed_policy_arns" and not plan.configured(source, attribute):
            return found  # not written: the provider reads back what is attached elsewhere
        # A customer managed policy of this plan has an ARN known only after apply, and is
        # checked on its own (iam-policy-no-admin); it is never an AWS managed one.
        parent = linker.parent(source, attribute, ("aws_iam_policy",), ("arn",))
        if not isinstance(parent, PlanResource) and not _only_customer_policies(plan, source, attribute):
            found.unknown.append(f"{source.address}.{attribute} is known only after apply")
        return found
    values = value if isinstance(value, list) else [value]
    for i, item in enumerate(values):
        path = f"{attribute}.{i}" if isinstance(value, list) else attribute
        if item is None and source.raw.is_unknown(path):
            found.unknown.append(f"{source.address}.{attribute} holds an ARN known only after apply")
        elif isinstance(item, str) and item:
            found.arns.append(item)
            name = admin_managed_policy(item)
            if name is not None:
                found.admin.append(name)
    return found


def _only_customer_policies(plan: Plan, source: PlanResource, attribute: str) -> bool:
    """Every reference in the expression is to an aws_iam_policy of this module.

    Then the value, whichever instance it names, is a customer managed policy's ARN: the
    verdict does not depend on which one (aws_iam_policy.case[each.key].arn).
    """
    expression = plan.expressions(source).get(attribute)
    references = expression.get("references") if isinstance(expression, dict) else None
    return (
        isinstance(references, list)
        and bool(references)
        and all(isinstance(r, str) and r.startswith("aws_iam_policy.") for r in references)
    )


def _targets(
    plan: Plan, linker: Linker, attachment: PlanResource, attribute: str, kind: str, many: bool
) -> tuple[list[PlanResource], list[str], bool]:
    """(principals of this plan, names of principals outside it, some target is undetermined)."""
    principal_type = _BY_KIND[kind]
    if not many:
        parent = linker.parent(attachment, attribute, (principal_type,), ("name", "id", "arn"))
        if isinstance(parent, PlanResource):
            return [parent], [], False
        if isinstance(parent, Unresolved):
            return [], [], True
        name = known_str(attachment.raw.get(attribute))
        return [], [name] if name else [], False
    value = attachment.raw.get(attribute)
    if value is UNKNOWN or (isinstance(value, list) and attachment.raw.is_unknown(attribute)):
        return [], [], True
    inside: list[PlanResource] = []
    outside: list[str] = []
    by_name = {r.raw.get("name"): r for r in plan.of_type(principal_type) if isinstance(r.raw.get("name"), str)}
    for item in value if isinstance(value, list) else []:
        if isinstance(item, str) and item in by_name:
            inside.append(by_name[item])
        elif isinstance(item, str) and item:
            outside.append(item)
    return inside, outside, False


def iam_principals(plan: Plan, linker: Linker) -> list[Resource]:
    principals = plan.of_type(*_PRINCIPALS)
    attached: dict[str, _Attached] = {p.address: _Attached() for p in principals}
    for role in plan.of_type("aws_iam_role"):
        attached[role.address].add(_policy_arns(plan, linker, role, "managed_policy_arns"))
    resources: list[Resource] = []
    for attachment_type, (targets, policy_attribute) in _ATTACHMENTS.items():
        for attachment in plan.of_type(attachment_type):
            policies = _policy_arns(plan, linker, attachment, policy_attribute)
            policies.parts.append(attachment)
            stray: list[str] = []
            undetermined = False
            for attribute, kind, many in targets:
                inside, outside, unsure = _targets(plan, linker, attachment, attribute, kind, many)
                for principal in inside:
                    attached[principal.address].add(policies)
                stray += [f"{kind} {name}" for name in outside]
                undetermined = undetermined or unsure
            if (stray or undetermined) and (policies.admin or policies.unknown):
                resources.append(_stray(plan, attachment, policies, stray))
    for principal in principals:
        b = Builder(plan, principal, "iam_principal")
        b.set("principal_type", _PRINCIPALS[principal.type])
        b.take("principal_name", "name", known_str)
        _fill(b, attached[principal.address])
        resources.append(b.build(name=known_str(principal.raw.get("name"))))
    return resources


def _fill(b: Builder, attached: _Attached) -> None:
    for part in attached.parts:
        b.absorb(part)
    b.set("managed_policy_arns", attached.arns)
    b.set("admin_managed_policies", attached.admin)
    if attached.admin:
        b.set("has_admin_managed_policy", True)  # a known administrator policy settles it
    elif attached.unknown:
        b.unknown("has_admin_managed_policy", attached.unknown[0])
    else:
        b.set("has_admin_managed_policy", False)


def _stray(plan: Plan, attachment: PlanResource, policies: _Attached, names: list[str]) -> Resource:
    """An attachment to principals outside this plan (or not yet known) as a principal of its own."""
    b = Builder(plan, attachment, "iam_principal")
    if len(names) == 1:
        kind, _, name = names[0].partition(" ")
        b.set("principal_type", kind)
        b.set("principal_name", name)
    _fill(b, policies)
    shown: Any = ", ".join(names) if names else None
    return b.build(name=shown)
