"""Markdown for ``$GITHUB_STEP_SUMMARY`` and pull-request comments.

Totals first, then the failures grouped by the HIPAA safeguard they break
(severity, where, what was seen, and each policy's remediation once), then
waived and undetermined findings, and the passes folded away in a
``<details>`` block. A merged report (``hipaacheck merge``) adds a table per
account (which accounts fail, which could not be scanned) and names the
account beside each resource. GitHub refuses a step summary over 1 MiB, so rows stop
at a byte budget and a note says how many were left out.
"""

from __future__ import annotations

from collections import defaultdict

from .. import safeguards
from ..display import redact
from ..models import Finding, Status
from ..output import ENCODING_ERRORS
from ..report import Report
from ..safe_text import md_code, md_text, visible

MAX_BYTES = 1024 * 1024 - 16 * 1024  # GitHub's step summary limit, minus room for closing tags and notes
_SHOWN_MESSAGE = 300


def cell(text: str) -> str:
    """Data safe inside a table cell or a line: no markup, link, image, HTML, pipe or line break."""
    return md_text(text)


def code(text: str) -> str:
    """Data as a code span it cannot close (safe_text.md_code)."""
    return md_code(text)


class _Budget:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self.lines: list[str] = []
        self.dropped = 0

    def add(self, line: str, *, force: bool = False) -> bool:
        size = len(line.encode("utf-8", ENCODING_ERRORS)) + 1
        if not force and self.used + size > self.limit:
            self.dropped += 1
            return False
        self.lines.append(line)
        self.used += size
        return True


def _heading(report: Report) -> list[str]:
    failing = len(report.failing())
    unknown = len(report.failing_unknown())
    if failing:
        verdict = f"❌ FAILED: {failing} failing at or above {report.fail_on.value}"
        verdict += f" ({unknown} of them unknown, --fail-on-unknown)" if unknown else ""
    elif report.result == "incomplete":
        verdict = f"⚠️ INCOMPLETE: {len(report.incomplete())} check(s) at or above {report.fail_on.value} could not run"
    else:
        verdict = "✅ PASSED"
    scanned = code(str(report.source.get("path") or report.source.get("kind", "")))
    if _merged(report):
        scanned = f"a merge of {len(report.source.get('inputs') or [])} report(s)"
    counts = report.counts()
    order = (Status.FAIL, Status.PASS, Status.UNKNOWN, Status.ERROR, Status.WAIVED, Status.SKIPPED)
    lines = [
        f"## hipaacheck: {verdict}",
        "",
        f"{report.policy_count} policies on {report.resource_count} resources from {scanned}.",
        "",
        *_asked(report),
        "| " + " | ".join(s.value for s in order) + " |",
        "|" + "---:|" * len(order),
        "| " + " | ".join(str(counts[s.value]) for s in order) + " |",
        "",
        *_by_account(report, order),
    ]
    if report.notes:
        lines += ["**Notes**", ""]
        lines += [f"- {cell(note)}" for note in report.notes]
        lines.append("")
    return lines


def _merged(report: Report) -> bool:
    return report.source.get("kind") == "merged"


def _by_account(report: Report, order: tuple[Status, ...]) -> list[str]:
    """A merged report: one row per account covered, with how its scan went and its counts."""
    if not _merged(report):
        return []
    counts = report.counts_by_account()
    accounts = [a for a in report.source.get("accounts") or [] if isinstance(a, dict)]
    listed = {str(a.get("id")) for a in accounts}
    names = {f.resource.account: f.resource.account_name for f in report.findings if f.resource.account_name}
    # An account only findings name (a plan report given an account): no scan of it is recorded.
    accounts += [{"id": a, "name": names.get(a), "status": "-"} for a in counts if a not in listed]
    empty = dict.fromkeys((s.value for s in order), 0)
    rows = []
    for entry in accounts:
        account = str(entry.get("id"))
        scan = str(entry.get("status") or "scanned")
        if scan == "error":
            scan = f"could not be scanned: {entry.get('error') or 'no reason recorded'}"
        numbers = counts.get(account, empty)
        rows.append(
            f"| {code(account)} | {cell(str(entry.get('name') or ''))} | {cell(scan)} | "
            + " | ".join(str(numbers[s.value]) for s in order)
            + " |"
        )
    return [
        f"**By account ({len(rows)})**",
        "",
        "| Account | Name | Scan | " + " | ".join(s.value for s in order) + " |",
        "|---|---|---|" + "---:|" * len(order),
        *rows,
        "",
    ]


def _resource(report: Report, finding: Finding) -> str:
    """The address; in a merged report with its account (the same address can be in several)."""
    account = finding.resource.account if _merged(report) else None
    return code(finding.resource.address) + (f" in {code(account)}" if account else "")


def _asked(report: Report) -> list[str]:
    """The policy selection and --exit-zero, when used: a reader must know the run was not the full pack."""
    selection = report.selection
    chosen = [f"--policy {p}" for p in selection.get("policy", [])]
    chosen += [f"--skip-policy {p}" for p in selection.get("skip_policy", [])]
    if selection.get("min_severity"):
        chosen.append(f"--min-severity {selection['min_severity']}")
    lines = [f"Selected: {code(' '.join(chosen))}.", ""] if chosen else []
    if report.exit_zero and report.result != "pass":
        lines += ["Soft fail (`--exit-zero`): the exit code is 0.", ""]
    return lines


def _where(report: Report, finding: Finding) -> str:
    location = report.locate(finding)
    return code(f"{location.file}:{location.line}") if location else ""


def _marker(report: Report, finding: Finding) -> str:
    exemption = report.exemption(finding)
    return f" ({exemption})" if exemption else ""


def _short(text: str) -> str:
    text = redact(text)
    return text if len(text) <= _SHOWN_MESSAGE else text[: _SHOWN_MESSAGE - 1] + "…"


def _failures(report: Report, budget: _Budget, failures: list[Finding]) -> None:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for finding in failures:
        groups[finding.safeguards[0] if finding.safeguards else "uncited"].append(finding)
    budget.add(f"### Failing findings by safeguard ({len(failures)})", force=True)
    for citation in sorted(groups):
        spec = safeguards.resolve(citation)
        # A known citation is hipaacheck's own text; anything else came from a policy file.
        title = f"{spec.citation} {spec.name} ({spec.kind})" if spec else cell(citation)
        budget.add("", force=True)
        budget.add(f"#### {title}", force=True)
        budget.add("", force=True)
        budget.add("| Severity | Policy | Resource | Location | What was seen |", force=True)
        budget.add("|---|---|---|---|---|", force=True)
        for f in groups[citation]:
            budget.add(
                f"| {f.severity.value}{_marker(report, f)} | {code(f.policy_id)} | {_resource(report, f)} "
                f"| {_where(report, f)} | {cell(_short(f.message))} |"
            )
        budget.add("", force=True)
        budget.add("<details><summary>Remediation</summary>", force=True)
        budget.add("", force=True)
        seen: dict[str, Finding] = {}
        for f in groups[citation]:
            seen.setdefault(f.policy_id, f)
        for policy_id, f in seen.items():
            budget.add(f"- {code(policy_id)} ({cell(', '.join(f.safeguards))}): {cell(f.remediation)}")
        budget.add("", force=True)
        budget.add("</details>", force=True)


def _simple_table(budget: _Budget, title: str, header: str, rows: list[str], folded: bool) -> None:
    if not rows:
        return
    budget.add("", force=True)
    if folded:
        budget.add(f"<details><summary>{title}</summary>", force=True)
    else:
        budget.add(f"### {title}", force=True)
    budget.add("", force=True)
    budget.add(header, force=True)
    budget.add("|" + "---|" * header.count(" | ") + "---|", force=True)
    for row in rows:
        budget.add(row)
    if folded:
        budget.add("", force=True)
        budget.add("</details>", force=True)


def render_markdown(report: Report, limit: int = MAX_BYTES) -> str:
    budget = _Budget(limit)
    for line in _heading(report):
        budget.add(line, force=True)
    ordered = report.sorted_findings()
    by_status: dict[Status, list[Finding]] = defaultdict(list)
    for finding in ordered:
        by_status[finding.status].append(finding)
    if by_status[Status.FAIL]:
        _failures(report, budget, by_status[Status.FAIL])
    waived_rows = []
    for f in by_status[Status.WAIVED]:
        w = report.waiver(f)
        owner, expires, reason = (w.owner, w.expires.isoformat(), w.reason) if w else ("", "", "")
        waived_rows.append(
            f"| {code(f.policy_id)} | {_resource(report, f)} | {cell(owner)} | {expires} | {cell(reason)} |"
        )
    _simple_table(
        budget, f"Waived ({len(waived_rows)})", "| Policy | Resource | Owner | Expires | Reason |", waived_rows, False
    )
    waiver_rows = [
        f"| {code(f'{w.file}:{w.line}')} | {code(w.policy)} | {code(w.resource)} | {cell(w.owner)} "
        f"| {w.expires.isoformat()} | {covers} |"
        for w, covers in report.waiver_uses
    ]
    _simple_table(
        budget,
        f"Waivers in the file ({len(waiver_rows)})",
        "| Waiver | Policy | Resource | Owner | Expires | Findings covered |",
        waiver_rows,
        False,
    )
    open_rows = [
        f"| {f.status.value} | {f.severity.value} | {code(f.policy_id)} | {_resource(report, f)} | {cell(_short(f.message))} |"
        for f in by_status[Status.ERROR] + by_status[Status.UNKNOWN]
    ]
    _simple_table(
        budget,
        f"Undetermined: error or unknown until apply ({len(open_rows)})",
        "| Status | Severity | Policy | Resource | Why |",
        open_rows,
        True,
    )
    pass_rows = [f"| {code(f.policy_id)} | {_resource(report, f)} |" for f in by_status[Status.PASS]]
    _simple_table(budget, f"Passed ({len(pass_rows)})", "| Policy | Resource |", pass_rows, True)
    if budget.dropped:
        budget.add("", force=True)
        budget.add(
            f"> {budget.dropped} row(s) left out to stay under GitHub's 1 MiB step summary limit; "
            "the JSON or SARIF report has every finding.",
            force=True,
        )
    # A last net: no control or bidi character reaches the page, whichever line carried it.
    return visible("\n".join(budget.lines)) + "\n"
