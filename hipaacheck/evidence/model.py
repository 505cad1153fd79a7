"""The evidence pack: everything the HTML and Markdown pages show, computed once from the inputs.

The renderers only lay this out; they never count. Every number in the pack
is derived here from the JSON scan reports and the evaluated attestations.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from .. import __version__
from ..attest.model import AttestationResult, is_placeholder
from ..matrix import MatrixRow, full_matrix
from ..models import Severity, Status
from ..report import STATUS_ORDER
from ..safeguards import SPECIFICATIONS, Specification, resolve
from .accounts import AccountView, account_view
from .charts import BarRow, TrendPoint, TrendSeries
from .deployed import Merged, merge
from .embed import Embedded
from .guidance import NextStep, ToDo, next_steps, todo
from .inputs import FindingRecord, ScanReport
from .integrity import InputFile
from .scope import ScopeRow, scope_rows
from .topics import TOPICS, TopicAnswer, answer

_STATUS_RANK = {status: i for i, status in enumerate(STATUS_ORDER)}
SEVERITIES = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


@dataclass
class EvidencePack:
    as_of: date
    created: datetime
    tool_version: str
    organization: str | None
    reports: list[ScanReport]  # every input report, oldest first
    current: list[ScanReport]  # the newest report of each scanned source
    findings: list[FindingRecord]  # of the current reports, what needs attention first
    attestation_file: str | None
    results: list[AttestationResult]
    topics: list[TopicAnswer]
    matrix: list[MatrixRow]
    trend: list[TrendSeries]
    merged: Merged  # plan vs deployed: which plan findings a live finding superseded
    inputs: list[InputFile] = field(default_factory=list)  # every file the pack was made from, with its sha256
    anchors: dict[int, str] = field(default_factory=dict)  # id(finding) -> HTML anchor
    scope: list[ScopeRow] = field(default_factory=list)
    steps: list[NextStep] = field(default_factory=list)
    todo: list[ToDo] = field(default_factory=list)
    embedded: dict[Path, Embedded] = field(default_factory=dict)  # --embed-evidence: documents in the pack
    accounts: AccountView | None = None  # several accounts (an organisation): status per account and safeguard

    def intended(self, finding: FindingRecord) -> FindingRecord | None:
        """The plan's finding this (live) finding superseded, if any."""
        return self.merged.intended.get(id(finding))

    def anchor(self, finding: FindingRecord) -> str:
        return self.anchors[id(finding)]

    def status_counts(self) -> Counter[str]:
        return Counter(f.status.value for f in self.findings)

    def attestation_counts(self) -> Counter[str]:
        return Counter(r.status.value for r in self.results)

    def coverage_counts(self) -> Counter[str]:
        return Counter(row.covered_by for row in self.matrix)

    def by_severity(self) -> list[BarRow]:
        rows = []
        for severity in SEVERITIES:
            counts = Counter(f.status.value for f in self.findings if f.severity is severity)
            rows.append(BarRow(severity.value, counts))
        return rows

    def by_safeguard(self) -> list[tuple[Specification, BarRow]]:
        """Findings per cited specification (a finding citing two specifications counts in both)."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for finding in self.findings:
            if finding.status is Status.SKIPPED:
                continue
            for citation in {s.citation for s in map(resolve, finding.safeguards) if s is not None}:
                counts[citation][finding.status.value] += 1
        return [
            (spec, BarRow(f"{spec.citation} {spec.name}", counts[spec.citation]))
            for spec in SPECIFICATIONS
            if spec.citation in counts
        ]

    def sources(self) -> list[str]:
        return sorted({r.label for r in self.current})


def build_pack(
    reports: list[ScanReport],
    results: list[AttestationResult],
    *,
    as_of: date,
    attestation_file: str | None = None,
    organization: str | None = None,
    inputs: list[InputFile] | None = None,
    embedded: dict[Path, Embedded] | None = None,
) -> EvidencePack:
    ordered = sorted(reports, key=lambda r: (r.generated_at, r.path))
    newest: dict[tuple[str, str], ScanReport] = {}
    for report in ordered:
        newest[report.identity] = report
    current = sorted(newest.values(), key=lambda r: r.label)
    merged = merge([f for r in current for f in r.findings])
    findings = sorted(
        merged.counted,
        key=lambda f: (_STATUS_RANK[f.status], -f.severity.rank, f.policy_id, f.source, f.address),
    )
    policy_cites = {f.policy_id: f.safeguards for f in findings}
    evaluations = [(f.safeguards, f.status.value) for f in findings]
    evaluations += [(r.attestation.safeguards, r.status.value) for r in results]
    pack = EvidencePack(
        as_of=as_of,
        created=datetime.now(UTC),
        tool_version=__version__,
        organization=None if organization is None or is_placeholder(organization) else organization,
        reports=ordered,
        current=current,
        findings=findings,
        attestation_file=attestation_file,
        results=sorted(results, key=lambda r: (r.status is Status.PASS, r.attestation.line)),
        topics=[answer(topic, findings, results) for topic in TOPICS],
        matrix=full_matrix(policy_cites, [r.attestation for r in results], evaluations),
        trend=_trend(ordered),
        merged=merged,
        inputs=list(inputs or []),
        embedded=dict(embedded or {}),
    )
    pack.anchors = {id(f): f"f-{i + 1}" for i, f in enumerate(findings)}
    pack.scope = scope_rows(current, when)
    pack.accounts = account_view(current, findings, when)
    pack.steps = next_steps(pack.topics)
    pack.todo = todo(findings, pack.anchors, pack.results, merged.intended)
    return pack


def when(moment: datetime) -> str:
    """A scan time as the pages show it."""
    return moment.strftime("%Y-%m-%d %H:%M") + (
        " UTC" if moment.utcoffset() == timedelta(0) else moment.strftime(" %z")
    )


def _trend(reports: list[ScanReport]) -> list[TrendSeries]:
    """One series per scanned source; shown only when some source was scanned at two or more times."""
    by_source: dict[str, list[TrendPoint]] = defaultdict(list)
    for report in reports:
        counts = report.counts()
        by_source[report.label].append(TrendPoint(report.generated_at, counts.get("fail", 0), counts.get("pass", 0)))
    if not any(len({p.when for p in points}) > 1 for points in by_source.values()):
        return []
    return [TrendSeries(label, tuple(points)) for label, points in sorted(by_source.items())]
