"""A scan's result: what was scanned, the findings, the summary, and the exit decision."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .models import Finding, Severity, Status

# Order in which statuses are listed: what needs attention first.
STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.UNKNOWN, Status.WAIVED, Status.SKIPPED, Status.PASS)
_STATUS_RANK = {status: i for i, status in enumerate(STATUS_ORDER)}


@dataclass
class Report:
    source: dict[str, Any]
    findings: list[Finding]
    fail_on: Severity = Severity.LOW
    policy_count: int = 0
    resource_count: int = 0
    notes: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counter = Counter(f.status for f in self.findings)
        return {status.value: counter.get(status, 0) for status in Status}

    def failing(self) -> list[Finding]:
        """Failures at or above the threshold: these decide the exit code."""
        return [f for f in self.findings if f.status is Status.FAIL and f.severity.rank >= self.fail_on.rank]

    @property
    def exit_code(self) -> int:
        return 1 if self.failing() else 0

    def sorted_findings(self) -> list[Finding]:
        return sorted(
            self.findings,
            key=lambda f: (_STATUS_RANK[f.status], -f.severity.rank, f.policy_id, f.resource.address),
        )
