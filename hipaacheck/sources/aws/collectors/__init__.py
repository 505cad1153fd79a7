"""The collector registry: every collector, and so every call a scan can make."""

from __future__ import annotations

from ..context import Collector
from . import account, copies, datastores, ec2, elb, iam, kms, logs, messaging, rds, s3, secrets

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
    copies.DB_SNAPSHOTS,
    copies.EBS_SNAPSHOTS,
    copies.IMAGES,
    secrets.SECRETS,
    secrets.FUNCTIONS,
)
