"""The collector registry: every collector, and so every call a scan can make."""

from __future__ import annotations

from ..context import Collector
from . import (
    account,
    analytics,
    backup,
    containers,
    datastores,
    ec2,
    edge,
    edge_api,
    elb,
    iam,
    identity_posture,
    kms,
    logs,
    messaging,
    rds,
    s3,
)

# Regional collectors run once per scanned region, global ones once per scan.
COLLECTORS: tuple[Collector, ...] = (
    ec2.REGION_COLLECTOR,
    s3.COLLECTOR,
    kms.COLLECTOR,
    rds.COLLECTOR,
    ec2.COLLECTOR,
    datastores.EFS,
    datastores.DYNAMODB,
    datastores.ELASTICACHE,
    elb.V2,
    elb.CLASSIC,
    logs.TRAILS,
    logs.LOG_GROUPS,
    iam.COLLECTOR,
    messaging.SQS,
    messaging.SNS,
    account.COLLECTOR,
    identity_posture.IDENTITIES,
    identity_posture.CONFIG,
    identity_posture.ACM,
    backup.COLLECTOR,
    containers.EKS,
    containers.ECR,
    containers.ECS,
    analytics.REDSHIFT,
    analytics.OPENSEARCH,
    analytics.DOCDB,
    edge.VPCS,
    edge.CLOUDFRONT,
    edge_api.COLLECTOR,
)
