"""The human table: fits an 80-column terminal, worst first, ends with a one-line summary."""

from __future__ import annotations

import textwrap

from tabulate import tabulate

from ..display import redact
from ..models import Finding, Status
from ..report import Report

_FINDING_WIDTH = 40
_SHOWN = (Status.FAIL, Status.ERROR, Status.UNKNOWN, Status.WAIVED)


def _cell(finding: Finding) -> str:
    lines = [finding.policy_id]
    lines += textwrap.wrap(finding.resource.address, _FINDING_WIDTH, break_on_hyphens=False) or [""]
    lines += textwrap.wrap(redact(finding.message), _FINDING_WIDTH, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(lines)


def render_table(report: Report, show_all: bool = False) -> str:
    shown = [f for f in report.sorted_findings() if show_all or f.status in _SHOWN]
    rows = [[f.status.value.upper(), f.severity.value, _cell(f), "\n".join(f.safeguards)] for f in shown]
    out: list[str] = []
    scanned = report.source.get("path") or report.source.get("kind", "")
    out.append(f"hipaacheck: {report.policy_count} policies on {report.resource_count} resources from {scanned}")
    if rows:
        out.append("")
        out.append(
            tabulate(rows, headers=["STATUS", "SEVERITY", "POLICY / RESOURCE / WHY", "SAFEGUARD"], tablefmt="simple")
        )
    for note in report.notes:
        out.append(f"note: {note}")
    out.append("")
    out.append(summary_line(report))
    return "\n".join(out) + "\n"


def summary_line(report: Report) -> str:
    counts = report.counts()
    parts = ", ".join(
        f"{counts[s.value]} {s.value}"
        for s in (Status.FAIL, Status.PASS, Status.UNKNOWN, Status.ERROR, Status.SKIPPED, Status.WAIVED)
        if counts[s.value] or s in (Status.FAIL, Status.PASS)
    )
    verdict = (
        f"FAILED: {len(report.failing())} failing at or above {report.fail_on.value}" if report.exit_code else "PASSED"
    )
    return f"{len(report.findings)} findings ({parts}). {verdict}"
