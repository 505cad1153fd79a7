"""EKS clusters, ECR repositories (with the registry's scanning rules), ECS task definitions."""

from __future__ import annotations

import json
from typing import Any

from ....derive.containers import (
    Malformed,
    container_names,
    containers_without_logging,
    ecr_registry_scans,
    eks_endpoint_open_to_internet,
    eks_secrets_key,
    plaintext_secret_variables,
)
from ....derive.network import BadAddress
from ....derive.service_defaults import SERVICE_DEFAULTS
from ....models import Resource
from ..plan import Plan, PlanResource
from ..raw import UNKNOWN
from ..references import Linker
from .builder import Builder, known_str, to_bool


def eks_clusters(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_eks_cluster"):
        b = Builder(plan, resource, "eks_cluster")
        b.tags()
        b.take("name", "name", known_str)
        try:
            _eks_encryption(b)
        except (AttributeError, IndexError, KeyError, TypeError):
            # A block of a shape Terraform never writes errors its own check, not every cluster.
            b.error("secrets_encrypted", f"malformed value in the plan ({resource.address}.encryption_config)")
        _eks_endpoint(b)
        b.take("log_types", "enabled_cluster_log_types", _str_list, default=[])
        resources.append(b.build(name=known_str(resource.raw.get("name"))))
    return resources


def _eks_encryption(b: Builder) -> None:
    configs = b.resource.raw.get("encryption_config")
    address = b.resource.address
    if configs is UNKNOWN or b.resource.raw.is_unknown("encryption_config.0.resources"):
        b.unknown("secrets_encrypted", f"{address}.encryption_config is known only after apply")
        return
    pairs: list[tuple[list[str], str | None]] = []
    key_unknown = False
    for config in configs or []:
        if not isinstance(config, dict):
            b.error("secrets_encrypted", f"malformed value in the plan ({address}.encryption_config)")
            return
        resources = config.get("resources") or []
        if not isinstance(resources, list):
            b.error("secrets_encrypted", f"malformed value in the plan ({address}.encryption_config.resources)")
            return
        provider = (config.get("provider") or [{}])[0]
        key = provider.get("key_arn") if isinstance(provider, dict) else None
        if "secrets" in resources and key is None:
            # The key of an encryption_config is required: None here is one known only after apply.
            key_unknown = True
            key = "(known after apply)"
        pairs.append((list(resources), key if isinstance(key, str) else None))
    key = eks_secrets_key(pairs)
    b.set("secrets_encrypted", key is not None)
    if key is not None and not key_unknown:
        b.set("secrets_kms_key_arn", key)
    elif key_unknown:
        b.unknown("secrets_kms_key_arn", f"{address}.encryption_config.provider.key_arn is known only after apply")


def _eks_endpoint(b: Builder) -> None:
    address = b.resource.address
    public = b.take_or_default(
        "endpoint_public_access",
        "vpc_config.0.endpoint_public_access",
        to_bool,
        SERVICE_DEFAULTS["eks.endpoint_public_access"],
    )
    if public is UNKNOWN:
        b.unknown("endpoint_open_to_internet", f"{address}.vpc_config.endpoint_public_access is known only after apply")
        return
    if public is False:
        # No public endpoint: the ranges do not matter (and are computed when unset).
        b.set("endpoint_open_to_internet", False)
        return
    cidrs_raw = b.resource.raw.get("vpc_config.0.public_access_cidrs")
    if cidrs_raw is UNKNOWN and _vpc_setting_configured(b.plan, b.resource, "public_access_cidrs"):
        b.unknown("public_access_cidrs", f"{address}.vpc_config.public_access_cidrs is known only after apply")
        b.unknown("endpoint_open_to_internet", f"{address}.vpc_config.public_access_cidrs is known only after apply")
        return
    if cidrs_raw in (None, UNKNOWN, []):
        default = SERVICE_DEFAULTS["eks.public_access_cidrs"]
        b.default("public_access_cidrs", list(default.value), default.rule)
        cidrs: Any = list(default.value)
    else:
        cidrs = b.take("public_access_cidrs", "vpc_config.0.public_access_cidrs", _str_list)
    if not isinstance(cidrs, list) or not all(isinstance(c, str) for c in cidrs):
        b.error("endpoint_open_to_internet", f"malformed value in the plan ({address}.public_access_cidrs)")
        return
    try:
        b.set("endpoint_open_to_internet", eks_endpoint_open_to_internet(True, cidrs))
    except BadAddress as exc:
        b.error("endpoint_open_to_internet", f"malformed value in the plan ({exc})")


def _vpc_setting_configured(plan: Plan, resource: PlanResource, attribute: str) -> bool:
    """vpc_config is a nested block: look for the attribute inside its configuration expressions."""
    block = plan.expressions(resource).get("vpc_config")
    if not plan.configured(resource, "vpc_config"):
        return False
    if isinstance(block, list):
        return any(isinstance(item, dict) and attribute in item for item in block)
    return True  # a dynamic block or unreadable configuration: assume it is written


def _str_list(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sorted(value)
    return value


# ---- ECR ---------------------------------------------------------------------------------------------


RegistryRules = tuple[str, list[tuple[str, list[str]]], PlanResource]


def _registry_rules(plan: Plan, config: PlanResource) -> RegistryRules | str:
    """(scan type, rules, the resource) of an aws_ecr_registry_scanning_configuration, or why it cannot be read."""
    scan_type = config.raw.get("scan_type")
    rules = config.raw.get("rule")
    if scan_type is UNKNOWN or rules is UNKNOWN or config.raw.is_unknown("rule"):
        return f"{config.address} is known only after apply"
    parsed: list[tuple[str, list[str]]] = []
    for rule in rules or []:
        if not isinstance(rule, dict):
            return f"malformed value in the plan ({config.address}.rule)"
        filters = [f.get("filter") for f in rule.get("repository_filter") or [] if isinstance(f, dict)]
        frequency = rule.get("scan_frequency")
        if not all(isinstance(f, str) for f in filters) or not isinstance(frequency, str):
            return f"malformed value in the plan ({config.address}.rule)"
        parsed.append((frequency, [str(f) for f in filters]))
    return (str(scan_type or "BASIC"), parsed, config)


def _registries(plan: Plan) -> dict[str | None, RegistryRules | str]:
    """Each region's registry scanning configuration in this plan (one registry per account and region)."""
    found: dict[str | None, RegistryRules | str] = {}
    for config in plan.of_type("aws_ecr_registry_scanning_configuration"):
        region = plan.provider_region(config.provider_key)
        if region in found:
            found[region] = f"the plan holds more than one registry scanning configuration for {region}"
        else:
            found[region] = _registry_rules(plan, config)
    return found


def ecr_repositories(plan: Plan, linker: Linker) -> list[Resource]:
    registries = _registries(plan)
    resources = []
    for resource in plan.of_type("aws_ecr_repository"):
        b = Builder(plan, resource, "ecr_repository")
        b.tags()
        name = b.take("name", "name", known_str)
        b.take("image_tag_mutability", "image_tag_mutability", known_str, default="MUTABLE")
        _ecr_encryption(b)
        own = b.take("scan_on_push", "image_scanning_configuration.0.scan_on_push", to_bool, default=False)
        b.set("scan_source", "repository")
        registry = registries.get(plan.provider_region(resource.provider_key))
        if isinstance(registry, str):
            b.unknown("scan_on_push", registry)
        elif registry is not None:
            scan_type, rules, config = registry
            b.absorb(config, "scan_on_push")
            if not isinstance(name, str):
                b.unknown("scan_on_push", f"{resource.address}.name is known only after apply")
            else:
                _registry_scan(b, name, own, scan_type, rules, config.address)
        resources.append(b.build(name=known_str(resource.raw.get("name"))))
    return resources


def _registry_scan(
    b: Builder, name: str, own: Any, scan_type: str, rules: list[tuple[str, list[str]]], address: str
) -> None:
    by_registry = ecr_registry_scans(name, rules)
    if scan_type == "ENHANCED":
        # Enhanced scanning ignores the repository's own setting: only the registry's filters count.
        scans = by_registry
    elif by_registry:
        scans = True
    elif own is UNKNOWN:
        return  # the repository's own setting decides, and it is known only after apply
    else:
        scans = own is True
    b.gaps.pop("scan_on_push", None)
    b.set("scan_on_push", scans)
    if by_registry or scan_type == "ENHANCED":
        b.set("scan_source", f"registry:{scan_type} ({address})")


def _ecr_encryption(b: Builder) -> None:
    configs = b.resource.raw.get("encryption_configuration")
    if configs is UNKNOWN:
        b.unknown("encryption_type", f"{b.resource.address}.encryption_configuration is known only after apply")
        return
    if not configs:
        default = SERVICE_DEFAULTS["ecr.encryption_type"]
        b.default("encryption_type", default.value, default.rule)
        return
    b.take("encryption_type", "encryption_configuration.0.encryption_type", known_str, default="AES256")
    b.take("kms_key", "encryption_configuration.0.kms_key", known_str)


# ---- ECS ---------------------------------------------------------------------------------------------

_ECS_FIELDS = ("container_names", "plaintext_secret_variables", "containers_without_logging")


def ecs_task_definitions(plan: Plan, linker: Linker) -> list[Resource]:
    resources = []
    for resource in plan.of_type("aws_ecs_task_definition"):
        b = Builder(plan, resource, "ecs_task_definition")
        b.tags()
        b.take("family", "family", known_str)
        raw = resource.raw.get("container_definitions")
        if raw is UNKNOWN:
            for field in _ECS_FIELDS:
                b.unknown(field, f"{resource.address}.container_definitions is known only after apply")
        else:
            _ecs_containers(b, raw)
        resources.append(b.build(name=known_str(resource.raw.get("family"))))
    return resources


def _ecs_containers(b: Builder, raw: Any) -> None:
    # The JSON is parsed here and only names leave: values (which may be secrets) are never stored.
    try:
        definitions = json.loads(raw) if isinstance(raw, str) else raw
        names = container_names(definitions)
        secrets = plaintext_secret_variables(definitions)
        unlogged = containers_without_logging(definitions)
    except (ValueError, Malformed) as exc:
        reason = exc if isinstance(exc, Malformed) else "container_definitions is not JSON"
        for field in _ECS_FIELDS:
            b.error(field, f"malformed value in the plan ({b.resource.address}: {reason})")
        return
    b.set("container_names", names)
    b.set("plaintext_secret_variables", secrets)
    b.set("containers_without_logging", unlogged)
