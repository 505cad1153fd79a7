"""Each fixture scenario's expected.yaml lists the exact status of every (policy, resource) pair."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.models import Severity
from hipaacheck.policy.loader import load_policies
from hipaacheck.scan import scan_plan

from .conftest import FIXTURES

SCENARIOS = sorted(p.parent for p in FIXTURES.glob("*/expected.yaml"))
POLICIES = load_policies([builtin_policy_dir()])


def test_every_scenario_has_a_plan_and_expectations() -> None:
    names = {p.name for p in SCENARIOS}
    assert names >= {"compliant", "noncompliant", "modules_unknowns", "lifecycle", "scope_change"}
    for scenario in SCENARIOS:
        assert (scenario / "plan.json").is_file()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario_matches_expected(scenario: Path) -> None:
    expected_doc = yaml.safe_load((scenario / "expected.yaml").read_text())
    expected = {
        (policy, address): status
        for address, statuses in expected_doc["findings"].items()
        for policy, status in statuses.items()
    }
    # The scan a user runs: policy findings plus the plan's scope-change findings.
    findings = scan_plan(scenario / "plan.json", POLICIES, Severity.LOW).findings
    actual = {(f.policy_id, f.resource.address): f.status.value for f in findings}
    missing = sorted(set(expected) - set(actual))
    extra = sorted(set(actual) - set(expected))
    wrong = sorted((k, expected[k], actual[k]) for k in set(expected) & set(actual) if expected[k] != actual[k])
    assert not missing and not extra and not wrong, (
        f"missing={missing}\nextra={extra}\nwrong (pair, expected, actual)={wrong}"
    )
