"""Every real plan in the shared corpus (40 plans written by others) is read and evaluated."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate
from hipaacheck.models import Finding, Severity, Status
from hipaacheck.policy.loader import load_policies
from hipaacheck.safeguards import is_valid_citation
from hipaacheck.sources.terraform import load_plan_resources

from .conftest import CORPUS, FIXTURES

PLANS = sorted(CORPUS.glob("*.json")) if CORPUS.is_dir() else []
POLICIES = load_policies([builtin_policy_dir()])


@pytest.mark.skipif(not PLANS, reason="corpus fixtures/corpus/terraform-plans is absent")
def test_corpus_has_all_forty_plans() -> None:
    assert len(PLANS) == 40


FIXTURE_PLANS = sorted(FIXTURES.glob("*/plan.json"))


def assert_complete(finding: Finding) -> None:
    """The README's promise for every finding: resource, policy, citation, severity, seen vs expected, fix."""
    where = f"{finding.policy_id} on {finding.resource.address}"
    assert finding.resource.address and finding.resource.type, where
    assert finding.policy_id and finding.title, where
    assert finding.safeguards and all(is_valid_citation(c) for c in finding.safeguards), where
    assert isinstance(finding.severity, Severity), where
    assert finding.remediation.strip(), where
    assert finding.message.strip(), where
    if finding.status in (Status.PASS, Status.FAIL):
        # A verdict shows what was seen against what was expected, for each deciding requirement.
        assert finding.evidence, where
        for item in finding.evidence:
            assert item.key and item.observed and item.expected, where
            assert item.expected in finding.message and item.observed in finding.message, where
    if finding.status is Status.PASS:
        # Nothing undetermined may be reported as a pass.
        assert not any(e.undetermined for e in finding.evidence), finding.message


@pytest.mark.parametrize(
    "path", PLANS + FIXTURE_PLANS, ids=[p.name for p in PLANS] + [p.parent.name for p in FIXTURE_PLANS]
)
def test_every_finding_is_complete(path: Path) -> None:
    _, resources = load_plan_resources(path)
    findings = evaluate(POLICIES, resources)
    assert findings, "every plan yields at least the account-level findings"
    for finding in findings:
        assert_complete(finding)


@pytest.mark.skipif(not PLANS, reason="corpus absent")
def test_corpus_spot_checks() -> None:
    """A few verdicts on plans written by others, checked by hand against their sources."""
    results = {}
    for name in ("tfc__kms_rotation_fail.json", "tfc__kms_rotation_pass.json", "regula__sg_ingress_anywhere.json"):
        _, resources = load_plan_resources(CORPUS / name)
        for f in evaluate(POLICIES, resources):
            results[(name, f.policy_id, f.resource.address)] = f.status
    fails = [k for k, v in results.items() if v is Status.FAIL]
    rotation = {k[0]: v for k, v in results.items() if k[1] == "kms-key-rotation"}
    assert rotation == {"tfc__kms_rotation_fail.json": Status.FAIL, "tfc__kms_rotation_pass.json": Status.PASS}
    sg = {
        k[2]
        for k in fails
        if k[0] == "regula__sg_ingress_anywhere.json" and k[1] == "security-group-no-internet-admin-ports"
    }
    assert sg == {"aws_security_group.invalid_allow_all"}
