"""Baseline gating: failures an earlier run already reported do not fail this one.

The baseline is hipaacheck's own JSON report (``--format json``) from an
earlier run. A failure is "known" when the baseline lists a ``fail`` finding
with the same policy id, resource address and account; addresses (Terraform
addresses, or ARNs for live scans) are stable across runs, line numbers are
not, so nothing else is compared. The account keeps apart the same address in
two accounts of a merged report (``hipaacheck merge``). Waived findings of
the baseline are not carried over: when a waiver expires the failure is new
again, as intended.

Under --fail-on-unknown an ``unknown`` finding the baseline lists as
``unknown`` is known too (a team adopting the flag starts from what it has);
an unknown that has become a ``fail`` is a new failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .json_input import read_json_file
from .models import Status
from .report import FindingKey, Report, finding_key
from .report_model import SUPPORTED_MAJOR, parse_report, require_hipaacheck_report
from .sources.errors import InputError

# A baseline is a report of the same infrastructure: a few MB at most.
MAX_BASELINE_BYTES = 256 * 1024 * 1024


@dataclass
class Baseline:
    """What the earlier run reported: its failures, and its unknowns (for --fail-on-unknown)."""

    failures: set[FindingKey] = field(default_factory=set)
    unknowns: set[FindingKey] = field(default_factory=set)


def load_baseline(path: Path) -> Baseline:
    return _known(read_json_file(path, "baseline", MAX_BASELINE_BYTES), str(path))


def _known(document: Any, name: str) -> Baseline:
    document = require_hipaacheck_report(document, name)
    version = document.get("schema_version")
    if not isinstance(version, str) or version.split(".")[0] != SUPPORTED_MAJOR:
        raise InputError(
            f"{name}: baseline schema_version {version!r} is not supported (this hipaacheck reads {SUPPORTED_MAJOR}.x)"
        )
    if not isinstance(document.get("findings"), list):
        raise InputError(f"{name}: baseline has no 'findings' list")
    report = parse_report(document, name, "baseline")
    known = Baseline()
    for finding in report.findings:
        if finding.status == Status.FAIL.value:
            known.failures.add((finding.policy_id, finding.resource.address, finding.resource.account))
        elif finding.status == Status.UNKNOWN.value:
            known.unknowns.add((finding.policy_id, finding.resource.address, finding.resource.account))
    return known


def apply_baseline(report: Report, known: Baseline, file: str) -> None:
    """Mark failures (and, under --fail-on-unknown, unknowns) the baseline already had: reported, not gating."""
    matched = {finding_key(f) for f in report.findings if f.status is Status.FAIL and finding_key(f) in known.failures}
    unknown = {
        finding_key(f)
        for f in report.findings
        if report.fail_on_unknown and f.status is Status.UNKNOWN and finding_key(f) in known.unknowns
    }
    report.in_baseline |= matched | unknown
    fixed = len(known.failures - {finding_key(f) for f in report.findings if f.status is Status.FAIL})
    report.gate["baseline"] = {"file": file, "known": len(matched), "fixed": fixed}
    if matched:
        report.notes.append(f"{len(matched)} failure(s) already in the baseline {file} do not fail this run")
    if unknown:
        report.notes.append(f"{len(unknown)} unknown finding(s) already in the baseline {file} do not fail this run")


def apply_changed_only(report: Report) -> None:
    """--changed-only: only resources the plan creates, updates, replaces or deletes gate.

    A resource with no recorded action (account-level settings built from
    several Terraform resources) stays gated: the safe side for a gate.
    """
    unchanged = [
        f
        for f in report.findings
        if f.status in (Status.FAIL, Status.ERROR, Status.UNKNOWN)
        and f.resource.action is not None
        and f.resource.action not in _CHANGING
    ]
    # Errors too: a check that could not run on an unchanged resource does not make the run incomplete;
    # and unknowns, which gate under --fail-on-unknown.
    report.not_gated |= {finding_key(f) for f in unchanged}
    report.gate["changed_only"] = True
    skipped = {finding_key(f) for f in unchanged if f.status is Status.FAIL}
    if skipped:
        report.notes.append(f"{len(skipped)} failure(s) on resources this plan does not change do not gate")


_CHANGING = frozenset({"create", "update", "replace", "delete"})
