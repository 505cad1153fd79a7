"""Every real plan in the shared corpus (40 plans written by others) is read and evaluated."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.engine import evaluate
from hipaacheck.models import Status
from hipaacheck.policy.loader import load_policies
from hipaacheck.sources.terraform import load_plan_resources

from .conftest import CORPUS

PLANS = sorted(CORPUS.glob("*.json")) if CORPUS.is_dir() else []
POLICIES = load_policies([builtin_policy_dir()])


@pytest.mark.skipif(not PLANS, reason="corpus fixtures/corpus/terraform-plans is absent")
def test_corpus_has_all_forty_plans() -> None:
    assert len(PLANS) == 40


@pytest.mark.parametrize("path", PLANS, ids=[p.name for p in PLANS])
def test_corpus_plan_evaluates(path: Path) -> None:
    _, resources = load_plan_resources(path)
    findings = evaluate(POLICIES, resources)
    assert findings, "every plan yields at least the account-level findings"
    for finding in findings:
        assert finding.status in Status
        assert finding.message
        # Nothing undetermined may be reported as a pass.
        if finding.status is Status.PASS:
            assert not any(e.undetermined for e in finding.evidence), finding.message


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
