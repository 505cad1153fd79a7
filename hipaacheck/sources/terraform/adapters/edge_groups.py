"""How many ingress and egress rules security groups have (for the default-group check).

Inline blocks and separate rule resources both count. Terraform removes the
egress rule AWS puts on a new group (and every rule of an adopted
aws_default_security_group), so a group without blocks has none. A rule
whose group or direction is known only after apply leaves the count of each
group it may land on unknown: a count is never lower than what apply makes.
"""

from __future__ import annotations

from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved

_GROUP_TYPES = ("aws_security_group", "aws_default_security_group")


_SEPARATE = {
    "ingress": "aws_vpc_security_group_ingress_rule",
    "egress": "aws_vpc_security_group_egress_rule",
}


def _matches(rule: PlanResource, direction: str) -> bool | None:
    if rule.type != "aws_security_group_rule":
        return rule.type == _SEPARATE[direction]
    kind = rule.raw.get("type")
    return None if kind is UNKNOWN else kind == direction


def rule_counts(plan: Plan, linker: Linker, groups: list[PlanResource], direction: str) -> dict[str, int | str]:
    """Group address -> number of ``direction`` rules, or the reason it is known only after apply."""
    counts: dict[str, int | str] = {}
    for group in groups:
        inline = group.raw.get(direction)
        if inline is UNKNOWN:
            counts[group.address] = (
                f"{group.address}.{direction} is known only after apply" if plan.configured(group, direction) else 0
            )
        else:
            counts[group.address] = len(inline) if isinstance(inline, list) else 0
    for rule in plan.of_type("aws_security_group_rule", _SEPARATE[direction]):
        matching = _matches(rule, direction)
        if matching is False:
            continue
        parent = linker.parent(rule, "security_group_id", _GROUP_TYPES, ("id",))
        targets = parent.candidates if isinstance(parent, Unresolved) else (parent,) if parent is not None else ()
        for target in targets:
            current = counts.get(target.address)
            if current is None or isinstance(current, str):
                continue
            if matching is None or isinstance(parent, Unresolved):
                counts[target.address] = f"{rule.address} may add an {direction} rule here (known only after apply)"
            else:
                counts[target.address] = current + 1
    return counts
