"""Security groups (inline rules and separate rule resources) and load-balancer listeners."""

from __future__ import annotations

from typing import Any

from ....derive.network import BadAddress, Exposure, internet_exposure
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved, describe
from .builder import Builder, Malformed, known_str, string_list, to_bool, to_int
from .edge_groups import rule_counts

_RULE_TYPES = ("aws_security_group_rule", "aws_vpc_security_group_ingress_rule")


def _one(value: Any, what: str) -> list[str]:
    if value is None or value is UNKNOWN:  # an unknown source group does not widen internet exposure
        return []
    if not isinstance(value, str):
        raise Malformed(f"{what} is not a string")
    return [value]


def _port(value: Any, what: str) -> int | None:
    port = to_int(value)
    if port is not None and (not isinstance(port, int) or isinstance(port, bool)):
        raise Malformed(f"{what} is not a port number")
    return port


def _protocol(value: Any, what: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):  # Terraform writes names and numbers alike as strings ("tcp", "6", "-1")
        raise Malformed(f"{what} is not a protocol name or number")
    return value


def _inline_rule(rule: dict[str, Any], origin: str) -> dict[str, Any]:
    return {
        "protocol": _protocol(rule.get("protocol"), f"{origin}.protocol"),
        "from_port": _port(rule.get("from_port"), f"{origin}.from_port"),
        "to_port": _port(rule.get("to_port"), f"{origin}.to_port"),
        "cidr_ipv4": string_list(rule.get("cidr_blocks"), f"{origin}.cidr_blocks"),
        "cidr_ipv6": string_list(rule.get("ipv6_cidr_blocks"), f"{origin}.ipv6_cidr_blocks"),
        "source_security_groups": string_list(rule.get("security_groups"), f"{origin}.security_groups"),
        "origin": origin,
    }


def _separate_rule(rule: PlanResource) -> dict[str, Any] | None:
    """A rule resource as a canonical rule; None for egress rules."""
    raw = rule.raw
    if rule.type == "aws_security_group_rule":
        if raw.get("type") != "ingress":
            return None
        parsed = _inline_rule(raw.after, rule.address)
        parsed["source_security_groups"] = _one(raw.get("source_security_group_id"), f"{rule.address}.source")
        return parsed
    return {
        "protocol": _protocol(raw.get("ip_protocol"), f"{rule.address}.ip_protocol"),
        "from_port": _port(raw.get("from_port"), f"{rule.address}.from_port"),
        "to_port": _port(raw.get("to_port"), f"{rule.address}.to_port"),
        "cidr_ipv4": _one(raw.get("cidr_ipv4"), f"{rule.address}.cidr_ipv4"),
        "cidr_ipv6": _one(raw.get("cidr_ipv6"), f"{rule.address}.cidr_ipv6"),
        "source_security_groups": [],
        "origin": rule.address,
    }


def _rule_unknown(rule: PlanResource) -> bool:
    paths = (
        "cidr_blocks",
        "ipv6_cidr_blocks",
        "cidr_ipv4",
        "cidr_ipv6",
        "from_port",
        "to_port",
        "protocol",
        "ip_protocol",
        "type",
    )
    return any(rule.raw.is_unknown(p) for p in paths)


_GROUP_TYPES = ("aws_security_group", "aws_default_security_group")


def security_groups(plan: Plan, linker: Linker) -> list[Resource]:
    groups = plan.of_type(*_GROUP_TYPES)
    rule_resources = plan.of_type(*_RULE_TYPES)
    if not groups and not rule_resources:
        return []
    rules: dict[str, list[dict[str, Any]]] = {g.address: [] for g in groups}
    parts: dict[str, list[PlanResource]] = {g.address: [] for g in groups}
    undetermined: dict[str, str] = {}
    malformed: dict[str, str] = {}
    for group in groups:
        inline = group.raw.get("ingress")
        if inline is UNKNOWN:
            if plan.configured(group, "ingress"):
                undetermined[group.address] = f"{group.address}.ingress is known only after apply"
            continue
        try:
            if inline is not None and not isinstance(inline, list):
                raise Malformed(f"{group.address}.ingress is not a list of rules")
            for rule in inline or []:
                if not isinstance(rule, dict):
                    raise Malformed(f"{group.address}.ingress holds a rule that is not a block")
                rules[group.address].append(_inline_rule(rule, f"{group.address}.ingress"))
        except Malformed as exc:
            malformed.setdefault(group.address, str(exc))
    unpinned: list[tuple[PlanResource, Unresolved]] = []
    for rule in rule_resources:
        parent = linker.parent(rule, "security_group_id", _GROUP_TYPES, ("id",))
        if isinstance(parent, Unresolved):
            if len(parent.candidates) != 1:
                unpinned.append((rule, parent))
                continue
            # The only group within the rule's reach: more exposure never turns a failure into a pass.
            parent = parent.candidates[0]
        if parent is None:
            continue
        parts[parent.address].append(rule)
        if _rule_unknown(rule):
            undetermined.setdefault(parent.address, f"{rule.address} has ports or sources known only after apply")
            continue
        try:
            parsed = _separate_rule(rule)
        except Malformed as exc:
            malformed.setdefault(parent.address, str(exc))
            continue
        if parsed is not None:
            rules[parent.address].append(parsed)
    maybe: dict[str, list[tuple[PlanResource, dict[str, Any] | None]]] = {g.address: [] for g in groups}
    resources = [_unpinned_rule(plan, rule, unresolved, maybe) for rule, unresolved in unpinned]
    counts = {d: rule_counts(plan, linker, groups, d) for d in ("ingress", "egress")}
    for group in groups:
        b = Builder(plan, group, "security_group")
        for part in parts[group.address]:
            b.absorb(part)
        b.tags()
        b.take("group_name", "name", known_str)
        b.take("vpc_id", "vpc_id", known_str)
        b.set("is_default", group.type == "aws_default_security_group")
        for direction, by_group in counts.items():
            count = by_group.get(group.address)
            if isinstance(count, str):
                b.unknown(f"{direction}_rule_count", count)
            else:
                b.set(f"{direction}_rule_count", count)
        b.set("ingress", rules[group.address])
        exposure = Exposure([], False)
        try:
            exposure = internet_exposure(rules[group.address])
        except BadAddress as exc:
            malformed.setdefault(group.address, f"{group.address}: {exc}")
        reason = undetermined.get(group.address) or _could_widen(rules[group.address], exposure, maybe[group.address])
        if group.address in malformed:
            problem = f"malformed value in the plan ({malformed[group.address]})"
            b.error("internet_exposed_ports", problem)
            b.error("internet_all_traffic", problem)
            b.error("ingress", problem)
        elif reason and not exposure.all_traffic:
            # Known rules may already expose ports; the unknown ones could add more.
            b.unknown("internet_exposed_ports", reason)
            b.unknown("internet_all_traffic", reason)
        else:
            b.set("internet_exposed_ports", exposure.ports)
            b.set("internet_all_traffic", exposure.all_traffic)
        resources.append(b.build(name=known_str(group.raw.get("name"))))
    return [r for r in resources if r is not None]


def _unpinned_rule(
    plan: Plan,
    rule: PlanResource,
    unresolved: Unresolved,
    maybe: dict[str, list[tuple[PlanResource, dict[str, Any] | None]]],
) -> Resource | None:
    """A rule whose group cannot be pinned down before apply.

    Each candidate group it could widen (its sources count together with the
    group's own: two rules of /1 each are the internet) is undetermined, and
    nothing else. A rule that opens a watched port to the internet by itself
    fails wherever it lands: it is reported as a group of its own address,
    whose name lists the candidates.
    """
    unknown = _rule_unknown(rule)
    try:
        parsed = None if unknown else _separate_rule(rule)
        alone = internet_exposure([parsed]) if parsed is not None else None
    except (Malformed, BadAddress) as exc:
        return _rule_as_group(plan, rule, unresolved, None, f"malformed value in the plan ({exc})")
    if parsed is None and not unknown:
        return None  # an egress rule
    for candidate in unresolved.candidates:
        if candidate.address in maybe:
            maybe[candidate.address].append((rule, parsed))
    if alone is not None and not alone.ports and not alone.all_traffic:
        return None  # opens nothing by itself; what it adds to a candidate is judged there
    return _rule_as_group(plan, rule, unresolved, parsed, None)


def _rule_as_group(
    plan: Plan, rule: PlanResource, unresolved: Unresolved, parsed: dict[str, Any] | None, problem: str | None
) -> Resource:
    b = Builder(plan, rule, "security_group")
    for path in ("group_name", "vpc_id", "is_default", "ingress_rule_count", "egress_rule_count"):
        b.not_managed(path, f"{rule.address} is a rule; its group is not known before apply")
    if problem is not None:
        for path in ("ingress", "internet_exposed_ports", "internet_all_traffic"):
            b.error(path, problem)
    elif parsed is None:
        for path in ("ingress", "internet_exposed_ports", "internet_all_traffic"):
            b.unknown(path, f"{rule.address} has ports or sources known only after apply; {unresolved.reason}")
    else:
        exposure = internet_exposure([parsed])
        b.set("ingress", [parsed])
        b.set("internet_exposed_ports", exposure.ports)
        b.set("internet_all_traffic", exposure.all_traffic)
    targets = describe(unresolved.candidates) if unresolved.candidates else "a group outside this plan"
    return b.build(name=f"rule for one of {targets}")


def _could_widen(
    rules: list[dict[str, Any]], exposure: Exposure, maybe: list[tuple[PlanResource, dict[str, Any] | None]]
) -> str | None:
    """Why a group's exposure is undetermined: a rule that may land on it would open more than it does."""
    for rule, parsed in maybe:
        why = f"{rule.address} may be attached to this group (its group is known only after apply)"
        if parsed is None:
            return why
        try:
            widened = internet_exposure([*rules, parsed])
        except BadAddress:
            return why
        if widened.all_traffic != exposure.all_traffic or set(widened.ports) != set(exposure.ports):
            return why
    return None


def lb_listeners(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_lb_listener", "aws_alb_listener"):
        b = Builder(plan, resource, "lb_listener")
        b.tags()
        protocol = b.take("protocol", "protocol", known_str)
        b.take("port", "port", to_int)
        b.take("ssl_policy", "ssl_policy", known_str)
        action = b.take("default_action", "default_action.0.type", known_str)
        redirect = resource.raw.get("default_action.0.redirect.0.protocol")
        if action is UNKNOWN or redirect is UNKNOWN:
            b.unknown("redirects_to_https", f"{resource.address}.default_action is known only after apply")
        else:
            b.set("redirects_to_https", action == "redirect" and redirect == "HTTPS")
        raw_protocol = resource.raw.get("protocol")
        if protocol is UNKNOWN:
            b.unknown("encrypted", f"{resource.address}.protocol is known only after apply")
        elif raw_protocol is not None and not isinstance(raw_protocol, str):
            b.error("encrypted", f"malformed value in the plan ({resource.address}.protocol is not a string)")
        else:
            # The provider defaults a listener to HTTP, or to TCP on a network load balancer.
            b.set("encrypted", protocol in ("HTTPS", "TLS"))
        balancer = linker.parent(resource, "load_balancer_arn", ("aws_lb", "aws_alb"), ("arn", "id"))
        if isinstance(balancer, Unresolved):
            internal = {to_bool(c.raw.get("internal")) or False for c in balancer.candidates}
            if (
                len(internal) == 1
                and not balancer.open
                and not any(c.raw.get("internal") is UNKNOWN for c in balancer.candidates)
            ):
                b.set("load_balancer_internal", internal.pop())  # every candidate agrees
            else:
                b.unknown("load_balancer_internal", balancer.reason)
        elif balancer is not None:
            b.take("load_balancer_internal", "internal", to_bool, default=False, source=balancer)
            b.absorb(balancer, "load_balancer_internal")
        resources.append(b.build())
    for resource in plan.of_type("aws_elb"):
        internal = to_bool(resource.raw.get("internal"))
        listeners = resource.raw.get("listener")
        for i, listener in enumerate(listeners if isinstance(listeners, list) else []):
            b = Builder(plan, resource, "lb_listener", f"{resource.address}.listener[{i}]")
            b.tags()
            raw_protocol = listener.get("lb_protocol") if isinstance(listener, dict) else None
            protocol = raw_protocol.upper() if isinstance(raw_protocol, str) else ""
            b.set("protocol", protocol)
            b.set("port", to_int(listener.get("lb_port")) if isinstance(listener, dict) else None)
            b.set("encrypted", protocol in ("HTTPS", "SSL"))
            b.set("redirects_to_https", False)
            if protocol in ("HTTPS", "SSL"):
                b.unknown(
                    "ssl_policy", "classic load balancer TLS policies (aws_load_balancer_policy) are not evaluated"
                )
            if isinstance(internal, bool):
                b.set("load_balancer_internal", internal)
            resources.append(b.build())
    return resources
