"""Every built-in policy is valid and its own examples behave as declared."""

from __future__ import annotations

from typing import Any

import pytest

from hipaacheck.builtin import builtin_policy_dir
from hipaacheck.policy.loader import load_policies
from hipaacheck.policy.selftest import run_examples

POLICIES = load_policies([builtin_policy_dir()])


@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_policy_examples(policy: Any) -> None:
    assert run_examples([policy]) == []


def test_pack_spans_the_technical_safeguards() -> None:
    cited = {c for p in POLICIES for c in p.safeguards}
    for citation in (
        "164.312(a)(2)(iv)",
        "164.312(e)(1)",
        "164.312(e)(2)(ii)",
        "164.312(a)(1)",
        "164.312(d)",
        "164.312(b)",
        "164.308(a)(1)(ii)(D)",
        "164.312(c)(1)",
        "164.308(a)(7)(ii)(A)",
    ):
        assert citation in cited, citation
    assert len(POLICIES) >= 25


def test_policies_test_command_counts_examples() -> None:
    from .conftest import run_cli

    result = run_cli("policies", "test")
    assert result.code == 0, result.out
    total = sum(len(p.pass_examples) + len(p.fail_examples) + len(p.skip_examples) for p in POLICIES)
    assert f"{total} passed, 0 failed" in result.out
