"""Least privilege, proved: every API operation a full scan makes is allowed by `hipaacheck permissions`.

The IAM action each operation needs is worked out here independently of the
collectors' declarations: "<signing name>:<OperationName>", except for the
operations whose IAM action is named differently (from the AWS Service
Authorization Reference).
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore import xform_name

from hipaacheck.sources.aws.options import ScanOptions
from hipaacheck.sources.aws.permissions import actions, all_calls
from hipaacheck.sources.aws.runner import scan_account

from .conftest import REGION
from .seed import seed_account
from .seed_edge import seed_edge

# (boto3 service, operation) -> IAM action, where the action is not "<signing name>:<operation>".
IRREGULAR = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "GetObjectLockConfiguration"): "s3:GetBucketObjectLockConfiguration",
    ("s3", "GetBucketReplication"): "s3:GetReplicationConfiguration",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    # API Gateway authorises its management API by HTTP verb on resource paths (REST and v2 alike).
    ("apigateway", "GetRestApis"): "apigateway:GET",
    ("apigateway", "GetStages"): "apigateway:GET",
    ("apigateway", "GetDomainNames"): "apigateway:GET",
    ("apigatewayv2", "GetApis"): "apigateway:GET",
    ("apigatewayv2", "GetStages"): "apigateway:GET",
    ("apigatewayv2", "GetDomainNames"): "apigateway:GET",
}


class Recorder:
    def __init__(self) -> None:
        self.calls: set[tuple[str, str, str]] = set()  # (service, operation, signing name)
        self.lock = threading.Lock()

    def attach(self, session: boto3.Session) -> None:
        session.events.register("before-call", self.record)

    def record(self, model: Any, **_: Any) -> None:
        service = model.service_model
        with self.lock:
            self.calls.add((service.service_name, model.name, service.signing_name))


def test_every_call_of_a_full_scan_is_in_the_policy(mocked: None) -> None:
    seed_account()
    seed_edge()
    recorder = Recorder()
    scan = scan_account(ScanOptions(regions=(REGION, "eu-west-1"), workers=4), recorder.attach)
    assert not scan.notes  # a full scan: no read failed, so every path ran
    allowed = set(actions())
    declared = {(c.service, c.operation) for c in all_calls()}
    needed = {IRREGULAR.get((svc, op), f"{signing}:{op}") for svc, op, signing in recorder.calls}
    assert needed <= allowed, sorted(needed - allowed)
    undeclared = {(svc, op) for svc, op, _ in recorder.calls if (svc, xform_name(op)) not in declared}
    assert not undeclared
    # The recording is not trivially small: the scan went through every collector.
    services = {svc for svc, _, _ in recorder.calls}
    assert services >= {"s3", "s3control", "kms", "rds", "ec2", "efs", "dynamodb", "elasticache", "elbv2", "elb"}
    assert services >= {"cloudtrail", "logs", "iam", "sqs", "sns", "guardduty", "sts"}
    assert services >= {
        "cloudfront",
        "apigateway",
        "apigatewayv2",
        "wafv2",
        "config",
        "acm",
        "securityhub",
        "secretsmanager",
        "lambda",
    }


def test_declared_actions_agree_with_the_independent_mapping() -> None:
    session = boto3.Session(region_name=REGION)
    for call in all_calls():
        model = session.client(call.service).meta.service_model
        operation = next(name for name in model.operation_names if xform_name(name) == call.operation)
        expected = IRREGULAR.get((call.service, operation), f"{model.signing_name}:{operation}")
        assert call.action == expected, call
