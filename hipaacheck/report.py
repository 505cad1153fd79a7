"""A scan's result: what was scanned, the findings, the summary, and the exit decision.

Besides the findings themselves a report carries what CI adds on top of a
scan: waivers that turned failures into ``waived``, failures already known
from a baseline, resources a ``--changed-only`` run does not gate, and where
each finding's resource is written in the Terraform sources. The engine
knows none of this; ``emit`` fills it in after the scan.

The exit decision (``exit_code``, ``result``):

* 1 ``fail`` -- a ``fail`` finding at or above --fail-on that no waiver,
  baseline or --changed-only excuses. Failures win over everything else.
  With --fail-on-unknown an ``unknown`` finding at or above --fail-on counts
  the same way: a change that makes a safeguard known only after apply is
  then reviewed, not waved through.
* 3 ``incomplete`` -- no such failure, but a check at or above --fail-on could
  not run (an ``error`` finding: a denied, throttled or unreachable read, a
  malformed value), on a resource --changed-only does not leave out. The
  report is complete; the verdict is not, so CI must not read it as a pass.
  --allow-incomplete turns this back into 0. ``unknown`` (known only after
  apply) and ``skipped`` never make a scan incomplete: a plan cannot know them
  (``unknown`` gates only under --fail-on-unknown, as a failure).
* 0 ``pass`` -- otherwise.

--exit-zero (soft fail) keeps ``result`` as it is and makes the exit code 0.

Exit 2 (bad input, no report) is decided before a report exists, in cli.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from .models import Finding, Severity, Status

if TYPE_CHECKING:
    from .policy.model import Policy

# Order in which statuses are listed: what needs attention first.
STATUS_ORDER = (Status.FAIL, Status.ERROR, Status.UNKNOWN, Status.WAIVED, Status.SKIPPED, Status.PASS)
_STATUS_RANK = {status: i for i, status in enumerate(STATUS_ORDER)}

# (policy id, resource address, account): stable across runs. The account tells apart the same
# address in two accounts of a merged report (a plan's address, or an S3 bucket's ARN, names none).
FindingKey = tuple[str, str, str | None]

EXIT_PASS, EXIT_FAIL, EXIT_INCOMPLETE = 0, 1, 3

# The furthest a waiver may expire from today (--max-waiver-days, config max-waiver-days).
DEFAULT_MAX_WAIVER_DAYS = 365


def finding_key(finding: Finding) -> FindingKey:
    return (finding.policy_id, finding.resource.address, finding.resource.account)


@dataclass(frozen=True, slots=True)
class Waiver:
    """One accepted risk: a policy (glob) on a resource (glob), with who, why and until when."""

    policy: str
    resource: str
    reason: str
    owner: str
    expires: date
    file: str
    line: int
    account: str | None = None  # an account id (or glob) the waiver is limited to; None: any account

    def as_dict(self) -> dict[str, Any]:
        listed: dict[str, Any] = {
            "policy": self.policy,
            "resource": self.resource,
            "reason": self.reason,
            "owner": self.owner,
            "expires": self.expires.isoformat(),
            "file": self.file,
            "line": self.line,
        }
        if self.account is not None:
            listed["account"] = self.account
        return listed

    def describe(self) -> str:
        return f"waived until {self.expires.isoformat()} by {self.owner}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a resource is written: a path relative to the source root (POSIX separators), 1-based lines."""

    file: str
    line: int
    end_line: int | None = None


class Locator(Protocol):
    def locate(self, finding: Finding) -> Location | None: ...


# How each reporter words Report.exemption().
EXEMPTIONS = {"baseline": "already in the baseline", "unchanged": "resource not changed by the plan"}


@dataclass
class Report:
    source: dict[str, Any]
    findings: list[Finding]
    fail_on: Severity = Severity.LOW
    policy_count: int = 0
    resource_count: int = 0
    notes: list[str] = field(default_factory=list)
    # Set by emit when CI features are in use; all optional.
    policies: list[Policy] = field(default_factory=list)
    waivers: dict[FindingKey, Waiver] = field(default_factory=dict)
    waiver_uses: list[tuple[Waiver, int]] = field(default_factory=list)  # every waiver in the file, findings covered
    in_baseline: set[FindingKey] = field(default_factory=set)
    not_gated: set[FindingKey] = field(default_factory=set)  # --changed-only: resource not changed by the plan
    gate: dict[str, Any] = field(default_factory=dict)  # how the exit code was decided (files, flags)
    locator: Locator | None = None
    allow_incomplete: bool = False  # --allow-incomplete: checks that could not run do not change the exit code
    # One time for every format of one run (JSON generated_at, ASFF CreatedAt, OCSF time).
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    # Where Security Hub findings are imported (--asff-account / --asff-region); see reporters.asff.
    asff_account: str | None = None
    asff_region: str | None = None
    exit_zero: bool = False  # --exit-zero: report everything, exit 0 (bad input is still exit 2)
    # What was asked for: --policy/--skip-policy/--min-severity, the config file, parameter values in force.
    selection: dict[str, Any] = field(default_factory=dict)
    config_file: str | None = None
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    fail_on_unknown: bool = False  # --fail-on-unknown: unknown findings at or above fail_on gate like failures

    def counts(self) -> dict[str, int]:
        counter = Counter(f.status for f in self.findings)
        return {status.value: counter.get(status, 0) for status in Status}

    def counts_by_account(self) -> dict[str, dict[str, int]]:
        """``counts()`` per account, for the findings that name one (a plan's name none: ``{}``)."""
        counters: dict[str, Counter[Status]] = {}
        for finding in self.findings:
            if finding.resource.account:
                counters.setdefault(finding.resource.account, Counter())[finding.status] += 1
        return {
            account: {status.value: counter.get(status, 0) for status in Status}
            for account, counter in sorted(counters.items())
        }

    def gates(self, finding: Finding) -> bool:
        """A failure counts for the exit code unless the baseline knows it or --changed-only leaves it out."""
        return self.exemption(finding) is None

    def exemption(self, finding: Finding) -> str | None:
        """Why a finding does not gate: "baseline" or "unchanged" (see EXEMPTIONS), or None."""
        key = finding_key(finding)
        if key in self.in_baseline:
            return "baseline"
        if key in self.not_gated:
            return "unchanged"
        return None

    def decides(self, finding: Finding) -> bool:
        """A failure (or, with --fail-on-unknown, an unknown) at or above the threshold that nothing excuses."""
        gating_status = finding.status is Status.FAIL or (self.fail_on_unknown and finding.status is Status.UNKNOWN)
        return gating_status and finding.severity.rank >= self.fail_on.rank and self.gates(finding)

    def failing_unknown(self) -> list[Finding]:
        """The unknown findings among ``failing()`` (only ever non-empty with --fail-on-unknown)."""
        return [f for f in self.failing() if f.status is Status.UNKNOWN]

    def failing(self) -> list[Finding]:
        """Failures at or above the threshold: these decide the exit code."""
        return [f for f in self.findings if self.decides(f)]

    def leaves_incomplete(self, finding: Finding) -> bool:
        """A check at or above the threshold that could not run, on a resource that gates."""
        return (
            finding.status is Status.ERROR
            and not self.allow_incomplete
            and finding.severity.rank >= self.fail_on.rank
            and self.gates(finding)
        )

    def incomplete(self) -> list[Finding]:
        """Checks that could not run and keep the verdict open: exit 3 when nothing fails."""
        return [f for f in self.findings if self.leaves_incomplete(f)]

    def counts_for_exit(self, finding: Finding) -> bool:
        return self.decides(finding) or self.leaves_incomplete(finding)

    @property
    def result(self) -> str:
        """fail, incomplete or pass: the exit code in words (JSON ``result``, step output ``result``)."""
        if self.failing():
            return "fail"
        return "incomplete" if self.incomplete() else "pass"

    @property
    def exit_code(self) -> int:
        if self.exit_zero:
            return EXIT_PASS
        return {"fail": EXIT_FAIL, "incomplete": EXIT_INCOMPLETE}.get(self.result, EXIT_PASS)

    def waiver(self, finding: Finding) -> Waiver | None:
        return self.waivers.get(finding_key(finding)) if finding.status is Status.WAIVED else None

    def locate(self, finding: Finding) -> Location | None:
        return self.locator.locate(finding) if self.locator is not None else None

    def sorted_findings(self) -> list[Finding]:
        return sorted(
            self.findings,
            key=lambda f: (
                _STATUS_RANK[f.status],
                -f.severity.rank,
                f.policy_id,
                f.resource.address,
                f.resource.account or "",
            ),
        )
