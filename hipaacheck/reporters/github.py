"""GitHub Actions integration: workflow-command annotations, the step summary, step outputs.

Used when ``GITHUB_ACTIONS=true`` (the runner sets it). Annotations go to
stderr, which the runner reads for workflow commands just like stdout, so a
``--format json`` report on stdout stays clean JSON.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step
(and 50 per job); the rest of a step's workflow commands are dropped silently.
So each level is capped at ``PER_LEVEL``, the worst first, and one notice says
how many were not annotated and where they are (job summary, SARIF/JSON):

* ``::error`` for failures that fail the run: ``scope-change`` findings (an
  exemption being made) first, then by severity;
* ``::warning`` for expired waivers (a decision someone has to renew), then
  checks that could not run (``error``: they make the result incomplete), then
  failures that do not gate (baseline, unchanged resource, below --fail-on),
  by severity.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..display import redact
from ..models import Finding, Status
from ..output import append_atomic
from ..report import Report, Waiver
from ..scope_change import SCOPE_CHANGE_ID
from .markdown import MAX_BYTES, render_markdown

if TYPE_CHECKING:
    from ..waivers import WaiverSet

PER_LEVEL = 10  # GitHub's per-step cap for each of error, warning and notice


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, report: Report, finding: Finding) -> str:
    properties: dict[str, str] = {}
    location = report.locate(finding)
    if location is not None:
        properties["file"] = location.file
        properties["line"] = str(location.line)
        if location.end_line:
            properties["endLine"] = str(location.end_line)
    citations = ", ".join(finding.safeguards)
    properties["title"] = f"hipaacheck {finding.policy_id} ({finding.severity.value}, HIPAA {citations})"
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = f"{finding.resource.address}: {finding.title}. {redact(finding.message)}"
    if finding.status is Status.FAIL:
        message += f"\nRemediation: {' '.join(finding.remediation.split())}"
    return f"::{kind} {props}::{escape_data(message)}"


def _severity_order(finding: Finding) -> tuple[int, str, str]:
    return (-finding.severity.rank, finding.policy_id, finding.resource.address)


def _gating_order(finding: Finding) -> tuple[bool, int, str, str]:
    # A scope change is an exemption being made (the resource leaves policies' scope): it is
    # annotated before the failures, whatever its severity, so the cap never hides it.
    return (finding.policy_id != SCOPE_CHANGE_ID, *_severity_order(finding))


def _waiver_command(waiver: Waiver, text: str) -> str:
    where = f"file={escape_property(waiver.file)},line={waiver.line}"
    return f"::warning {where},title=hipaacheck waiver expired::{escape_data(text)}"


def annotation_lines(report: Report, waivers: WaiverSet | None = None, limit: int = PER_LEVEL) -> list[str]:
    gating = sorted(report.failing(), key=_gating_order)
    gating_ids = {id(f) for f in gating}
    could_not_run = sorted((f for f in report.findings if f.status is Status.ERROR), key=_severity_order)
    not_gating = sorted(
        (f for f in report.findings if f.status is Status.FAIL and id(f) not in gating_ids), key=_severity_order
    )
    errors = [_command("error", report, f) for f in gating]
    warnings = (
        [_waiver_command(w, t) for w, t in zip(waivers.expired, waivers.warnings(), strict=True)] if waivers else []
    )
    warnings += [_command("warning", report, f) for f in could_not_run + not_gating]
    lines = errors[:limit] + warnings[:limit]
    hidden_errors, hidden_warnings = max(len(errors) - limit, 0), max(len(warnings) - limit, 0)
    if hidden_errors or hidden_warnings:
        title = escape_property("hipaacheck: more findings than annotations")
        lines.append(
            f"::notice title={title}::{hidden_errors} error and {hidden_warnings} warning annotation(s) not shown: "
            f"GitHub shows at most {limit} of each per step, so these are the worst. "
            "Every finding is in the job summary and the SARIF/JSON reports."
        )
    return lines


def outputs(report: Report, sarif_file: str | None) -> dict[str, str]:
    counts = report.counts()
    return {
        "failed": str(counts[Status.FAIL.value]),
        "failing": str(len(report.failing())),
        "passed": str(counts[Status.PASS.value]),
        "unknown": str(counts[Status.UNKNOWN.value]),
        "errors": str(counts[Status.ERROR.value]),
        "waived": str(counts[Status.WAIVED.value]),
        "result": report.result,
        "sarif-file": sarif_file or "",
    }


def _format_output(name: str, value: str) -> str:
    if "\n" not in value and "\r" not in value:
        return f"{name}={value}\n"
    delimiter = f"ghadelimiter_{uuid.uuid4()}"
    return f"{name}<<{delimiter}\n{value}\n{delimiter}\n"


def github_files(env: Mapping[str, str]) -> list[Path]:
    """The runner files this run will append to: checked for writability before the scan."""
    return [Path(env[name]) for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT") if env.get(name)]


def publish(
    report: Report, env: Mapping[str, str], sarif_file: str | None, waivers: WaiverSet | None = None
) -> list[str]:
    """Append the summary and outputs to the runner's files; return the annotation lines to print."""
    summary = env.get("GITHUB_STEP_SUMMARY")
    if summary:
        path = Path(summary)
        used = path.stat().st_size if path.exists() else 0
        append_atomic(path, render_markdown(report, limit=max(MAX_BYTES - used, 64 * 1024)))
    output = env.get("GITHUB_OUTPUT")
    if output:
        lines = [_format_output(name, value) for name, value in outputs(report, sarif_file).items()]
        append_atomic(Path(output), "".join(lines))
    return annotation_lines(report, waivers)
