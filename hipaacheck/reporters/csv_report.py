"""CSV for auditors' spreadsheets: one row per finding, a fixed header, RFC 4180 quoting.

Spreadsheet formula injection is neutralised: a cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return (what Excel, LibreOffice
and Google Sheets read as a formula or strip) gets a leading apostrophe, so a
bucket named ``=HYPERLINK(...)`` shows as text. The apostrophe is the OWASP
recommendation; it is visible in the cell, which is the point: the value is
shown as it was, not evaluated.
"""

from __future__ import annotations

import csv
import io

from ..display import redact
from ..models import Finding
from ..report import Report
from .findings_export import source_label

COLUMNS = (
    "status",
    "severity",
    "policy_id",
    "title",
    "safeguards",
    "resource_type",
    "resource_address",
    "resource_name",
    "region",
    "account",
    "source",
    "message",
    "remediation",
    "file",
    "line",
    "gating",
    "waiver",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _row(report: Report, finding: Finding) -> list[str]:
    resource = finding.resource
    location = report.locate(finding)
    waiver = report.waiver(finding)
    values = [
        finding.status.value,
        finding.severity.value,
        finding.policy_id,
        finding.title,
        "; ".join(finding.safeguards),
        resource.type,
        resource.address,
        resource.name or "",
        resource.region or "",
        resource.account or "",
        source_label(report, finding),
        redact(finding.message),
        finding.remediation.strip(),
        location.file if location else "",
        str(location.line) if location else "",
        "yes" if report.counts_for_exit(finding) else "no",
        waiver.describe() if waiver else "",
    ]
    return [neutralise(value) for value in values]


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for finding in report.sorted_findings():
        writer.writerow(_row(report, finding))
    return buffer.getvalue()
