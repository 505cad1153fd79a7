"""The organisation view of the pack: per account, how its scan went and which safeguards it fails.

Shown when the current reports cover more than one AWS account, or come from
``hipaacheck merge``. Each account's row gives the totals of its findings and,
for every Security Rule specification the findings cite, the account's status
on it: the number failing, else the worst status of its findings there (error,
unknown, waived, pass), or nothing when no finding of the account cites it.
An account that could not be scanned (its role could not be assumed) says so
and why; it is never shown as passing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..display import redact
from ..models import Status
from ..report import STATUS_ORDER
from ..safeguards import SPECIFICATIONS, Specification, resolve
from .inputs import FindingRecord, ScanReport

_RANK = {status: i for i, status in enumerate(STATUS_ORDER)}


@dataclass(frozen=True)
class Cell:
    status: Status  # the worst status of the account's findings citing the specification
    failing: int  # how many of them fail

    @property
    def text(self) -> str:
        return f"fail {self.failing}" if self.status is Status.FAIL else self.status.value


@dataclass
class AccountRow:
    id: str
    name: str | None
    regions: list[str]
    scanned_at: str  # when its scan ran, as the pages show times
    error: str | None  # why it could not be scanned, when it could not
    source: str  # the report it comes from
    recorded: bool = True  # False: only findings name the account (a report without source.accounts)
    counts: Counter[str] = field(default_factory=Counter)
    cells: dict[str, Cell] = field(default_factory=dict)  # citation -> status

    @property
    def label(self) -> str:
        return self.id + (f" ({self.name})" if self.name else "")

    @property
    def scan(self) -> str:
        if self.error is not None:
            return f"could not be scanned: {self.error}"
        return "scanned" if self.recorded else "no scan recorded (named by findings)"


@dataclass
class AccountView:
    rows: list[AccountRow]
    specifications: list[Specification]  # the matrix's columns, in the Security Rule's order

    def failing_accounts(self) -> int:
        return sum(1 for row in self.rows if row.counts.get("fail", 0))

    def error_accounts(self) -> int:
        return sum(1 for row in self.rows if row.error is not None)


def account_entries(report: ScanReport) -> list[dict[str, Any]]:
    accounts = report.source.get("accounts")
    if isinstance(accounts, list):
        return [a for a in accounts if isinstance(a, dict) and isinstance(a.get("id"), str)]
    if report.source.get("kind") == "aws" and isinstance(report.source.get("account"), str):
        regions = report.source.get("regions")
        return [
            {
                "id": report.source["account"],
                "regions": regions if isinstance(regions, list) else [],
                "finished_at": report.generated_at.isoformat(),
            }
        ]
    return []


def scan_time(entry: dict[str, Any], fallback: datetime, when: Any) -> str:
    started, finished = entry.get("started_at"), entry.get("finished_at")
    try:
        shown = [when(datetime.fromisoformat(t)) for t in (started, finished) if isinstance(t, str)]
    except ValueError:
        shown = []
    if not shown:
        return str(when(fallback))
    return shown[0] if len(shown) == 1 or shown[0] == shown[1] else f"{shown[0]} to {shown[1]}"


def account_view(current: list[ScanReport], findings: list[FindingRecord], when: Any) -> AccountView | None:
    """The per-account rows and matrix, or None when the reports cover one account (or none) and no merge."""
    rows: dict[str, AccountRow] = {}
    for report in current:
        for entry in account_entries(report):
            account = str(entry["id"])
            if account in rows:
                continue
            error = entry.get("error") if entry.get("status") == "error" else None
            rows[account] = AccountRow(
                id=redact(account),
                name=redact(entry["name"]) if isinstance(entry.get("name"), str) and entry["name"] else None,
                regions=[redact(str(r)) for r in entry.get("regions") or []],
                scanned_at=scan_time(entry, report.generated_at, when),
                error=redact(str(error or "no reason recorded")) if entry.get("status") == "error" else None,
                source=report.label,
            )
    for finding in findings:
        if finding.account and finding.account not in rows:
            rows[finding.account] = AccountRow(
                finding.account, finding.account_name, [], "-", None, finding.source, recorded=False
            )
    merged = any(r.source.get("kind") == "merged" for r in current)
    if len(rows) < 2 and not merged:
        return None
    worst: dict[tuple[str, str], Status] = {}
    failing: Counter[tuple[str, str]] = Counter()
    cited: set[str] = set()
    for finding in findings:
        row = rows.get(finding.account or "")
        if row is None:
            continue
        row.name = row.name or finding.account_name
        row.counts[finding.status.value] += 1
        if finding.status is Status.SKIPPED:
            continue
        for citation in {s.citation for s in map(resolve, finding.safeguards) if s is not None}:
            cited.add(citation)
            key = (row.id, citation)
            if key not in worst or _RANK[finding.status] < _RANK[worst[key]]:
                worst[key] = finding.status
            failing[key] += finding.status is Status.FAIL
    by_account: dict[str, dict[str, Cell]] = defaultdict(dict)
    for (account, citation), status in worst.items():
        by_account[account][citation] = Cell(status, failing[(account, citation)])
    for row in rows.values():
        row.cells = by_account.get(row.id, {})
    return AccountView(
        rows=[rows[k] for k in sorted(rows)],
        specifications=[spec for spec in SPECIFICATIONS if spec.citation in cited],
    )
