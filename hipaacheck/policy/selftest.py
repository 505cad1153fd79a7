"""Run each policy's own examples: pass examples must pass, fail examples must fail."""

from __future__ import annotations

from collections.abc import Sequence

from ..engine import evaluate_one
from ..models import Resource, Status
from .model import Policy


def run_examples(policies: Sequence[Policy]) -> list[str]:
    """Descriptions of every example that did not give its expected status."""
    failures: list[str] = []
    for policy in policies:
        cases = (
            (Status.PASS, policy.pass_examples),
            (Status.FAIL, policy.fail_examples),
            (Status.SKIPPED, policy.skip_examples),
        )
        for expected, examples in cases:
            for i, attrs in enumerate(examples):
                resource = Resource(policy.resource_type, f"examples.{expected.value}[{i}]", "example", attrs)
                finding = evaluate_one(policy, resource)
                if finding.status is not expected:
                    failures.append(
                        f"{policy.file}: {policy.id} {expected.value} example {i + 1} gave {finding.status.value}: {finding.message}"
                    )
    return failures
