"""API Gateway stages (REST and HTTP/WebSocket) and custom domain names from a plan.

aws_api_gateway_method_settings joins its REST stage by (rest_api_id,
stage_name): a stage name alone is not unique across APIs. Settings whose
stage cannot be pinned down before apply leave the cache encryption of
every stage they may land on unknown.
"""

from __future__ import annotations

from typing import Any

from ....derive.edge import MethodCache, cache_encrypted
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker, Unresolved
from .builder import Builder, known_str, to_bool

_REST_API = ("aws_api_gateway_rest_api",)
_STAGE = ("aws_api_gateway_stage",)


def _api_key(linker: Linker, resource: PlanResource) -> tuple[str, str] | None:
    """What identifies the resource's REST API: its address in this plan, or its known id; None: not known."""
    parent = linker.parent(resource, "rest_api_id", _REST_API, ("id",))
    if isinstance(parent, PlanResource):
        return ("address", parent.address)
    value = resource.raw.get("rest_api_id")
    if isinstance(value, str) and value and parent is None:
        return ("id", value)
    return None


def _same(a: Any, b: Any) -> bool | None:
    """True/False when both sides are known, None when either is not."""
    if a is None or b is None:
        return None
    return bool(a == b)


def _stage_candidates(
    linker: Linker, settings: PlanResource, stages: list[PlanResource]
) -> tuple[list[PlanResource], list[PlanResource], str]:
    """(stages it certainly targets, stages it may target, why uncertain)."""
    name = settings.raw.get("stage_name")
    by_reference: set[str] | None = None
    if name is UNKNOWN:
        link = linker.parent(settings, "stage_name", _STAGE, ("stage_name",))
        if isinstance(link, PlanResource):
            by_reference = {link.address}
        elif isinstance(link, Unresolved):
            by_reference = {c.address for c in link.candidates}
        else:
            by_reference = set()
    api = _api_key(linker, settings)
    certain: list[PlanResource] = []
    possible: list[PlanResource] = []
    for stage in stages:
        if by_reference is not None:
            if stage.address not in by_reference:
                continue
            name_match: bool | None = True if len(by_reference) == 1 else None
        else:
            stage_name = stage.raw.get("stage_name")
            name_match = _same(name, stage_name if isinstance(stage_name, str) else None)
        if name_match is False:
            continue
        api_match = _same(api, _api_key(linker, stage))
        if api_match is False:
            continue
        (certain if name_match and api_match else possible).append(stage)
    reason = f"{settings.address} names its stage by values known only after apply"
    return certain, possible, reason


def _method_cache(settings: PlanResource, plan: Plan) -> MethodCache | None:
    """The settings' cache entry; None when a deciding value is known only after apply."""
    raw = settings.raw
    path = raw.get("method_path")
    values = []
    for key in ("caching_enabled", "cache_data_encrypted"):
        value = to_bool(raw.get(f"settings.0.{key}"))
        if value is UNKNOWN and not _nested_configured(plan, settings, key):
            value = False  # API Gateway: caching and cache encryption are off unless set
        values.append(value)
    if path is UNKNOWN or UNKNOWN in values:
        return None
    return MethodCache(str(path), values[0] is True, values[1] is True)


def _nested_configured(plan: Plan, resource: PlanResource, key: str) -> bool:
    if plan.config_resources.get(resource.config_key) is None:
        return True  # no configuration to read: an unknown value stays unknown
    blocks = plan.expressions(resource).get("settings")
    if not isinstance(blocks, list):
        return False
    return any(isinstance(block, dict) and key in block for block in blocks)


def api_gateway_stages(plan: Plan, linker: Linker) -> list[Resource]:
    rest_stages = plan.of_type("aws_api_gateway_stage")
    pinned: dict[str, list[PlanResource]] = {s.address: [] for s in rest_stages}
    maybe: dict[str, str] = {}
    for settings in plan.of_type("aws_api_gateway_method_settings"):
        certain, possible, reason = _stage_candidates(linker, settings, rest_stages)
        if len(certain) == 1 and not possible:
            pinned[certain[0].address].append(settings)
            continue
        for stage in certain + possible:
            maybe.setdefault(stage.address, reason)
    resources = []
    for stage in rest_stages:
        b = Builder(plan, stage, "api_gateway_stage")
        b.tags()
        b.set("api_kind", "rest")
        b.take("api_id", "rest_api_id", known_str)
        b.take("stage_name", "stage_name", known_str)
        _access_logging(b, stage)
        b.take("cache_cluster_enabled", "cache_cluster_enabled", to_bool, default=False)
        entries = []
        for settings in pinned[stage.address]:
            b.absorb(settings, "cache_data_encrypted")
            entries.append(_method_cache(settings, plan))
        if stage.address in maybe:
            b.unknown("cache_data_encrypted", maybe[stage.address])
        elif None in entries:
            b.unknown("cache_data_encrypted", "the stage's method settings are known only after apply")
        else:
            b.set("cache_data_encrypted", cache_encrypted(e for e in entries if e is not None))
        resources.append(b.build(name=known_str(stage.raw.get("stage_name"))))
    for stage in plan.of_type("aws_apigatewayv2_stage"):
        b = Builder(plan, stage, "api_gateway_stage")
        b.tags()
        b.take("api_id", "api_id", known_str)
        b.take("stage_name", "name", known_str)
        api = linker.parent(stage, "api_id", ("aws_apigatewayv2_api",), ("id",))
        protocol = api.raw.get("protocol_type") if isinstance(api, PlanResource) else None
        if isinstance(protocol, str):
            b.set("api_kind", "websocket" if protocol == "WEBSOCKET" else "http")
        else:
            b.unknown("api_kind", f"{stage.address}: the API (HTTP or WebSocket) is not known before apply")
        _access_logging(b, stage)
        resources.append(b.build(name=known_str(stage.raw.get("name"))))
    return resources


def _access_logging(b: Builder, stage: PlanResource) -> None:
    destination = stage.raw.get("access_log_settings.0.destination_arn")
    settings = stage.raw.get("access_log_settings")
    if destination is UNKNOWN or settings is UNKNOWN:
        # A destination is required in the block: a block that exists logs somewhere.
        if settings is not UNKNOWN and isinstance(settings, list) and settings:
            b.set("access_logging_enabled", True)
        else:
            b.unknown("access_logging_enabled", f"{stage.address}.access_log_settings is known only after apply")
        return
    b.set("access_logging_enabled", isinstance(destination, str) and bool(destination))


def api_gateway_domains(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_api_gateway_domain_name", "aws_apigatewayv2_domain_name"):
        b = Builder(plan, resource, "api_gateway_domain")
        b.tags()
        b.take("domain_name", "domain_name", known_str)
        if resource.type == "aws_api_gateway_domain_name":
            b.set("api_kind", "rest")
            raw_path = "security_policy"
        else:
            b.set("api_kind", "v2")
            raw_path = "domain_name_configuration.0.security_policy"
        if b.is_unset(raw_path):
            # Left to API Gateway: the policy requires TLS_1_2 to be chosen explicitly; say why it fails.
            b.notes["security_policy"] = "security_policy is unset: set TLS_1_2 explicitly"
        else:
            b.take("security_policy", raw_path, known_str)
        resources.append(b.build(name=known_str(resource.raw.get("domain_name"))))
    return resources
