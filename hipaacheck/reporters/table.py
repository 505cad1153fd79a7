"""The human table: fits an 80-column terminal, worst first, ends with a one-line summary."""

from __future__ import annotations

import functools
import textwrap

from ..display import redact, show_value
from ..models import Finding, Status
from ..report import EXEMPTIONS, Report
from ..safe_text import visible

# STATUS (8) + SEVERITY (10) + two gutters (4) leave 58 columns of an 80-column terminal.
_FINDING_WIDTH = 56
_SHOWN = (Status.FAIL, Status.ERROR, Status.UNKNOWN, Status.WAIVED)


def account_label(account: str, name: str | None) -> str:
    return f"account {account}" + (f" ({name})" if name else "")


def _wrap(text: str) -> list[str]:
    return list(_wrapped(text))


# A policy's citations, fix and usual messages repeat on every resource it fails: textwrap was most
# of the table's time on large plans, so each distinct text is wrapped once.
@functools.lru_cache(maxsize=8192)
def _wrapped(text: str) -> tuple[str, ...]:
    return tuple(
        textwrap.wrap(text, _FINDING_WIDTH, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False)
    )


@functools.lru_cache(maxsize=1024)
def _fix(remediation: str) -> tuple[str, ...]:
    return _wrapped(textwrap.shorten("Fix: " + remediation, 2 * (_FINDING_WIDTH - 2) - 10, placeholder=" …"))


def _cell(report: Report, finding: Finding) -> str:
    # Data is made visible before it is wrapped: a control or bidi character can neither
    # act on the terminal nor change the width tabulate measured (safe_text.visible).
    lines = [visible(finding.policy_id)]
    lines += textwrap.wrap(visible(finding.resource.address), _FINDING_WIDTH, break_on_hyphens=False) or [""]
    if report.source.get("kind") == "merged" and finding.resource.account:
        lines += _wrap(visible(redact(account_label(finding.resource.account, finding.resource.account_name))))
    location = report.locate(finding)
    if location is not None:
        lines += _wrap(visible(f"at {location.file}:{location.line}"))
    lines += _wrap(visible(redact(finding.message)))
    lines += _wrap("HIPAA " + ", ".join(finding.safeguards))
    if finding.status is Status.FAIL and finding.remediation:
        # The start of the fix, so the table is actionable; JSON and Markdown carry all of it.
        lines += _fix(finding.remediation)
    waiver = report.waiver(finding)
    if waiver is not None:
        lines += _wrap(visible(redact(waiver.describe())))
    exemption = report.exemption(finding)
    if exemption is not None:
        lines += _wrap(f"{EXEMPTIONS[exemption]}: does not fail the run")
    return "\n".join(lines)


# ANSI SGR colours for the STATUS column and the verdict; only on a terminal (see emit.use_colour).
_COLOURS = {
    Status.FAIL: "31;1",
    Status.ERROR: "35;1",
    Status.UNKNOWN: "33",
    Status.WAIVED: "36",
    Status.SKIPPED: "2",
    Status.PASS: "32",
}
_VERDICT_COLOURS = {"FAILED": "31;1", "INCOMPLETE": "35;1", "PASSED": "32;1"}


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if colour else text


def _header(report: Report) -> list[str]:
    source = report.source
    if source.get("kind") == "aws":
        regions = source.get("regions") or []
        scanned = f"AWS account {source.get('account') or '?'}"
        if isinstance(source.get("organization"), dict):  # --org / --accounts: several accounts
            accounts = source.get("accounts") or []
            failed = sum(1 for a in accounts if isinstance(a, dict) and a.get("status") == "error")
            org_id = source["organization"].get("id")
            scanned = f"AWS organization {org_id}, " if org_id else "AWS "
            scanned += f"{len(accounts)} account(s)" + (f" ({failed} not scanned)" if failed else "")
        if source.get("caller_arn"):
            scanned += f" as {source['caller_arn']}"
        scanned += f", {len(regions)} region(s): {', '.join(regions)}" if regions else ", no regions"
    elif source.get("kind") == "merged":
        accounts = [a for a in source.get("accounts") or [] if isinstance(a, dict)]
        failed = sum(1 for a in accounts if a.get("status") == "error")
        named = {str(a.get("id")) for a in accounts} | {
            f.resource.account for f in report.findings if f.resource.account
        }
        scanned = f"a merge of {len(source.get('inputs') or [])} report(s): {len(named)} account(s)"
        scanned += f" ({failed} not scanned)" if failed else ""
    else:
        scanned = str(source.get("path") or source.get("kind", ""))
    lines = [f"hipaacheck: {report.policy_count} policies on {report.resource_count} resources from {redact(scanned)}"]
    selection = report.selection
    chosen = [f"--policy {p}" for p in selection.get("policy", [])]
    chosen += [f"--skip-policy {p}" for p in selection.get("skip_policy", [])]
    if selection.get("min_severity"):
        chosen.append(f"--min-severity {selection['min_severity']}")
    if chosen:
        lines.append("selected: " + " ".join(chosen))
    if report.config_file:
        lines.append(f"config: {report.config_file}")
    changed = [
        f"{policy_id}.{name}={show_value(item['value'])}"
        for policy_id, values in report.parameters.items()
        for name, item in values.items()
        if item["origin"] != "default"
    ]
    if changed:
        lines.append("parameters: " + ", ".join(changed))
    out: list[str] = []
    for line in lines:
        # Data is made visible before it is wrapped (safe_text.visible): no control or bidi character acts.
        out.extend(textwrap.wrap(visible(line), 80, break_on_hyphens=False, subsequent_indent="  "))
    return out


def render_table(report: Report, show_all: bool = False, compact: bool = False, colour: bool = False) -> str:
    shown = [f for f in report.sorted_findings() if show_all or f.status in _SHOWN]
    out = _header(report)
    if shown and compact:
        out.append("")
        out.extend(_compact_line(report, f, colour) for f in shown)
    elif shown:
        rows = [(finding.status, finding.severity.value, _cell(report, finding)) for finding in shown]
        out.append("")
        out.append(_findings_grid(rows, colour))
    for note in report.notes:
        out.extend(textwrap.wrap(visible(f"note: {redact(note)}"), 80, subsequent_indent="  "))
    out.extend(_waiver_lines(report))
    out.append("")
    out.extend(_summary_lines(report, colour))
    return "\n".join(out) + "\n"


_HEADERS = ("STATUS", "SEVERITY", "POLICY / RESOURCE / WHAT WAS SEEN")


def _findings_grid(rows: list[tuple[Status, str, str]], colour: bool) -> str:
    """The findings as tabulate's "simple" format writes them (left-aligned, a rule between findings).

    Written out here because tabulate spent a quarter of a 10,000-resource scan on this one
    table (it measures every line of every cell for alignment and invisible codes several
    times); the output is the same text (tests/ci/test_table_grid.py compares the two).
    Every column is as wide as its header and two more, or its widest line; lines lose
    trailing spaces; a multi-line cell's other columns are blank on its further lines.
    """
    cells = [(status.value.upper(), severity, text.strip().splitlines() or [""]) for status, severity, text in rows]
    widths = [len(_HEADERS[0]) + 2, len(_HEADERS[1]) + 2, len(_HEADERS[2]) + 2]
    for status_text, severity, lines in cells:
        widths[0] = max(widths[0], len(status_text))
        widths[1] = max(widths[1], len(severity))
        widths[2] = max(widths[2], max(map(len, lines)))
    rule = "  ".join("-" * width for width in widths)
    blank = " " * (widths[0] + 2 + widths[1] + 2)
    out = ["  ".join(header.ljust(width) for header, width in zip(_HEADERS, widths, strict=True)).rstrip(), rule]
    for (status, _, _), (status_text, severity, lines) in zip(rows, cells, strict=True):
        if len(out) > 2:
            out.append(rule)
        # The colour codes take no room on screen: pad the plain text, then paint it.
        padding = " " * (widths[0] - len(status_text))
        first = f"{_paint(status_text, _COLOURS[status], colour)}{padding}  {severity.ljust(widths[1])}  {lines[0]}"
        out.append(first.rstrip())
        out.extend((blank + line).rstrip() for line in lines[1:])
    return "\n".join(out)


def _compact_line(report: Report, finding: Finding, colour: bool) -> str:
    """One line per finding (--compact): STATUS severity policy resource [file:line] message."""
    location = report.locate(finding)
    where = f" {location.file}:{location.line}" if location is not None else ""
    if report.source.get("kind") == "merged" and finding.resource.account:
        where = f" [account {finding.resource.account}]{where}"
    status = _paint(f"{finding.status.value.upper():<7}", _COLOURS[finding.status], colour)
    note = ""
    if report.waiver(finding) is not None:
        note = " [waived]"
    elif (exemption := report.exemption(finding)) is not None and finding.status is Status.FAIL:
        note = f" [{EXEMPTIONS[exemption]}]"
    text = f"{finding.policy_id} {finding.resource.address}{where}: {' '.join(redact(finding.message).split())}"
    return f"{status} {finding.severity.value:<8} {visible(text)}{note}"


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


def verdict_line(report: Report) -> str:
    """The stable last line: ``FAILED: N failing at or above X``, ``INCOMPLETE: ...`` or ``PASSED``."""
    threshold = report.fail_on.value
    if report.result == "fail":
        failing = report.failing()
        unknown = sum(1 for f in failing if f.status is Status.UNKNOWN)
        why = f"{len(failing)} failing at or above {threshold}"
        return f"FAILED: {why}" + (f" ({unknown} of them unknown, --fail-on-unknown)" if unknown else "")
    if report.result == "incomplete":
        return f"INCOMPLETE: {len(report.incomplete())} check(s) at or above {threshold} could not run"
    return "PASSED"


def summary_line(report: Report) -> str:
    return f"{_counts_text(report)}. {verdict_line(report)}"


def _summary_lines(report: Report, colour: bool = False) -> list[str]:
    """The counts, then the verdict alone on the last line, so scripts can read it with `tail -1`."""
    counts = _counts_text(report) + "."
    if report.exit_zero and report.result != "pass":
        counts += " --exit-zero: the exit code is 0."
    verdict = verdict_line(report)
    word = verdict.split(":")[0]
    return [*textwrap.wrap(counts, 80, subsequent_indent="  "), _paint(verdict, _VERDICT_COLOURS[word], colour)]
