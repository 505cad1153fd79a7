"""docs/coverage.md: every AWS Config HIPAA rule and Prowler HIPAA check is mapped, to real policies, and the page is current."""

from __future__ import annotations

import re
import subprocess
import sys

from hipaacheck.coverage import PAGE, REGENERATE, SOURCES, load, problems, render
from hipaacheck.policy.loader import load_policies

from .conftest import ROOT

POLICIES = {p.id: p for p in load_policies([ROOT / "policies"])}

# Policies other engineers build in this session (HELPERS.md, issue 14): the mapping names them
# already; they join the built-in pack when the integrator merges those branches. Integrator:
# once merged, test_pending_policies_are_still_missing fails for each one that now exists --
# delete it from this set and re-run scripts/generate-coverage.
PENDING_INTEGRATION: frozenset[str] = frozenset()


def test_every_rule_and_check_is_mapped_to_built_in_policies_or_says_why_none() -> None:
    sources, mapping = load(ROOT)
    found = problems(sources, mapping, set(POLICIES) | PENDING_INTEGRATION)
    assert not found, "\n".join(found)
    # The lists are the real ones, not a sample: 130 Config rules, 95 Prowler checks at the pinned commits.
    assert len(sources["aws_config"]["rules"]) == 130 and len(sources["prowler"]["checks"]) == 95
    assert {s.key for s in SOURCES} == set(mapping)


def test_pending_policies_are_still_missing() -> None:
    arrived = sorted(PENDING_INTEGRATION & set(POLICIES))
    assert not arrived, f"now built in: remove from PENDING_INTEGRATION and run {REGENERATE}: {arrived}"


def test_attested_entries_name_real_attestation_items() -> None:
    from hipaacheck.attest.template import ITEMS

    items = {item.id for item in ITEMS}
    _, mapping = load(ROOT)
    named = {e["attestation"] for section in mapping.values() for e in section.values() if e.get("attestation")}
    assert named and named <= items, named - items


def test_a_missing_rule_or_an_unknown_policy_is_reported() -> None:
    sources, mapping = load(ROOT)
    broken = {key: dict(entries) for key, entries in mapping.items()}
    del broken["aws_config"]["access-keys-rotated"]
    broken["prowler"]["securityhub_enabled"] = {"policies": ["no-such-policy"]}
    broken["prowler"]["guardduty_is_enabled"] = {"none": "attested", "why": "x"}
    found = problems(sources, broken, set(POLICIES))
    assert "aws_config: access-keys-rotated is not mapped" in found
    assert "prowler: securityhub_enabled: no-such-policy is not a built-in policy" in found
    assert "prowler: guardduty_is_enabled: attested names its attestation item" in found


def test_committed_page_is_current() -> None:
    sources, mapping = load(ROOT)
    page = render(sources, mapping, POLICIES)
    assert (ROOT / PAGE).read_text(encoding="utf-8") == page, f"docs/coverage.md is stale: run {REGENERATE}"
    # Every source id appears in the page, and every built-in policy mapped is linked to its page.
    for source in SOURCES:
        for item in sources[source.key][source.list_key]:
            assert f"| `{item['id']}` |" in page
    linked = set(re.findall(r"\]\(policies/([a-z0-9-]+)\.md\)", page))
    assert linked and linked <= set(POLICIES)
    assert (ROOT / "README.md").read_text(encoding="utf-8").count("docs/coverage.md") >= 1


def test_the_script_checks_and_exits_zero_when_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate-coverage"), "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
