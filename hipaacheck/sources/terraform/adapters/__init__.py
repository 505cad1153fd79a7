"""Adapters from Terraform resource types to canonical resources, in one explicit registry."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ....display import redact
from ....models import Gap, GapKind, Resource
from ....resource_types import RESOURCE_TYPES
from ..plan import Plan
from ..references import Linker
from .account import account_regions, accounts
from .analytics import docdb_clusters, opensearch_domains, redshift_clusters
from .backup import backup_plans, backup_vaults
from .builder import SOURCE
from .compute import ebs_volumes, ec2_instances, efs_file_systems
from .containers import ecr_repositories, ecs_task_definitions, eks_clusters
from .copies import db_snapshots, ebs_snapshots, machine_images
from .database import db_clusters, db_instances, dynamodb_tables, elasticache_groups
from .deletions import data_store_deletions
from .edge import cloudfront_distributions, vpcs
from .edge_api import api_gateway_domains, api_gateway_stages
from .edge_lb import load_balancers
from .identity import iam_policies, kms_keys
from .identity_posture import acm_certificates, config_recorders, iam_roles, iam_users
from .logs import cloudtrails, log_groups
from .messaging import sns_topics, sqs_queues
from .network import lb_listeners, security_groups
from .principals import iam_principals
from .resource_policies import FILE_SYSTEM, KEY, QUEUE, TOPIC, with_resource_policy
from .s3 import s3_buckets
from .secrets import SECRET, lambda_functions, secretsmanager_secrets

if TYPE_CHECKING:
    from ..hcl_sources import TerraformSources

Adapter = Callable[[Plan, Linker], list[Resource]]

# canonical type -> the adapter that builds every resource of that type from a plan
ADAPTERS: dict[str, Adapter] = {
    "s3_bucket": s3_buckets,
    "kms_key": with_resource_policy(kms_keys, KEY),
    "db_instance": db_instances,
    "db_cluster": db_clusters,
    "ebs_volume": ebs_volumes,
    "efs_file_system": with_resource_policy(efs_file_systems, FILE_SYSTEM),
    "dynamodb_table": dynamodb_tables,
    "elasticache_replication_group": elasticache_groups,
    "security_group": security_groups,
    "lb_listener": lb_listeners,
    "ec2_instance": ec2_instances,
    "cloudtrail": cloudtrails,
    "cloudwatch_log_group": log_groups,
    "iam_policy": iam_policies,
    "iam_principal": iam_principals,
    "sqs_queue": with_resource_policy(sqs_queues, QUEUE),
    "sns_topic": with_resource_policy(sns_topics, TOPIC),
    "account": accounts,
    "account_region": account_regions,
    "data_store_deletion": data_store_deletions,
    "iam_user": iam_users,
    "iam_role": iam_roles,
    "config_recorder": config_recorders,
    "acm_certificate": acm_certificates,
    "backup_plan": backup_plans,
    "backup_vault": backup_vaults,
    "eks_cluster": eks_clusters,
    "ecr_repository": ecr_repositories,
    "ecs_task_definition": ecs_task_definitions,
    "redshift_cluster": redshift_clusters,
    "opensearch_domain": opensearch_domains,
    "docdb_cluster": docdb_clusters,
    "vpc": vpcs,
    "cloudfront_distribution": cloudfront_distributions,
    "api_gateway_stage": api_gateway_stages,
    "api_gateway_domain": api_gateway_domains,
    "load_balancer": load_balancers,
    "db_snapshot": db_snapshots,
    "ebs_snapshot": ebs_snapshots,
    "machine_image": machine_images,
    "secretsmanager_secret": with_resource_policy(secretsmanager_secrets, SECRET),
    "lambda_function": lambda_functions,
}


def adapt_plan(plan: Plan, sources: TerraformSources | None = None) -> list[Resource]:
    linker = Linker(plan, sources.locals_references if sources is not None else None, sources)
    resources: list[Resource] = []
    for canonical_type, adapter in ADAPTERS.items():
        try:
            resources.extend(adapter(plan, linker))
        except Exception as exc:
            # A plan shaped in a way no adapter expected must not end the scan with a
            # traceback, nor drop the type: every check of the type reports error.
            resources.append(_unreadable(plan, canonical_type, exc))
    return resources


def _unreadable(plan: Plan, canonical_type: str, exc: Exception) -> Resource:
    detail = redact(str(exc))[:200]
    reason = f"the plan's {canonical_type} resources could not be read ({type(exc).__name__}: {detail})"
    plan.notes.append(f"{reason}; every {canonical_type} check reports error")
    gaps = {name: Gap(GapKind.ERROR, reason) for name in RESOURCE_TYPES[canonical_type].model_fields}
    return Resource(
        type=canonical_type,
        address=f"plan/{canonical_type}/*",
        source=SOURCE,
        attrs={},
        gaps=gaps,
        name=f"every {canonical_type} (unreadable)",
    )
