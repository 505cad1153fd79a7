"""The edge types from a live account (moto): the same canonical fields and policies as from a plan.

One seeded account (tests/aws/seed_edge.py), one scan, many assertions; then denied reads of the
joins (flow logs, WAF association, distribution config) are errors on exactly the fields they decide.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate
from hipaacheck.models import GapKind, Resource, Status
from hipaacheck.policy.loader import load_policies
from hipaacheck.sources.aws.options import ScanOptions
from hipaacheck.sources.aws.runner import scan_account

from .conftest import REGION, in_process_moto, live_scan, of_type
from .seed_edge import seed_edge
from .test_faults import _error

POLICIES = load_policies([builtin_policy_dir()])
DENIED = ("ec2.DescribeFlowLogs", "wafv2.GetWebACLForResource", "cloudfront.GetDistributionConfig")

EXPECTED = {
    ("vpc-flow-logs-enabled", "ok-vpc"): Status.PASS,
    ("vpc-flow-logs-enabled", "bad-vpc"): Status.FAIL,  # only a subnet flow log
    ("vpc-default-security-group-closed", "ok-default-group"): Status.PASS,
    ("vpc-default-security-group-closed", "bad-default-group"): Status.FAIL,
    ("ec2-instance-no-public-ip", "ok-private-worker"): Status.PASS,
    ("ec2-instance-no-public-ip", "bad-public-worker"): Status.FAIL,
    ("ec2-instance-no-public-ip", "ok-status-page"): Status.SKIPPED,
    ("cloudfront-viewer-https-only", "ok-portal-cdn"): Status.PASS,
    ("cloudfront-min-tls12", "ok-portal-cdn"): Status.PASS,
    ("cloudfront-origin-https-only", "ok-portal-cdn"): Status.PASS,
    ("cloudfront-access-logging", "ok-portal-cdn"): Status.PASS,
    ("cloudfront-waf", "ok-portal-cdn"): Status.PASS,
    ("cloudfront-viewer-https-only", "bad-portal-cdn"): Status.FAIL,  # an ordered behavior allows HTTP
    ("cloudfront-min-tls12", "bad-portal-cdn"): Status.FAIL,  # default certificate: TLSv1 whatever it asks
    ("cloudfront-origin-https-only", "bad-portal-cdn"): Status.FAIL,
    ("cloudfront-access-logging", "bad-portal-cdn"): Status.FAIL,
    ("cloudfront-waf", "bad-portal-cdn"): Status.FAIL,
    ("api-gateway-stage-access-logging", "ok-prod"): Status.PASS,
    ("api-gateway-stage-cache-encrypted", "ok-prod"): Status.PASS,
    ("api-gateway-stage-access-logging", "bad-prod"): Status.FAIL,
    ("api-gateway-stage-cache-encrypted", "bad-prod"): Status.FAIL,
    ("api-gateway-stage-access-logging", "bad-override"): Status.PASS,
    ("api-gateway-stage-cache-encrypted", "bad-override"): Status.FAIL,  # one method caches unencrypted
    ("api-gateway-stage-access-logging", "ok-http"): Status.PASS,
    ("api-gateway-stage-cache-encrypted", "ok-http"): Status.SKIPPED,
    ("api-gateway-stage-access-logging", "bad-http"): Status.FAIL,
    ("api-gateway-domain-tls12", "ok-api.example.com"): Status.PASS,
    ("api-gateway-domain-tls12", "ok-portal-api.example.com"): Status.PASS,
    ("api-gateway-domain-tls12", "bad-api.example.com"): Status.FAIL,
    ("lb-access-logging", "ok-edge-alb"): Status.PASS,
    ("lb-drop-invalid-headers", "ok-edge-alb"): Status.PASS,
    ("lb-deletion-protection", "ok-edge-alb"): Status.PASS,
    ("lb-internet-facing-waf", "ok-edge-alb"): Status.PASS,
    ("lb-access-logging", "bad-edge-alb"): Status.FAIL,
    ("lb-drop-invalid-headers", "bad-edge-alb"): Status.FAIL,
    ("lb-deletion-protection", "bad-edge-alb"): Status.FAIL,
    ("lb-internet-facing-waf", "bad-edge-alb"): Status.FAIL,
    ("lb-access-logging", "ok-internal-nlb"): Status.PASS,
    ("lb-deletion-protection", "ok-internal-nlb"): Status.PASS,
    ("lb-drop-invalid-headers", "ok-internal-nlb"): Status.SKIPPED,
    ("lb-internet-facing-waf", "ok-internal-nlb"): Status.SKIPPED,
}


def _statuses(resources: list[Resource]) -> dict[tuple[str, str], Status]:
    return {(f.policy_id, str(f.resource.name)): f.status for f in evaluate(POLICIES, resources)}


@pytest.fixture(scope="module")
def account() -> Iterator[dict[str, Any]]:
    """A seeded account, its full scan, and scans with one join read denied at a time."""
    with in_process_moto():
        seed_edge()
        scans = {"full": live_scan()}

        def deny(**_: Any) -> Any:
            return _error("AccessDenied", "not authorized")

        def on_session(session: Any) -> None:
            for operation in DENIED:
                session.events.register(f"before-call.{operation}", deny)

        # One scan, three denied join reads: each decides fields of different resources.
        scans["denied"] = scan_account(ScanOptions(regions=(REGION,), workers=4), on_session)
        yield scans


def test_every_edge_verdict(account: dict[str, Any]) -> None:
    scan = account["full"]
    assert not scan.notes
    statuses = _statuses(scan.resources)
    assert {key: statuses.get(key) for key in EXPECTED} == EXPECTED


def test_the_default_vpc_counts_and_fails_without_flow_logs(account: dict[str, Any]) -> None:
    vpcs = [r for r in account["full"].resources if r.type == "vpc"]
    (default,) = [r for r in vpcs if r.attrs.get("is_default")]
    assert default.attrs["flow_logs_enabled"] is False
    assert default.address == f"arn:aws:ec2:{REGION}:123456789012:vpc/{default.attrs['vpc_id']}"
    statuses = {(f.policy_id, f.resource.address): f.status for f in evaluate(POLICIES, vpcs)}
    assert statuses[("vpc-flow-logs-enabled", default.address)] is Status.FAIL
    # AWS's own default group of the default VPC keeps its all-outbound rule: not closed.
    groups = of_type(account["full"].resources, "security_group")
    assert groups["default"].attrs["is_default"] is True and groups["default"].attrs["egress_rule_count"] >= 1


def test_canonical_fields_match_the_plan_shapes(account: dict[str, Any]) -> None:
    resources = account["full"].resources
    cdn = of_type(resources, "cloudfront_distribution")["bad-portal-cdn"]
    assert cdn.region is None  # CloudFront is global
    assert cdn.attrs["viewer_protocol_policies"] == ["redirect-to-https", "allow-all"]
    assert cdn.attrs["uses_default_certificate"] is True and cdn.attrs["minimum_protocol_version"] == "TLSv1"
    assert cdn.attrs["custom_origin_protocol_policies"] == ["match-viewer"]
    ok = of_type(resources, "cloudfront_distribution")["ok-portal-cdn"]
    # moto also sets CloudFrontDefaultCertificate beside an ACM certificate; AWS takes exactly one.
    assert ok.attrs["uses_default_certificate"] is False
    stages = of_type(resources, "api_gateway_stage")
    assert stages["ok-prod"].attrs["api_kind"] == "rest" and stages["ok-http"].attrs["api_kind"] == "http"
    assert stages["ok-prod"].address.startswith(f"arn:aws:apigateway:{REGION}::/restapis/")
    assert stages["ok-http"].address.startswith(f"arn:aws:apigateway:{REGION}::/apis/")
    domains = of_type(resources, "api_gateway_domain")
    assert (
        domains["ok-portal-api.example.com"].address
        == f"arn:aws:apigateway:{REGION}::/domainnames/ok-portal-api.example.com"
    )
    balancers = of_type(resources, "load_balancer")
    assert balancers["ok-internal-nlb"].attrs == {
        "tags": {},
        "lb_type": "network",
        "internal": True,
        "access_logs_enabled": True,
        "deletion_protection": True,
    }
    assert balancers["ok-edge-alb"].address.startswith(f"arn:aws:elasticloadbalancing:{REGION}:123456789012:")


@pytest.mark.parametrize(
    ("operation", "resource_type", "name", "field", "policy"),
    [
        ("ec2.DescribeFlowLogs", "vpc", "ok-vpc", "flow_logs_enabled", "vpc-flow-logs-enabled"),
        (
            "wafv2.GetWebACLForResource",
            "load_balancer",
            "ok-edge-alb",
            "waf_web_acl_associated",
            "lb-internet-facing-waf",
        ),
        (
            "cloudfront.GetDistributionConfig",
            "cloudfront_distribution",
            "ok-portal-cdn",
            "logging_enabled",
            "cloudfront-access-logging",
        ),
    ],
)
def test_a_denied_join_read_is_an_error_never_a_pass(
    account: dict[str, Any], operation: str, resource_type: str, name: str, field: str, policy: str
) -> None:
    scan = account["denied"]
    resource = of_type(scan.resources, resource_type)[name]
    assert resource.gaps[field].kind is GapKind.ERROR
    assert set(resource.gaps) == {field}  # only what the read decides
    assert _statuses(scan.resources)[(policy, name)] is Status.ERROR
