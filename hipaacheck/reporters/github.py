"""GitHub Actions integration: workflow-command annotations, the step summary, step outputs.

Used when ``GITHUB_ACTIONS=true`` (the runner sets it). Annotations go to
stderr, which the runner reads for workflow commands just like stdout, so a
``--format json`` report on stdout stays clean JSON.

Annotations, in order, capped at ``MAX_ANNOTATIONS`` (the runner shows at most
50 per job) with a notice when capped:

* ``::error`` for failures that fail the run,
* ``::warning`` for failures that do not (baseline, unchanged resource,
  below --fail-on) and for checks that could not run (``error``).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path

from ..display import redact
from ..models import Finding, Status
from ..output import append_atomic
from ..report import Report
from .markdown import MAX_BYTES, render_markdown

MAX_ANNOTATIONS = 50


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


def annotation_lines(report: Report, limit: int = MAX_ANNOTATIONS) -> list[str]:
    gating = report.failing()
    gating_ids = {id(f) for f in gating}
    ordered = report.sorted_findings()
    others = [f for f in ordered if f.status is Status.FAIL and id(f) not in gating_ids]
    errors = [f for f in ordered if f.status is Status.ERROR]
    candidates = [("error", f) for f in sorted(gating, key=lambda f: (-f.severity.rank, f.policy_id))]
    candidates += [("warning", f) for f in others + errors]
    lines = [_command(kind, report, f) for kind, f in candidates[:limit]]
    if len(candidates) > limit:
        lines.append(
            f"::notice title=hipaacheck::{len(candidates) - limit} more annotation(s) not shown "
            "(GitHub shows at most 50 per job); see the job summary or the SARIF/JSON report"
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


def publish(report: Report, env: Mapping[str, str], sarif_file: str | None) -> list[str]:
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
    return annotation_lines(report)
