"""VPCs (with their flow logs) and CloudFront distributions from a plan.

A flow log joins its VPC by value or by reference (references.Linker). A
flow log whose VPC cannot be pinned down before apply makes each VPC it may
land on ``unknown`` (it could enable logging there), never ``pass``; a flow
log the plan deletes enables nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ....derive.edge import (
    Origin,
    custom_origin_policies,
    effective_minimum_protocol,
    origins_https_only,
    uses_default_certificate,
    viewer_https_only,
)
from ....derive.service_defaults import SERVICE_DEFAULTS
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved
from .builder import Builder, known_str, to_bool

VPC_TYPES = ("aws_vpc", "aws_default_vpc")


@dataclass(slots=True)
class Joins:
    """Children joined to each parent: pinned ones, and parents a child may land on (with why)."""

    pinned: dict[str, list[PlanResource]] = field(default_factory=dict)
    maybe: dict[str, str] = field(default_factory=dict)


def join_children(
    linker: Linker,
    children: list[PlanResource],
    attribute: str,
    parent_types: tuple[str, ...],
    value_keys: tuple[str, ...],
) -> Joins:
    """Which parent each child (a flow log, a WAF association) attaches to.

    A child that only adds a safeguard can never make a parent fail, so an
    ambiguous one leaves every candidate parent undetermined (``maybe``).
    """
    joins = Joins()
    for child in children:
        parent = linker.parent(child, attribute, parent_types, value_keys)
        if isinstance(parent, Unresolved):
            for candidate in parent.candidates:
                joins.maybe.setdefault(candidate.address, f"{child.address} may attach here: {parent.reason}")
        elif parent is not None:
            joins.pinned.setdefault(parent.address, []).append(child)
    return joins


def deleted_children(plan: Plan, child_type: str, attribute: str) -> dict[str, list[str]]:
    """Known parent id -> addresses of the children of that type this plan destroys (and does not replace)."""
    found: dict[str, list[str]] = {}
    for gone in plan.deleted(child_type, pure=True):
        value = gone.raw.get(attribute)
        if isinstance(value, str) and value:
            found.setdefault(value, []).append(gone.address)
    return found


def vpcs(plan: Plan, linker: Linker) -> list[Resource]:
    flow_logs = join_children(linker, plan.of_type("aws_flow_log"), "vpc_id", VPC_TYPES, ("id",))
    gone = deleted_children(plan, "aws_flow_log", "vpc_id")
    resources = []
    for vpc in plan.of_type(*VPC_TYPES):
        b = Builder(plan, vpc, "vpc")
        b.tags()
        vpc_id = b.take("vpc_id", "id", known_str)
        b.set("is_default", vpc.type == "aws_default_vpc")
        logs = flow_logs.pinned.get(vpc.address, [])
        for log in logs:
            b.absorb(log, "flow_logs_enabled")
        if logs:
            b.set("flow_logs_enabled", True)
        elif vpc.address in flow_logs.maybe:
            b.unknown("flow_logs_enabled", flow_logs.maybe[vpc.address])
        else:
            b.set("flow_logs_enabled", False)
            if isinstance(vpc_id, str) and vpc_id in gone:
                b.notes["flow_logs_enabled"] = "this plan deletes " + ", ".join(gone[vpc_id])
        resources.append(b.build())
    return resources


def _blocks(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def cloudfront_distributions(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_cloudfront_distribution"):
        b = Builder(plan, resource, "cloudfront_distribution")
        b.tags()
        b.take("enabled", "enabled", to_bool)
        _viewer(b, resource)
        _certificate(b, resource)
        _origins(b, resource)
        logging = resource.raw.get("logging_config")
        if logging is UNKNOWN:
            b.unknown("logging_enabled", f"{resource.address}.logging_config is known only after apply")
        else:
            b.set("logging_enabled", bool(_blocks(logging)))
        b.take("web_acl_id", "web_acl_id", known_str)
        resources.append(b.build(name=known_str(resource.raw.get("comment"))))
    return resources


def _viewer(b: Builder, resource: PlanResource) -> None:
    raw = resource.raw
    paths = ["default_cache_behavior.0.viewer_protocol_policy"]
    ordered = raw.get("ordered_cache_behavior")
    if ordered is UNKNOWN:
        b.unknown("viewer_https_only", f"{resource.address}.ordered_cache_behavior is known only after apply")
        b.unknown("viewer_protocol_policies", f"{resource.address}.ordered_cache_behavior is known only after apply")
        return
    paths += [f"ordered_cache_behavior.{i}.viewer_protocol_policy" for i in range(len(_blocks(ordered)))]
    values = [raw.get(p) for p in paths]
    if UNKNOWN in values:
        b.unknown("viewer_https_only", f"{resource.address}: a viewer_protocol_policy is known only after apply")
        b.unknown("viewer_protocol_policies", f"{resource.address}: a viewer_protocol_policy is known only after apply")
        return
    if not all(isinstance(v, str) for v in values):
        b.error("viewer_https_only", f"malformed value in the plan ({resource.address}: viewer_protocol_policy)")
        return
    b.set("viewer_protocol_policies", values)
    b.set("viewer_https_only", viewer_https_only(values))


def _certificate(b: Builder, resource: PlanResource) -> None:
    raw = resource.raw
    default = raw.get("viewer_certificate.0.cloudfront_default_certificate")
    version = raw.get("viewer_certificate.0.minimum_protocol_version")
    if default is UNKNOWN or version is UNKNOWN:
        reason = f"{resource.address}.viewer_certificate is known only after apply"
        b.unknown("minimum_protocol_version", reason)
        b.unknown("uses_default_certificate", reason)
        return
    own = raw.get("viewer_certificate.0.acm_certificate_arn") or raw.get("viewer_certificate.0.iam_certificate_id")
    uses_default = uses_default_certificate(to_bool(default) is True, own if isinstance(own, str) else None)
    b.set("uses_default_certificate", uses_default)
    configured = version if isinstance(version, str) and version else None
    effective = effective_minimum_protocol(uses_default, configured)
    b.set("minimum_protocol_version", effective)
    if uses_default or configured is None:
        b.notes["minimum_protocol_version"] = SERVICE_DEFAULTS["cloudfront.minimum_protocol_version"].rule


def _origins(b: Builder, resource: PlanResource) -> None:
    raw = resource.raw.get("origin")
    if raw is UNKNOWN:
        b.unknown("origins_https_only", f"{resource.address}.origin is known only after apply")
        b.unknown("custom_origin_protocol_policies", f"{resource.address}.origin is known only after apply")
        return
    origins = []
    for i, block in enumerate(_blocks(raw)):
        custom = _blocks(block.get("custom_origin_config"))
        policy = resource.raw.get(f"origin.{i}.custom_origin_config.0.origin_protocol_policy") if custom else None
        if policy is UNKNOWN:
            b.unknown("origins_https_only", f"{resource.address}: an origin_protocol_policy is known only after apply")
            b.unknown("custom_origin_protocol_policies", f"{resource.address}: an origin is known only after apply")
            return
        origins.append(Origin(custom=bool(custom), protocol_policy=policy if isinstance(policy, str) else None))
    b.set("custom_origin_protocol_policies", custom_origin_policies(origins))
    b.set("origins_https_only", origins_https_only(origins))
