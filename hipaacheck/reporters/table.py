"""The human table: fits an 80-column terminal, worst first, ends with a one-line summary."""

from __future__ import annotations

import textwrap
from typing import Any

from tabulate import SEPARATING_LINE, tabulate

from ..display import redact
from ..models import Finding, Status
from ..report import EXEMPTIONS, Report
from ..safe_text import visible

# STATUS (8) + SEVERITY (10) + two gutters (4) leave 58 columns of an 80-column terminal.
_FINDING_WIDTH = 56
_SHOWN = (Status.FAIL, Status.ERROR, Status.UNKNOWN, Status.WAIVED)


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, _FINDING_WIDTH, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False)


def _cell(report: Report, finding: Finding) -> str:
    # Data is made visible before it is wrapped: a control or bidi character can neither
    # act on the terminal nor change the width tabulate measured (safe_text.visible).
    lines = [visible(finding.policy_id)]
    lines += textwrap.wrap(visible(finding.resource.address), _FINDING_WIDTH, break_on_hyphens=False) or [""]
    location = report.locate(finding)
    if location is not None:
        lines += _wrap(visible(f"at {location.file}:{location.line}"))
    lines += _wrap(visible(redact(finding.message)))
    lines += _wrap("HIPAA " + ", ".join(finding.safeguards))
    if finding.status is Status.FAIL and finding.remediation:
        # The start of the fix, so the table is actionable; JSON and Markdown carry all of it.
        lines += _wrap(textwrap.shorten("Fix: " + finding.remediation, 2 * (_FINDING_WIDTH - 2) - 10, placeholder=" …"))
    waiver = report.waiver(finding)
    if waiver is not None:
        lines += _wrap(visible(redact(waiver.describe())))
    exemption = report.exemption(finding)
    if exemption is not None:
        lines += _wrap(f"{EXEMPTIONS[exemption]}: does not fail the run")
    return "\n".join(lines)


def render_table(report: Report, show_all: bool = False) -> str:
    shown = [f for f in report.sorted_findings() if show_all or f.status in _SHOWN]
    rows: list[Any] = []
    for finding in shown:
        if rows:
            rows.append(SEPARATING_LINE)  # a rule between findings
        rows.append([finding.status.value.upper(), finding.severity.value, _cell(report, finding)])
    out: list[str] = []
    scanned = report.source.get("path") or report.source.get("kind", "")
    header = f"hipaacheck: {report.policy_count} policies on {report.resource_count} resources from {scanned}"
    out.extend(textwrap.wrap(visible(header), 80, break_on_hyphens=False, subsequent_indent="  "))
    if rows:
        out.append("")
        out.append(
            # Every cell is text: skipping tabulate's number sniffing halves its time on big plans.
            tabulate(
                rows,
                headers=["STATUS", "SEVERITY", "POLICY / RESOURCE / WHAT WAS SEEN"],
                tablefmt="simple",
                disable_numparse=True,
                colalign=("left", "left", "left"),
            )
        )
    for note in report.notes:
        out.extend(textwrap.wrap(visible(f"note: {note}"), 80, subsequent_indent="  "))
    out.extend(_waiver_lines(report))
    out.append("")
    out.extend(_summary_lines(report))
    return "\n".join(out) + "\n"


def _waiver_lines(report: Report) -> list[str]:
    """Every waiver in the file: who owns it and how many findings it covers (exemptions stay visible)."""
    lines: list[str] = []
    for waiver, covers in report.waiver_uses:
        text = (
            f"waiver {waiver.file}:{waiver.line}: {waiver.policy} on {waiver.resource}, owner {waiver.owner}, "
            f"expires {waiver.expires.isoformat()}, covers {covers} finding{'' if covers == 1 else 's'}"
        )
        lines.extend(textwrap.wrap(visible(redact(text)), 80, break_on_hyphens=False, subsequent_indent="  "))
    return lines


def _counts_text(report: Report) -> str:
    counts = report.counts()
    parts = ", ".join(
        f"{counts[s.value]} {s.value}"
        for s in (Status.FAIL, Status.PASS, Status.UNKNOWN, Status.ERROR, Status.SKIPPED, Status.WAIVED)
        if counts[s.value] or s in (Status.FAIL, Status.PASS)
    )
    return f"{len(report.findings)} findings ({parts})"


def _verdict(report: Report) -> tuple[str, str]:
    """(word, why): FAILED / INCOMPLETE with the count that decided it, or PASSED."""
    threshold = report.fail_on.value
    if report.result == "fail":
        failing = report.failing()
        unknown = sum(1 for f in failing if f.status is Status.UNKNOWN)
        why = f"{len(failing)} failing at or above {threshold}"
        return "FAILED", why + (f" ({unknown} of them unknown, --fail-on-unknown)" if unknown else "")
    if report.result == "incomplete":
        return "INCOMPLETE", f"{len(report.incomplete())} check(s) at or above {threshold} could not run"
    return "PASSED", ""


def summary_line(report: Report) -> str:
    word, why = _verdict(report)
    return f"{_counts_text(report)}. {word}: {why}" if why else f"{_counts_text(report)}. {word}"


def _summary_lines(report: Report) -> list[str]:
    """The summary as the table's last line(s); when it needs two, the last still starts with a count."""
    line = summary_line(report)
    if len(line) <= 80:
        return [line]
    word, why = _verdict(report)
    verdict = f"{why}: {word}" if why else ""
    counts = textwrap.wrap(_counts_text(report) + ("." if verdict else ". PASSED"), 80, subsequent_indent="  ")
    return counts + ([verdict] if verdict else [])
