"""Security groups (inline rules and separate rule resources) and load-balancer listeners."""

from __future__ import annotations

from typing import Any

from ....derive.network import internet_exposure
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved
from .builder import Builder, known_str, to_bool, to_int

_RULE_TYPES = ("aws_security_group_rule", "aws_vpc_security_group_ingress_rule")


def _strings(value: Any) -> list[str]:
    return [str(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _inline_rule(rule: dict[str, Any], origin: str) -> dict[str, Any]:
    return {
        "protocol": str(rule.get("protocol", "")),
        "from_port": to_int(rule.get("from_port")),
        "to_port": to_int(rule.get("to_port")),
        "cidr_ipv4": _strings(rule.get("cidr_blocks")),
        "cidr_ipv6": _strings(rule.get("ipv6_cidr_blocks")),
        "source_security_groups": _strings(rule.get("security_groups")),
        "origin": origin,
    }


def _separate_rule(rule: PlanResource) -> dict[str, Any] | None:
    """A rule resource as a canonical rule; None for egress rules."""
    raw = rule.raw
    if rule.type == "aws_security_group_rule":
        if raw.get("type") != "ingress":
            return None
        parsed = _inline_rule(raw.after, rule.address)
        source = raw.get("source_security_group_id")
        parsed["source_security_groups"] = [source] if isinstance(source, str) else []
        return parsed
    cidr4, cidr6 = raw.get("cidr_ipv4"), raw.get("cidr_ipv6")
    return {
        "protocol": str(raw.get("ip_protocol") or ""),
        "from_port": to_int(raw.get("from_port")),
        "to_port": to_int(raw.get("to_port")),
        "cidr_ipv4": [cidr4] if isinstance(cidr4, str) else [],
        "cidr_ipv6": [cidr6] if isinstance(cidr6, str) else [],
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


def security_groups(plan: Plan, linker: Linker) -> list[Resource]:
    groups = plan.of_type("aws_security_group")
    if not groups:
        return []
    rules: dict[str, list[dict[str, Any]]] = {g.address: [] for g in groups}
    parts: dict[str, list[PlanResource]] = {g.address: [] for g in groups}
    undetermined: dict[str, str] = {}
    unattached: list[str] = []
    for group in groups:
        inline = group.raw.get("ingress")
        if inline is UNKNOWN:
            if plan.configured(group, "ingress"):
                undetermined[group.address] = f"{group.address}.ingress is known only after apply"
            continue
        for rule in inline if isinstance(inline, list) else []:
            if isinstance(rule, dict):
                rules[group.address].append(_inline_rule(rule, f"{group.address}.ingress"))
    for rule in plan.of_type(*_RULE_TYPES):
        parent = linker.parent(rule, "security_group_id", ("aws_security_group",), ("id",))
        if isinstance(parent, Unresolved):
            unattached.append(parent.reason)
            continue
        if parent is None:
            continue
        parts[parent.address].append(rule)
        if _rule_unknown(rule):
            undetermined.setdefault(parent.address, f"{rule.address} has ports or sources known only after apply")
            continue
        parsed = _separate_rule(rule)
        if parsed is not None:
            rules[parent.address].append(parsed)
    resources = []
    for group in groups:
        b = Builder(plan, group, "security_group")
        for part in parts[group.address]:
            b.absorb(part)
        b.tags()
        b.take("group_name", "name", known_str)
        b.take("vpc_id", "vpc_id", known_str)
        b.set("ingress", rules[group.address])
        reason = undetermined.get(group.address) or (unattached[0] if unattached else None)
        exposure = internet_exposure(rules[group.address])
        if reason and not exposure.all_traffic:
            # Known rules may already expose ports; the unknown ones could add more.
            b.unknown("internet_exposed_ports", reason)
            b.unknown("internet_all_traffic", reason)
        else:
            b.set("internet_exposed_ports", exposure.ports)
            b.set("internet_all_traffic", exposure.all_traffic)
        resources.append(b.build(name=known_str(group.raw.get("name"))))
    return resources


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
        if protocol is UNKNOWN:
            b.unknown("encrypted", f"{resource.address}.protocol is known only after apply")
        else:
            # The provider defaults a listener to HTTP, or to TCP on a network load balancer.
            b.set("encrypted", protocol in ("HTTPS", "TLS"))
        balancer = linker.parent(resource, "load_balancer_arn", ("aws_lb", "aws_alb"), ("arn", "id"))
        if isinstance(balancer, Unresolved):
            b.unknown("load_balancer_internal", balancer.reason)
        elif balancer is not None:
            b.take("load_balancer_internal", "internal", to_bool, default=False, source=balancer)
            b.absorb(balancer)
        resources.append(b.build())
    for resource in plan.of_type("aws_elb"):
        internal = to_bool(resource.raw.get("internal"))
        listeners = resource.raw.get("listener")
        for i, listener in enumerate(listeners if isinstance(listeners, list) else []):
            b = Builder(plan, resource, "lb_listener", f"{resource.address}.listener[{i}]")
            b.tags()
            protocol = str(listener.get("lb_protocol", "")).upper() if isinstance(listener, dict) else ""
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
