"""Load balancers themselves (elbv2): built from the reads elb.py already makes, plus the WAFv2 association.

elb.collect_v2 lists the load balancers and reads each one's attributes once;
it hands both here, so the listener and load-balancer types share one read.
"""

from __future__ import annotations

from typing import Any

from ..builder import LiveBuilder
from ..calls import Call, Result, calls
from ..context import Context

CALLS = calls(
    Call(
        "wafv2",
        "get_web_acl_for_resource",
        "wafv2:GetWebACLForResource",
        ("waf_web_acl_associated",),
        not_configured=frozenset({"WAFNonexistentItemException"}),
    ),
)
_ATTRIBUTE_FIELDS = ("access_logs_enabled", "drop_invalid_header_fields", "deletion_protection")


def load_balancer(ctx: Context, balancer: dict[str, Any], attributes: Result) -> LiveBuilder:
    arn = str(balancer.get("LoadBalancerArn"))
    b = LiveBuilder("load_balancer", arn, ctx.where)
    b.name = str(balancer.get("LoadBalancerName"))
    b.key = arn
    lb_type = str(balancer.get("Type") or "application")
    b.set("lb_type", lb_type)
    b.set("internal", balancer.get("Scheme") == "internal")
    if attributes.error:
        b.error(_ATTRIBUTE_FIELDS, attributes.error)
    else:
        values = {a.get("Key"): a.get("Value") for a in attributes.data.get("Attributes") or [] if isinstance(a, dict)}
        # Every attribute defaults to false (elbv2 LoadBalancerAttribute; service_defaults "elbv2.access_logs").
        b.set("access_logs_enabled", values.get("access_logs.s3.enabled") == "true")
        b.set("deletion_protection", values.get("deletion_protection.enabled") == "true")
        if lb_type == "application":
            b.set("drop_invalid_header_fields", values.get("routing.http.drop_invalid_header_fields.enabled") == "true")
    if lb_type == "application":
        waf = ctx.fetch.call(CALLS["get_web_acl_for_resource"], ctx.where.region, ResourceArn=arn)
        if not b.failed(CALLS["get_web_acl_for_resource"], waf):
            b.set("waf_web_acl_associated", bool(waf.data.get("WebACL")))
    return b
