"""The shared resource-policy reader, service by service (tests/derive/service_cases.yaml).

The same reader serves the plan (sources/terraform/adapters/resource_policies.py, secrets.py)
and the live source (sources/aws/collectors/resource_policies.py); the scenario
fixtures/terraform/secrets_policies and tests/aws/test_copies_secrets_live.py run these
variants through both.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from hipaacheck.derive.resource_policy import SERVICES, resource_policy_facts

HERE = Path(__file__).parent
ARNS = {
    "s3": "arn:aws:s3:::claims",
    "sqs": "arn:aws:sqs:us-east-1:111122223333:claims",
    "sns": "arn:aws:sns:us-east-1:111122223333:alerts",
    "efs": "arn:aws:elasticfilesystem:us-east-1:111122223333:file-system/fs-0123",
    "kms": "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "lambda": "arn:aws:lambda:us-east-1:111122223333:function:intake",
    "secretsmanager": "arn:aws:secretsmanager:us-east-1:111122223333:secret:claims/db-AbCdEf",
}
CASES = yaml.safe_load((HERE / "service_cases.yaml").read_text())["cases"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CASES])
def test_service_profile(case: dict[str, Any]) -> None:
    service = case["service"]
    document = {"Version": "2012-10-17", "Statement": case["statements"]}
    facts = resource_policy_facts(document, ARNS[service], SERVICES[service])
    assert "public" in case or "denies" in case
    if "public" in case:
        assert facts.public is case["public"]
    if "denies" in case:
        assert facts.denies_insecure_transport is case["denies"]


def test_every_service_has_cases() -> None:
    assert {c["service"] for c in CASES} == set(SERVICES)


@pytest.mark.parametrize(
    ("service", "resource", "expected"),
    [
        pytest.param("sqs", "*", True, id="Resource * covers a queue known only after apply"),
        pytest.param("sqs", "arn:aws:sqs:*:*:*", True, id="every queue of every account covers it"),
        pytest.param("sqs", "arn:aws:sqs:us-east-1:111122223333:claims", None, id="a literal ARN may be it: unknown"),
        pytest.param("efs", "arn:aws:elasticfilesystem:*:*:file-system/*", True, id="every file system covers it"),
        pytest.param("sns", "arn:aws:sqs:*:*:*", False, id="another service's ARNs never cover a topic"),
    ],
)
def test_an_arn_known_only_after_apply(service: str, resource: str, expected: bool | None) -> None:
    action = {"sqs": "sqs:*", "efs": "*", "sns": "sns:*"}[service]
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    facts = resource_policy_facts({"Statement": [deny]}, None, SERVICES[service])
    assert facts.denies_insecure_transport is expected
