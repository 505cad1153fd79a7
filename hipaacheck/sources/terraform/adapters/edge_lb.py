"""Load balancers themselves (aws_lb / aws_alb): access logs, header hygiene, deletion protection, WAF.

Listeners stay in network.py (lb_listener). A WAFv2 web ACL association
joins its load balancer by ARN or reference; one whose target cannot be
pinned down before apply leaves each load balancer it may land on unknown.
"""

from __future__ import annotations

from ....derive.service_defaults import SERVICE_DEFAULTS
from ....models import Resource
from ..plan import Plan
from ..raw import UNKNOWN
from ..references import Linker
from .builder import Builder, known_str, to_bool
from .edge import deleted_children, join_children

LB_TYPES = ("aws_lb", "aws_alb")


def load_balancers(plan: Plan, linker: Linker) -> list[Resource]:
    associations = join_children(
        linker, plan.of_type("aws_wafv2_web_acl_association"), "resource_arn", LB_TYPES, ("arn", "id")
    )
    gone = deleted_children(plan, "aws_wafv2_web_acl_association", "resource_arn")
    resources = []
    for balancer in plan.of_type(*LB_TYPES):
        b = Builder(plan, balancer, "load_balancer")
        b.tags()
        b.take("lb_type", "load_balancer_type", known_str, default="application")
        b.take_or_default("internal", "internal", to_bool, SERVICE_DEFAULTS["elbv2.scheme_internal"])
        if balancer.raw.get("access_logs") is UNKNOWN or balancer.raw.get("access_logs.0.enabled") is UNKNOWN:
            b.unknown("access_logs_enabled", f"{balancer.address}.access_logs is known only after apply")
        elif not balancer.raw.get("access_logs"):
            default = SERVICE_DEFAULTS["elbv2.access_logs"]
            b.default("access_logs_enabled", default.value, default.rule)
        else:
            # The provider defaults access_logs.enabled to false even when a bucket is given.
            b.take("access_logs_enabled", "access_logs.0.enabled", to_bool, default=False)
        b.take("drop_invalid_header_fields", "drop_invalid_header_fields", to_bool, default=False)
        b.take("deletion_protection", "enable_deletion_protection", to_bool, default=False)
        pinned = associations.pinned.get(balancer.address, [])
        for association in pinned:
            b.absorb(association, "waf_web_acl_associated")
        if pinned:
            b.set("waf_web_acl_associated", True)
        elif balancer.address in associations.maybe:
            b.unknown("waf_web_acl_associated", associations.maybe[balancer.address])
        else:
            b.set("waf_web_acl_associated", False)
            arn = balancer.raw.get("arn")
            if isinstance(arn, str) and arn in gone:
                b.notes["waf_web_acl_associated"] = "this plan deletes " + ", ".join(gone[arn])
        resources.append(b.build(name=known_str(balancer.raw.get("name"))))
    return resources
