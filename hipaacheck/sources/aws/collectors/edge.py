"""VPCs with their flow logs (every VPC, the default one too) and CloudFront distributions (global)."""

from __future__ import annotations

from typing import Any

from ....derive.edge import (
    Origin,
    custom_origin_policies,
    effective_minimum_protocol,
    origins_https_only,
    uses_default_certificate,
    viewer_https_only,
)
from ....models import Resource
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context

VPC_CALLS = calls(
    Call("ec2", "describe_vpcs", "ec2:DescribeVpcs", (ALL_FIELDS,), paginate=True),
    Call("ec2", "describe_flow_logs", "ec2:DescribeFlowLogs", ("flow_logs_enabled",), paginate=True),
)
CLOUDFRONT_CALLS = calls(
    Call("cloudfront", "list_distributions", "cloudfront:ListDistributions", (ALL_FIELDS,), paginate=True),
    Call(
        "cloudfront",
        "get_distribution_config",
        "cloudfront:GetDistributionConfig",
        ("logging_enabled",),
        note="the access-log setting is not in ListDistributions' summaries",
    ),
    Call("cloudfront", "list_tags_for_resource", "cloudfront:ListTagsForResource", ("tags",)),
)


def collect_vpcs(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    listing = ctx.fetch.call(VPC_CALLS["describe_vpcs"], region)
    if listing.error:
        return [placeholder("vpc", ctx.where, listing.error)]
    flow_logs = ctx.fetch.call(VPC_CALLS["describe_flow_logs"], region)
    logged = {
        str(log.get("ResourceId"))
        for log in flow_logs.data.get("FlowLogs", [])
        if isinstance(log, dict) and log.get("FlowLogStatus") == "ACTIVE"
    }
    resources = []
    for vpc in listing.data.get("Vpcs", []):
        vpc_id = str(vpc.get("VpcId"))
        b = LiveBuilder("vpc", ctx.where.arn("ec2", f"vpc/{vpc_id}"), ctx.where)
        b.tags(tag_map(vpc.get("Tags")))
        b.set("vpc_id", vpc_id)
        b.set("is_default", vpc.get("IsDefault") is True)
        if not b.failed(VPC_CALLS["describe_flow_logs"], flow_logs):
            b.set("flow_logs_enabled", vpc_id in logged)
        resources.append(b.build(vpc_id))
    return resources


def _items(node: Any) -> list[dict[str, Any]]:
    """CloudFront's {Quantity, Items} lists."""
    items = node.get("Items") if isinstance(node, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _origin(origin: dict[str, Any]) -> Origin:
    custom = origin.get("CustomOriginConfig")
    if isinstance(custom, dict):
        return Origin(custom=True, protocol_policy=custom.get("OriginProtocolPolicy"))
    return Origin(custom=False)


def distribution_facts(b: LiveBuilder, summary: dict[str, Any]) -> None:
    """Fields shared by ListDistributions' summaries and GetDistributionConfig (same shapes)."""
    b.set("enabled", summary.get("Enabled") is True)
    behaviors = [summary.get("DefaultCacheBehavior") or {}, *_items(summary.get("CacheBehaviors"))]
    policies = [str(c.get("ViewerProtocolPolicy", "")) for c in behaviors]
    b.set("viewer_protocol_policies", policies)
    b.set("viewer_https_only", viewer_https_only(policies))
    certificate = summary.get("ViewerCertificate") or {}
    own = certificate.get("ACMCertificateArn") or certificate.get("IAMCertificateId")
    uses_default = uses_default_certificate(certificate.get("CloudFrontDefaultCertificate") is True, own)
    b.set("uses_default_certificate", uses_default)
    b.set(
        "minimum_protocol_version", effective_minimum_protocol(uses_default, certificate.get("MinimumProtocolVersion"))
    )
    origins = [_origin(o) for o in _items(summary.get("Origins"))]
    b.set("custom_origin_protocol_policies", custom_origin_policies(origins))
    b.set("origins_https_only", origins_https_only(origins))
    b.set("web_acl_id", summary.get("WebACLId") or None)


def collect_distributions(ctx: Context) -> list[Resource]:
    region = ctx.where.region
    listing = ctx.fetch.call(CLOUDFRONT_CALLS["list_distributions"], region)
    if listing.error:
        resource = placeholder("cloudfront_distribution", ctx.where, listing.error)
        resource.region = None
        return [resource]
    resources = []
    for summary in _items(listing.data.get("DistributionList")):
        arn = str(
            summary.get("ARN") or ctx.where.arn("cloudfront", f"distribution/{summary.get('Id')}", regional=False)
        )
        b = LiveBuilder("cloudfront_distribution", arn, ctx.where)
        distribution_facts(b, summary)
        config = ctx.fetch.call(CLOUDFRONT_CALLS["get_distribution_config"], region, Id=summary.get("Id"))
        if not b.failed(CLOUDFRONT_CALLS["get_distribution_config"], config):
            logging = (config.data.get("DistributionConfig") or {}).get("Logging") or {}
            b.set("logging_enabled", logging.get("Enabled") is True)
        tags = ctx.fetch.call(CLOUDFRONT_CALLS["list_tags_for_resource"], region, Resource=arn)
        if not b.failed(CLOUDFRONT_CALLS["list_tags_for_resource"], tags):
            b.tags(tag_map((tags.data.get("Tags") or {}).get("Items")))
        resource = b.build(str(summary.get("Comment") or summary.get("Id")))
        resource.region = None  # CloudFront is global
        resources.append(resource)
    return resources


VPCS = Collector("vpc", ("vpc",), VPC_CALLS, collect_vpcs)
CLOUDFRONT = Collector(
    "cloudfront", ("cloudfront_distribution",), CLOUDFRONT_CALLS, collect_distributions, scope="global"
)
