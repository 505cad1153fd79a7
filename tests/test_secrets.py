"""Secrets in a plan never reach any output.

The noncompliant fixture carries canaries: a sensitive DB password (which
Terraform writes in plain text into the plan), an access key id in a tag and
a secret key in user data.
"""

from __future__ import annotations

import json

import pytest

from .conftest import FIXTURES, run_cli

CANARIES = ("CANARY-db-password-0000", "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
PLAN = FIXTURES / "noncompliant" / "plan.json"


def test_canaries_are_in_the_plan() -> None:
    text = PLAN.read_text()
    for canary in CANARIES[:2]:
        assert canary in text  # the test would prove nothing otherwise


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_no_output_format_contains_a_canary(fmt: str) -> None:
    result = run_cli("scan", "plan", str(PLAN), "--format", fmt, "--show-passed")
    assert result.code == 1
    for canary in CANARIES:
        assert canary not in result.out and canary not in result.err


def test_compliant_report_has_no_sensitive_values() -> None:
    assert "CANARY-redis-auth-token-0000" in (FIXTURES / "compliant" / "plan.json").read_text()
    report = run_cli("scan", "plan", str(FIXTURES / "compliant" / "plan.json"), "--format", "json").out
    assert json.loads(report)["findings"]
    assert "CANARY" not in report
