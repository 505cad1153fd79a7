"""The canonical resource types: one pydantic schema per type, in one registry.

Policies name a type and key paths into its schema; both are checked
against this registry when a policy is loaded. Sources (Terraform plans,
live AWS) produce attribute dicts in these shapes.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from . import strict_check
from .backup import BackupPlan, BackupVault
from .base import Canonical
from .changes import DataStoreDeletion
from .containers import DocdbCluster, EcrRepository, EcsTaskDefinition, EksCluster, OpensearchDomain, RedshiftCluster
from .copies_secrets import DbSnapshot, EbsSnapshot, LambdaFunction, MachineImage, SecretsManagerSecret
from .database import DbCluster, DbInstance, DynamoDbTable, ElasticacheReplicationGroup
from .edge import ApiGatewayDomain, ApiGatewayStage, CloudfrontDistribution, LoadBalancer, Vpc
from .identity import Account, AccountRegion, IamPolicy, IamPrincipal, KmsKey
from .identity_posture import AcmCertificate, ConfigRecorder, IamRole, IamUser
from .logging import Cloudtrail, CloudwatchLogGroup
from .messaging import SnsTopic, SqsQueue
from .network import Ec2Instance, LbListener, SecurityGroup
from .storage import EbsVolume, EfsFileSystem, S3Bucket

RESOURCE_TYPES: dict[str, type[Canonical]] = {
    "s3_bucket": S3Bucket,
    "kms_key": KmsKey,
    "db_instance": DbInstance,
    "db_cluster": DbCluster,
    "ebs_volume": EbsVolume,
    "efs_file_system": EfsFileSystem,
    "dynamodb_table": DynamoDbTable,
    "elasticache_replication_group": ElasticacheReplicationGroup,
    "security_group": SecurityGroup,
    "lb_listener": LbListener,
    "ec2_instance": Ec2Instance,
    "cloudtrail": Cloudtrail,
    "cloudwatch_log_group": CloudwatchLogGroup,
    "iam_policy": IamPolicy,
    "iam_principal": IamPrincipal,
    "sqs_queue": SqsQueue,
    "sns_topic": SnsTopic,
    "account": Account,
    "account_region": AccountRegion,
    "data_store_deletion": DataStoreDeletion,
    "iam_user": IamUser,
    "iam_role": IamRole,
    "config_recorder": ConfigRecorder,
    "acm_certificate": AcmCertificate,
    "backup_plan": BackupPlan,
    "backup_vault": BackupVault,
    "eks_cluster": EksCluster,
    "ecr_repository": EcrRepository,
    "ecs_task_definition": EcsTaskDefinition,
    "redshift_cluster": RedshiftCluster,
    "opensearch_domain": OpensearchDomain,
    "docdb_cluster": DocdbCluster,
    "vpc": Vpc,
    "cloudfront_distribution": CloudfrontDistribution,
    "api_gateway_stage": ApiGatewayStage,
    "api_gateway_domain": ApiGatewayDomain,
    "load_balancer": LoadBalancer,
    "db_snapshot": DbSnapshot,
    "ebs_snapshot": EbsSnapshot,
    "machine_image": MachineImage,
    "secretsmanager_secret": SecretsManagerSecret,
    "lambda_function": LambdaFunction,
}

# Scalar kinds a policy value is checked against.
FieldKind = typing.Literal["bool", "int", "float", "str", "list", "map", "object"]


@dataclass(frozen=True, slots=True)
class FieldInfo:
    kind: FieldKind
    item_kind: FieldKind | None = None  # element kind of a list, value kind of a map
    description: str = ""


def _strip_optional(annotation: Any) -> Any:
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _kind(annotation: Any) -> FieldKind:
    annotation = _strip_optional(annotation)
    origin = typing.get_origin(annotation)
    if origin is list:
        return "list"
    if origin is dict:
        return "map"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "object"
    return {bool: "bool", int: "int", float: "float", str: "str"}.get(annotation, "str")  # type: ignore[return-value]


def field_info(type_name: str, path: str) -> FieldInfo | None:
    """Describe the field at dotted ``path`` of a canonical type, or None if there is none.

    A map (e.g. ``tags``) accepts any key below it; lists and scalars end a path.
    """
    model: type[BaseModel] | None = RESOURCE_TYPES.get(type_name)
    if model is None:
        return None
    parts = path.split(".")
    for i, part in enumerate(parts):
        if model is None:
            return None
        field = model.model_fields.get(part)
        if field is None:
            return None
        annotation = _strip_optional(field.annotation)
        kind = _kind(annotation)
        last = i == len(parts) - 1
        if kind == "object":
            if last:
                return FieldInfo("object", description=field.description or "")
            model = annotation
            continue
        if kind == "map":
            value_kind = _kind(typing.get_args(annotation)[1])
            if last:
                return FieldInfo("map", value_kind, field.description or "")
            return FieldInfo(value_kind, description=field.description or "") if i == len(parts) - 2 else None
        if not last:
            return None
        item = _kind(typing.get_args(annotation)[0]) if kind == "list" else None
        return FieldInfo(kind, item, field.description or "")
    return None


def validation_problems(type_name: str, attrs: dict[str, Any]) -> dict[str, str]:
    """Check attrs against the schema (pydantic's strict rules: strict_check); {dotted path: problem}."""
    return problems_by_path(strict_check.problems(RESOURCE_TYPES[type_name], attrs))


def problems_by_path(found: Iterable[tuple[tuple[str | int, ...], str]]) -> dict[str, str]:
    """{dotted path: first problem} from (location, message) pairs; a path stops at its first list
    index, since the whole list field is suspect then."""
    problems: dict[str, str] = {}
    for loc, message in found:
        parts: list[str] = []
        for part in loc:
            if isinstance(part, int):
                break
            parts.append(str(part))
        problems.setdefault(".".join(parts) or "(root)", message)
    return problems


def quarantine_malformed(type_name: str, attrs: dict[str, Any]) -> dict[str, str]:
    """Remove every field that does not fit the schema from ``attrs``; return {path: problem}.

    A value of the wrong shape must not decide a check: sources turn each
    returned path into an error gap, so dependent checks report ``error``.
    """
    problems = validation_problems(type_name, attrs)
    for path in problems:
        if path == "(root)":
            attrs.clear()
            continue
        parts = path.split(".")
        node: Any = attrs
        for part in parts[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node.pop(parts[-1], None)
    return problems


def schema_rows(type_name: str) -> list[tuple[str, str, str]]:
    """(path, kind, description) for every field of a type, nested objects expanded."""
    rows: list[tuple[str, str, str]] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            annotation = _strip_optional(field.annotation)
            kind = _kind(annotation)
            rows.append((prefix + name, kind, field.description or ""))
            if kind == "object":
                walk(annotation, prefix + name + ".")

    walk(RESOURCE_TYPES[type_name], "")
    return rows
