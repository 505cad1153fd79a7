"""Plan (intended state) and live scan (deployed state) of the same system, counted once.

When a Terraform plan and a live account scan both show the same resource,
the live finding is the one counted: it is what is deployed now. The plan's
finding for that resource is kept beside it as the intended state, and not
counted again. The rule is stated on the page (``RULE``) in these words.

"The same resource" means: the same check, the same resource type and the
same name (a bucket, table, role, key alias... as AWS names it), in the same
region and account when both reports say which. A plan resource without a
name (an account-wide setting, a listener, a root volume) is never merged:
guessing which deployed resource it is could hide a gap.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .inputs import FindingRecord

PLAN, LIVE = "terraform-plan", "aws"

RULE = (
    "When a Terraform plan (intended state) and a live scan (deployed state) both show the same resource "
    "(the same check, resource type and name, in the same region and account when both say which), the live "
    "finding is counted, because it is what is deployed now; the plan's finding is shown beside it as the "
    "intended state and is not counted again. A resource only in the plan is counted as intended state (not yet "
    "deployed, or not scanned live); a plan resource without a name (an account-wide setting, a listener, a root "
    "volume) is never merged."
)


@dataclass
class Merged:
    counted: list[FindingRecord]  # every finding the pack counts
    intended: dict[int, FindingRecord] = field(default_factory=dict)  # id(live finding) -> the plan's finding
    superseded: list[FindingRecord] = field(default_factory=list)  # plan findings not counted

    def differs(self) -> list[tuple[FindingRecord, FindingRecord]]:
        """(deployed, intended) pairs whose statuses differ: the plan would change the result."""
        by_id = {id(f): f for f in self.counted}
        return [(by_id[k], plan) for k, plan in self.intended.items() if by_id[k].status is not plan.status]


def _agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def merge(findings: list[FindingRecord]) -> Merged:
    live: dict[tuple[str, str, str], list[FindingRecord]] = defaultdict(list)
    for finding in findings:
        if finding.kind == LIVE and finding.name:
            live[(finding.policy_id, finding.resource_type, finding.name)].append(finding)
    merged = Merged(counted=[])
    for finding in findings:
        if finding.kind == PLAN and finding.name:
            candidates = [
                f
                for f in live.get((finding.policy_id, finding.resource_type, finding.name), [])
                if _agree(f.region, finding.region) and _agree(f.account, finding.account)
            ]
            if candidates:
                merged.intended.setdefault(id(candidates[0]), finding)
                merged.superseded.append(finding)
                continue
        merged.counted.append(finding)
    return merged
