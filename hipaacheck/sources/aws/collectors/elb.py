"""Load-balancer listeners (elbv2 and classic ELB); their access-log buckets feed s3_bucket.log_destination."""

from __future__ import annotations

from typing import Any

from ....models import Resource
from ..builder import LiveBuilder, Where, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, Result, calls
from ..context import Collector, Context
from . import edge_lb

CALLS = calls(
    Call(
        "elbv2", "describe_load_balancers", "elasticloadbalancing:DescribeLoadBalancers", (ALL_FIELDS,), paginate=True
    ),
    Call("elbv2", "describe_listeners", "elasticloadbalancing:DescribeListeners", (ALL_FIELDS,), paginate=True),
    Call("elbv2", "describe_tags", "elasticloadbalancing:DescribeTags", ("tags",)),
    Call(
        "elbv2",
        "describe_load_balancer_attributes",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        note="access-log bucket of each load balancer (s3_bucket.log_destination); load_balancer attributes",
    ),
)
CALLS |= edge_lb.CALLS
CLASSIC_CALLS = calls(
    Call("elb", "describe_load_balancers", "elasticloadbalancing:DescribeLoadBalancers", (ALL_FIELDS,), paginate=True),
    Call("elb", "describe_tags", "elasticloadbalancing:DescribeTags", ("tags",)),
    Call(
        "elb",
        "describe_load_balancer_attributes",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        note="access-log bucket of each classic load balancer (s3_bucket.log_destination)",
    ),
)
_BATCH = 20  # DescribeTags accepts at most 20 resources per request


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i : i + _BATCH] for i in range(0, len(items), _BATCH)]


def collect_v2(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    listing = ctx.fetch.call(CALLS["describe_load_balancers"], region)
    if listing.error:
        ctx.facts.log_source_unread(listing.error)
        return [placeholder(t, ctx.where, listing.error) for t in ("lb_listener", "load_balancer")]
    builders: list[LiveBuilder] = []
    for balancer in listing.data.get("LoadBalancers", []):
        arn = balancer.get("LoadBalancerArn")
        attributes = _log_bucket(ctx, CALLS["describe_load_balancer_attributes"], arn, LoadBalancerArn=arn)
        builders.append(edge_lb.load_balancer(ctx, balancer, attributes))
        listeners = ctx.fetch.call(CALLS["describe_listeners"], region, LoadBalancerArn=arn)
        if listeners.error:
            b = LiveBuilder("lb_listener", f"{arn}/listeners/*", ctx.where)
            b.error([ALL_FIELDS], listeners.error)
            builders.append(b)
            continue
        for listener in listeners.data.get("Listeners", []):
            builders.append(_listener_v2(ctx.where, balancer, listener))
    _tags(ctx, CALLS["describe_tags"], builders, "ResourceArns", "TagDescriptions", "ResourceArn")
    return [b.build() for b in builders]


def _listener_v2(where: Where, balancer: dict[str, Any], listener: dict[str, Any]) -> LiveBuilder:
    b = LiveBuilder("lb_listener", listener.get("ListenerArn") or f"{balancer.get('LoadBalancerArn')}/listener", where)
    protocol = listener.get("Protocol")
    b.set("protocol", protocol)
    b.set("port", listener.get("Port"))
    b.set("ssl_policy", listener.get("SslPolicy"))
    actions = sorted(
        (a for a in listener.get("DefaultActions") or [] if isinstance(a, dict)), key=lambda a: a.get("Order", 0)
    )
    first = actions[0] if actions else {}
    b.set("default_action", first.get("Type"))
    redirect = (first.get("RedirectConfig") or {}).get("Protocol")
    b.set("redirects_to_https", first.get("Type") == "redirect" and redirect == "HTTPS")
    b.set("encrypted", protocol in ("HTTPS", "TLS"))
    b.set("load_balancer_internal", balancer.get("Scheme") == "internal")
    b.name = f"{balancer.get('LoadBalancerName')}:{listener.get('Port')}"
    b.key = b.address
    return b


def collect_classic(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    listing = ctx.fetch.call(CLASSIC_CALLS["describe_load_balancers"], region)
    if listing.error:
        ctx.facts.log_source_unread(listing.error)
        return [placeholder("lb_listener", ctx.where, listing.error)]
    builders: list[LiveBuilder] = []
    for balancer in listing.data.get("LoadBalancerDescriptions", []):
        name = balancer.get("LoadBalancerName")
        arn = ctx.where.arn("elasticloadbalancing", f"loadbalancer/{name}")
        _log_bucket(ctx, CLASSIC_CALLS["describe_load_balancer_attributes"], arn, LoadBalancerName=name)
        for description in balancer.get("ListenerDescriptions") or []:
            listener = description.get("Listener") or {}
            protocol = str(listener.get("Protocol", "")).upper()
            port = listener.get("LoadBalancerPort")
            b = LiveBuilder("lb_listener", f"{arn}/listener/{port}", ctx.where)
            b.set("protocol", protocol)
            b.set("port", port)
            b.set("encrypted", protocol in ("HTTPS", "SSL"))
            b.set("redirects_to_https", False)
            if protocol in ("HTTPS", "SSL"):
                b.unknown("ssl_policy", "classic load balancer TLS policies are not evaluated")
            b.set("load_balancer_internal", balancer.get("Scheme") == "internal")
            b.name = f"{name}:{port}"
            b.key = str(name)
            builders.append(b)
    _tags(ctx, CLASSIC_CALLS["describe_tags"], builders, "LoadBalancerNames", "TagDescriptions", "LoadBalancerName")
    return [b.build() for b in builders]


def _log_bucket(ctx: Context, spec: Call, arn: str, **params: Any) -> Result:
    result = ctx.fetch.call(spec, ctx.where.region, **params)
    if result.error:
        ctx.facts.log_source_unread(f"{arn}: {result.error}")
        return result
    if spec.service == "elb":
        log = (result.data.get("LoadBalancerAttributes") or {}).get("AccessLog") or {}
        if log.get("Enabled") and log.get("S3BucketName"):
            ctx.facts.add_log_bucket(str(log["S3BucketName"]))
        return result
    attributes = {a.get("Key"): a.get("Value") for a in result.data.get("Attributes") or [] if isinstance(a, dict)}
    if attributes.get("access_logs.s3.enabled") == "true" and attributes.get("access_logs.s3.bucket"):
        ctx.facts.add_log_bucket(str(attributes["access_logs.s3.bucket"]))
    return result


def _tags(ctx: Context, spec: Call, builders: list[LiveBuilder], param: str, key: str, id_key: str) -> None:
    """Tags of every listener (elbv2) or load balancer (classic), 20 per request."""
    ids = sorted({b.key for b in builders if b.key})
    found: dict[str, dict[str, str]] = {}
    failed: dict[str, str] = {}
    for chunk in _chunks(ids):
        result = ctx.fetch.call(spec, ctx.where.region, **{param: chunk})
        if result.error:
            failed.update(dict.fromkeys(chunk, result.error))
            continue
        for description in result.data.get(key) or []:
            found[str(description.get(id_key))] = tag_map(description.get("Tags"))
    for b in builders:
        if b.key in failed:
            b.error(["tags"], failed[b.key])
        elif b.key in found:
            b.tags(found[b.key])


V2 = Collector("elbv2", ("lb_listener", "load_balancer"), CALLS, collect_v2)
CLASSIC = Collector("elb", ("lb_listener",), CLASSIC_CALLS, collect_classic)
