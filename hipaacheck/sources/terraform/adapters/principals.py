"""IAM users, groups and roles -> iam_principal, with the managed policies attached to them.

A managed policy grants administrator rights when it is AWS managed AdministratorAccess or
IAMFullAccess, or a customer managed policy of this plan whose document does
(derive.policy_document: "*" on every resource, iam:* ...).

A managed policy reaches a principal through aws_iam_{user,group,role}_policy_attachment,
aws_iam_policy_attachment (users/groups/roles lists), the *_policy_attachments_exclusive
resources, or aws_iam_role.managed_policy_arns. Each attachment is folded onto its
principal when the principal is in this plan. An attachment whose principal is not in the
plan (an existing role named by a string), or cannot be pinned down before apply, still
decides a verdict: when it attaches an AWS managed administrator policy it fails on an
iam_principal at the attachment's own address, wherever it lands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ....derive.managed_policies import admin_managed_policy
from ....derive.policy_document import DocumentError, identity_policy_facts
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
    errors: list[str] = field(default_factory=list)  # an attached policy of the plan that cannot be read
    parts: list[PlanResource] = field(default_factory=list)

    def add(self, other: _Attached) -> None:
        self.arns += [a for a in other.arns if a not in self.arns]
        self.admin += [a for a in other.admin if a not in self.admin]
        self.unknown += other.unknown
        self.errors += other.errors
        self.parts += other.parts


_REFERENCE = re.compile(r"^aws_iam_policy\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)(?P<index>\[[^\]]+\])?")


class _CustomerPolicies:
    """Whether each aws_iam_policy of the plan grants administrator rights."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.verdicts: dict[str, tuple[str, str]] = {}  # address -> (admin|clean|unknown|error, why)
        self.by_arn: dict[str, PlanResource] = {}
        for policy in plan.of_type("aws_iam_policy"):
            arn = policy.raw.get("arn")
            if isinstance(arn, str) and arn:
                self.by_arn[arn] = policy
            document = policy.raw.get("policy")
            if document is UNKNOWN:
                self.verdicts[policy.address] = ("unknown", f"{policy.address}.policy is known only after apply")
                continue
            try:
                facts = identity_policy_facts(document if document is not None else "{}")
            except DocumentError as exc:
                self.verdicts[policy.address] = ("error", f"{policy.address}.policy: {exc}")
                continue
            self.verdicts[policy.address] = ("admin" if facts.allows_admin else "clean", policy.address)

    def referenced(self, source: PlanResource, attribute: str) -> list[PlanResource]:
        """The aws_iam_policy instances the expression may name, the most specific references first."""
        expression = self.plan.expressions(source).get(attribute)
        references = expression.get("references") if isinstance(expression, dict) else None
        exact: list[PlanResource] = []
        every: list[PlanResource] = []
        prefix = f"{source.module}." if source.module else ""
        for reference in references if isinstance(references, list) else []:
            match = _REFERENCE.match(reference) if isinstance(reference, str) else None
            if match is None:
                continue
            base = f"{prefix}aws_iam_policy.{match['name']}"
            instances = [p for p in self.plan.of_type("aws_iam_policy") if p.address.split("[")[0] == base]
            indexed = [p for p in instances if match["index"] and p.address == base + match["index"]]
            exact += indexed
            every += instances
        return exact or every

    def add(self, found: _Attached, candidates: list[PlanResource]) -> None:
        """Attach one of ``candidates`` (which one may be known only after apply)."""
        verdicts = [self.verdicts[c.address] for c in candidates if c.address in self.verdicts]
        if not verdicts:
            return
        kinds = {kind for kind, _ in verdicts}
        if kinds == {"admin"}:
            found.admin.append(verdicts[0][1])
        elif "error" in kinds:
            found.errors.append(next(why for kind, why in verdicts if kind == "error"))
        elif kinds != {"clean"}:
            found.unknown.append(
                next((why for kind, why in verdicts if kind == "unknown"), None)
                or f"which of {len(candidates)} policies is attached, some of them administrator, is known only after apply"
            )


def _policy_arns(
    plan: Plan, linker: Linker, customer: _CustomerPolicies, source: PlanResource, attribute: str
) -> _Attached:
    """The ARNs an attachment (or a role's managed_policy_arns) attaches."""
    found = _Attached()
    value = source.raw.get(attribute)
    if value is UNKNOWN:
        if attribute == "managed_policy_arns" and not plan.configured(source, attribute):
            return found  # not written: the provider reads back what is attached elsewhere
        # A customer managed policy of this plan has an ARN known only after apply.
        parent = linker.parent(source, attribute, ("aws_iam_policy",), ("arn",))
        if isinstance(parent, PlanResource):
            customer.add(found, [parent])
        elif _only_customer_policies(plan, source, attribute):
            customer.add(found, customer.referenced(source, attribute))
        else:
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
            elif item in customer.by_arn:
                customer.add(found, [customer.by_arn[item]])
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
    customer = _CustomerPolicies(plan)
    for role in plan.of_type("aws_iam_role"):
        attached[role.address].add(_policy_arns(plan, linker, customer, role, "managed_policy_arns"))
    resources: list[Resource] = []
    for attachment_type, (targets, policy_attribute) in _ATTACHMENTS.items():
        for attachment in plan.of_type(attachment_type):
            policies = _policy_arns(plan, linker, customer, attachment, policy_attribute)
            policies.parts.append(attachment)
            stray: list[str] = []
            undetermined = False
            for attribute, kind, many in targets:
                inside, outside, unsure = _targets(plan, linker, attachment, attribute, kind, many)
                for principal in inside:
                    attached[principal.address].add(policies)
                stray += [f"{kind} {name}" for name in outside]
                undetermined = undetermined or unsure
            if (stray or undetermined) and (policies.admin or policies.unknown or policies.errors):
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
    elif attached.errors:
        b.error("has_admin_managed_policy", attached.errors[0])
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
