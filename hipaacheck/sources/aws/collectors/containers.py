"""EKS clusters, ECR repositories (with the registry's scanning rules), ECS task definitions.

The derived fields come from hipaacheck.derive.containers, as in the plan adapters.
"""

from __future__ import annotations

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
from ..builder import LiveBuilder, placeholder, tag_map
from ..calls import ALL_FIELDS, Call, calls
from ..context import Collector, Context

EKS_CALLS = calls(
    Call("eks", "list_clusters", "eks:ListClusters", (ALL_FIELDS,), paginate=True),
    Call("eks", "describe_cluster", "eks:DescribeCluster", (ALL_FIELDS,)),
)
ECR_CALLS = calls(
    Call("ecr", "describe_repositories", "ecr:DescribeRepositories", (ALL_FIELDS,), paginate=True),
    Call("ecr", "get_registry_scanning_configuration", "ecr:GetRegistryScanningConfiguration", ("scan_on_push",)),
    Call("ecr", "list_tags_for_resource", "ecr:ListTagsForResource", ("tags",)),
)
ECS_CALLS = calls(
    Call("ecs", "list_task_definitions", "ecs:ListTaskDefinitions", (ALL_FIELDS,), paginate=True),
    Call("ecs", "describe_task_definition", "ecs:DescribeTaskDefinition", (ALL_FIELDS,)),
)


def collect_eks(ctx: Context) -> list[Resource]:
    c, region = EKS_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["list_clusters"], region)
    if listing.error:
        return [placeholder("eks_cluster", ctx.where, listing.error)]
    resources = []
    for name in listing.data.get("clusters", []):
        b = LiveBuilder("eks_cluster", ctx.where.arn("eks", f"cluster/{name}"), ctx.where)
        b.set("name", name)
        described = ctx.fetch.call(c["describe_cluster"], region, name=name)
        if not b.failed(c["describe_cluster"], described):
            _eks_cluster(b, described.data.get("cluster") or {})
        resources.append(b.build(name))
    return resources


def _eks_cluster(b: LiveBuilder, cluster: dict[str, Any]) -> None:
    b.address = cluster.get("arn") or b.address
    b.tags(tag_map(cluster.get("tags")))
    pairs = [
        (list(config.get("resources") or []), (config.get("provider") or {}).get("keyArn"))
        for config in cluster.get("encryptionConfig") or []
        if isinstance(config, dict)
    ]
    key = eks_secrets_key(pairs)
    b.set("secrets_encrypted", key is not None)
    b.set("secrets_kms_key_arn", key)
    vpc = cluster.get("resourcesVpcConfig") or {}
    # AWS always reports both; an answer without them gets the documented defaults (as a plan does),
    # never "private".
    public_raw = vpc.get("endpointPublicAccess")
    public = SERVICE_DEFAULTS["eks.endpoint_public_access"].value if public_raw is None else public_raw is True
    b.set("endpoint_public_access", public)
    cidrs_raw = vpc.get("publicAccessCidrs")
    cidrs = [str(c) for c in (cidrs_raw or SERVICE_DEFAULTS["eks.public_access_cidrs"].value)]
    if public:
        b.set("public_access_cidrs", sorted(cidrs))
        try:
            b.set("endpoint_open_to_internet", eks_endpoint_open_to_internet(True, cidrs))
        except BadAddress as exc:
            b.error(["endpoint_open_to_internet"], f"unexpected value from AWS ({exc})")
    else:
        b.set("endpoint_open_to_internet", False)
    enabled = [
        str(t)
        for setup in (cluster.get("logging") or {}).get("clusterLogging") or []
        if isinstance(setup, dict) and setup.get("enabled") is True
        for t in setup.get("types") or []
    ]
    b.set("log_types", sorted(enabled))


def collect_ecr(ctx: Context) -> list[Resource]:
    c, region = ECR_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["describe_repositories"], region)
    if listing.error:
        return [placeholder("ecr_repository", ctx.where, listing.error)]
    repositories = listing.data.get("repositories", [])
    registry = ctx.fetch.call(c["get_registry_scanning_configuration"], region) if repositories else None
    resources = []
    for repo in repositories:
        name = repo.get("repositoryName")
        arn = repo.get("repositoryArn") or ctx.where.arn("ecr", f"repository/{name}")
        b = LiveBuilder("ecr_repository", arn, ctx.where)
        b.set("name", name)
        b.set("image_tag_mutability", repo.get("imageTagMutability"))
        encryption = repo.get("encryptionConfiguration") or {}
        b.set("encryption_type", encryption.get("encryptionType") or "AES256")
        b.set("kms_key", encryption.get("kmsKey"))
        own = (repo.get("imageScanningConfiguration") or {}).get("scanOnPush") is True
        b.set("scan_on_push", own)
        b.set("scan_source", "repository")
        if registry is not None and not b.failed(c["get_registry_scanning_configuration"], registry):
            _registry_scan(b, str(name), own, registry.data.get("scanningConfiguration") or {})
        tags = ctx.fetch.call(c["list_tags_for_resource"], region, resourceArn=arn)
        if not b.failed(c["list_tags_for_resource"], tags):
            b.tags(tag_map(tags.data.get("tags")))
        resources.append(b.build(name))
    return resources


def _registry_scan(b: LiveBuilder, name: str, own: bool, config: dict[str, Any]) -> None:
    scan_type = str(config.get("scanType") or "BASIC")
    rules = [
        (str(rule.get("scanFrequency")), [str(f.get("filter")) for f in rule.get("repositoryFilters") or []])
        for rule in config.get("rules") or []
        if isinstance(rule, dict)
    ]
    by_registry = ecr_registry_scans(name, rules)
    # Enhanced scanning ignores the repository's own setting: only the registry's filters count.
    b.set("scan_on_push", by_registry if scan_type == "ENHANCED" else by_registry or own)
    if by_registry or scan_type == "ENHANCED":
        b.set("scan_source", f"registry:{scan_type}")


def collect_ecs(ctx: Context) -> list[Resource]:
    c, region = ECS_CALLS, ctx.where.region
    listing = ctx.fetch.call(c["list_task_definitions"], region, status="ACTIVE")
    if listing.error:
        return [placeholder("ecs_task_definition", ctx.where, listing.error)]
    resources = []
    for arn in listing.data.get("taskDefinitionArns", []):
        b = LiveBuilder("ecs_task_definition", arn, ctx.where)
        described = ctx.fetch.call(c["describe_task_definition"], region, taskDefinition=arn, include=["TAGS"])
        name = str(arn).rsplit("/", 1)[-1]
        if not b.failed(c["describe_task_definition"], described):
            definition = described.data.get("taskDefinition") or {}
            b.set("family", definition.get("family"))
            b.tags(tag_map(described.data.get("tags"), key="key", value="value"))
            _ecs_containers(b, definition.get("containerDefinitions"))
        resources.append(b.build(name))
    return resources


def _ecs_containers(b: LiveBuilder, definitions: Any) -> None:
    # Only names are kept: the values (which may be secrets) never enter the canonical form.
    try:
        b.set("container_names", container_names(definitions))
        b.set("plaintext_secret_variables", plaintext_secret_variables(definitions))
        b.set("containers_without_logging", containers_without_logging(definitions))
    except Malformed as exc:
        fields = ("container_names", "plaintext_secret_variables", "containers_without_logging")
        b.error(fields, f"unexpected value from AWS ({exc})")


EKS = Collector("eks", ("eks_cluster",), EKS_CALLS, collect_eks)
ECR = Collector("ecr", ("ecr_repository",), ECR_CALLS, collect_ecr)
ECS = Collector("ecs", ("ecs_task_definition",), ECS_CALLS, collect_ecs)
