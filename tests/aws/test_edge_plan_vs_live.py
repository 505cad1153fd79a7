"""One policy serves both sources for the edge types: edge_live's plan and its deployed account agree.

fixtures/terraform/edge_live/*.tf is applied with real Terraform against a fresh moto server
(VPCs with flow logs, default security groups, instances, ALBs with a WAFv2 association, REST and
HTTP API stages with method settings, API Gateway domains, CloudFront distributions), planned again
(a no-op plan whose prior state holds every ARN) and both the plan and the live account are scanned.
Every edge policy's verdict on every planned resource must be the same on both sides: no
differences are allowed here.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate
from hipaacheck.models import Resource
from hipaacheck.policy.loader import load_policies
from hipaacheck.sources.terraform import load_plan_resources

from ..conftest import FIXTURES
from .conftest import REGION
from .test_plan_vs_live import _arns, _live_address, _not_managed
from .tools import apply_plan_and_scan, moto_server, terraform_workspace

SCENARIO = FIXTURES / "edge_live"
# The services this scenario reaches, beyond what scripts/generate-fixtures points at moto.
SERVICES = ("ec2", "iam", "sts", "logs", "elbv2", "wafv2", "apigateway", "apigatewayv2", "cloudfront")
EDGE_POLICIES = {
    "vpc-flow-logs-enabled",
    "vpc-default-security-group-closed",
    "ec2-instance-no-public-ip",
    "cloudfront-viewer-https-only",
    "cloudfront-min-tls12",
    "cloudfront-origin-https-only",
    "cloudfront-access-logging",
    "cloudfront-waf",
    "api-gateway-stage-access-logging",
    "api-gateway-stage-cache-encrypted",
    "api-gateway-domain-tls12",
    "lb-access-logging",
    "lb-drop-invalid-headers",
    "lb-deletion-protection",
    "lb-internet-facing-waf",
}

# Resources the second plan updates because moto reports them differently from what it stored, and why.
MOTO_DRIFT = {
    "aws_cloudfront_distribution.ok": "moto returns CloudFrontDefaultCertificate = true beside the ACM certificate "
    "(AWS takes exactly one); derive.edge.uses_default_certificate reads the certificate, as AWS does",
    "aws_cloudfront_distribution.bad": "moto adds a ForwardedValues block beside the cache policy and echoes the "
    "viewer certificate's flags differently from what was sent",
}
# (policy, plan address) -> (plan, live, why): where the deployed moto account cannot agree.
DIFFERENCES = {
    ("ec2-instance-no-public-ip", "aws_instance.ok"): (
        "fail",
        "pass",
        "moto describes the instance's network interface with an empty Association object although it has no "
        "public IP (AWS leaves Association out); the provider then records associate_public_ip_address = true "
        "in the state the no-op plan shows. The live scan reads PublicIpAddress, which moto leaves out.",
    ),
}

pytestmark = [
    pytest.mark.terraform,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform binary not installed"),
]


def _override(url: str) -> str:
    endpoints = "\n".join(f'    {service:<12} = "{url}"' for service in SERVICES)
    return f'provider "aws" {{\n  skip_requesting_account_id = false\n\n  endpoints {{\n{endpoints}\n  }}\n}}\n'


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Resource]]]:
    ws = terraform_workspace(tmp_path_factory, "edge-plan-vs-live", SCENARIO)
    gen, src, work = ws.gen, ws.src, ws.work
    with moto_server(work) as moto:
        (src / gen.OVERRIDE_NAME).write_text(_override(moto.url))
        yield apply_plan_and_scan(ws, moto, REGION)


def test_edge_plan_and_live_scans_agree(deployed: tuple[Path, list[Resource]]) -> None:
    plan_path, live_resources = deployed
    plan = json.loads(plan_path.read_text())
    changed = {rc["address"]: rc["change"] for rc in plan["resource_changes"] if rc["change"]["actions"] != ["no-op"]}
    unexplained = {a: c["actions"] for a, c in changed.items() if a not in MOTO_DRIFT}
    assert not unexplained, unexplained  # the applied configuration plans clean
    _, plan_resources = load_plan_resources(plan_path)
    policies = [p for p in load_policies([builtin_policy_dir()]) if p.id in EDGE_POLICIES]
    arns = _arns(plan)
    live = {(f.policy_id, f.resource.address): f for f in evaluate(policies, live_resources)}
    compared: dict[tuple[str, str], tuple[str, str]] = {}
    for finding in evaluate(policies, plan_resources):
        if _not_managed(finding):
            continue
        key = (finding.policy_id, str(_live_address(finding.resource, arns)))
        assert key in live, f"{key} evaluated in the plan but not in the live scan"
        compared[(finding.policy_id, finding.resource.address)] = (finding.status.value, live[key].status.value)
    # Every edge policy is compared, on its passing and its failing resource.
    assert {policy for policy, _ in compared} == EDGE_POLICIES
    assert {status for status, _ in compared.values()} >= {"pass", "fail"}
    differences = {pair: statuses for pair, statuses in compared.items() if statuses[0] != statuses[1]}
    assert differences == {pair: (plan, live) for pair, (plan, live, _) in DIFFERENCES.items()}, differences
